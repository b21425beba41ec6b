/**
 * The post step's half of the hosted-runner caches: saves each planned entry that the main step
 * did not restore and whose files this run put in place, when the main step succeeded (only then
 * is the record there). Every path must lie inside the tool cache and away from RUNNER_TEMP, the
 * workspace and every file registered for removal (credentials, kubeconfig, values, plan files),
 * checked again here so no later change to entries.ts can save a secret. Only ever warns.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLEANUP_STATE } from '../../cleanup-state.js';
import type { CacheService } from './service.js';
import { HOSTED_CACHE_STATE, type HostedCacheRecord, type RecordedEntry } from './record.js';

export interface SaveDeps {
  readonly getState: (name: string) => string;
  readonly env: NodeJS.ProcessEnv;
  readonly service: CacheService;
  readonly info: (message: string) => void;
  readonly warning: (message: string) => void;
}

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(`${parent}${path.sep}`);

/** Why an entry must not be saved, or undefined. */
export function unsafePath(
  entry: RecordedEntry,
  toolCache: string,
  env: NodeJS.ProcessEnv,
  secretFiles: readonly string[]
): string | undefined {
  const guarded = [env.RUNNER_TEMP, env.GITHUB_WORKSPACE, ...secretFiles]
    .filter((p): p is string => Boolean(p))
    .map((p) => path.resolve(p));
  for (const raw of entry.paths) {
    const p = path.resolve(raw);
    if (!inside(p, path.resolve(toolCache)) || p === path.resolve(toolCache)) {
      return `${p} is not inside the tool cache ${toolCache}`;
    }
    const clash = guarded.find((g) => inside(p, g) || inside(g, p));
    if (clash) return `${p} overlaps ${clash}, which may hold secrets`;
  }
  return undefined;
}

export async function saveHostedCaches(deps: SaveDeps): Promise<void> {
  const raw = deps.getState(HOSTED_CACHE_STATE);
  if (!raw) return;
  const record = JSON.parse(raw) as HostedCacheRecord;
  const secretFiles = JSON.parse(deps.getState(CLEANUP_STATE) || '[]') as string[];
  const fresh = record.entries.filter((e) => !e.present && e.paths.every((p) => existsSync(p)));
  if (fresh.length === 0) return;
  const unavailable = deps.service.unavailable();
  if (unavailable) {
    deps.warning(`Nothing was saved to the Actions cache: ${unavailable}.`);
    return;
  }
  for (const entry of fresh) {
    const unsafe = unsafePath(entry, record.toolCache, deps.env, secretFiles);
    if (unsafe) {
      deps.warning(`${entry.name} was not saved to the Actions cache: ${unsafe}.`);
      continue;
    }
    const result = await deps.service.save(entry);
    if (result.kind === 'saved')
      deps.info(`${entry.name}: saved to the Actions cache (${entry.key}).`);
    else
      deps.warning(
        `${entry.name} was not saved to the Actions cache (${entry.key}): ${result.why}.`
      );
  }
}
