/**
 * The task step, first in the tools phase, that restores the hosted-runner caches before the
 * installs look for their archives (entries.ts says what and why; checked-extract.ts how). It only
 * puts files where the installers would have kept them: every one is then checked by its pin
 * when it is used, as if a run on this runner had kept it. A GitHub-hosted runner starts with an
 * empty tool cache; a self-hosted one keeps its own, so there the step does nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../../inputs.js';
import type { Step, TaskContext } from '../../engine/types.js';
import { LOCK_FILE, terraformPlatform } from '../../terraform/provider-cache.js';
import type { Recipe } from '../download.js';
import { pinTable, SHIPPED_PINS } from '../pins/pin-table.js';
import { currentPlatform, type Platform } from '../sources.js';
import { actionsCache, type CacheService, type RestoreResult } from './service.js';
import { CACHE_KEY_PREFIX, hostedCacheEntries, type CacheEntry } from './entries.js';
import type { RecordedEntry } from './record.js';

const CACHE_ENV = 'github-hosted';
/** Tools installed in the background (phases/tools.ts): their restores are not awaited here. */
const BACKGROUND_TOOLS = new Set(['gcloud']);

export function hostedCacheSteps(
  inputs: Inputs,
  recipes: readonly Recipe[],
  service: (env: NodeJS.ProcessEnv) => CacheService = actionsCache
): Step[] {
  if (!inputs.cache) return [];
  return [
    {
      kind: 'task',
      id: 'cache-restore',
      title: 'Restore tools, providers and the chart from the Actions cache',
      mutates: false,
      describe: () => describeRestore(inputs, recipes),
      run: (ctx) => restoreHostedCaches(ctx, recipes, service(ctx.env))
    }
  ];
}

function describeRestore(inputs: Inputs, recipes: readonly Recipe[]): string {
  const platform: Platform = { os: process.platform, arch: process.arch };
  const { entries, skipped } = hostedCacheEntries(inputs, {
    toolCache: '$RUNNER_TOOL_CACHE',
    platform,
    recipes,
    toolPins: SHIPPED_PINS.tools,
    chartPins: SHIPPED_PINS.charts,
    lockText: undefined
  });
  return [
    `On a GitHub-hosted runner only (RUNNER_ENVIRONMENT=${CACHE_ENV}); a self-hosted runner keeps its own tool cache.`,
    ...entries.map((e) => `${e.name}: key ${e.key}, into ${e.paths.join(', ')}`),
    `providers: key ${CACHE_KEY_PREFIX}-providers-${terraformPlatform()}-<16 hex of the providers, versions and zh: hashes in ${path.join(inputs.terraformDir, LOCK_FILE)}>, the locked providers' release zips for this platform.`,
    ...skipped.filter((s) => !s.startsWith('providers:')),
    'Only members at these paths are unpacked; each file is checked against its pinned digest when used (a provider zip: its SHA-256 against the zh: hashes of the committed lock file, then by Terraform again). The post step saves what this run added, when it succeeded.'
  ].join('\n');
}

export async function restoreHostedCaches(
  ctx: TaskContext,
  recipes: readonly Recipe[],
  service: CacheService
): Promise<void> {
  if (ctx.env.RUNNER_ENVIRONMENT !== CACHE_ENV) {
    ctx.log.info(
      'Not a GitHub-hosted runner: its tool cache outlives the job, so nothing is restored from or saved to the Actions cache.'
    );
    return;
  }
  const toolCache = ctx.state.toolCacheDir ?? ctx.env.RUNNER_TOOL_CACHE;
  if (!toolCache) return;
  const unavailable = service.unavailable();
  if (unavailable) {
    ctx.log.warning(
      `The Actions cache is not used: ${unavailable}. Tools, providers and the chart are downloaded.`
    );
    return;
  }
  const lockFile = path.join(ctx.inputs.terraformDir, LOCK_FILE);
  const pins = pinTable(ctx.env);
  const { entries, skipped } = hostedCacheEntries(ctx.inputs, {
    toolCache,
    platform: currentPlatform(),
    recipes,
    toolPins: pins.tools,
    chartPins: pins.charts,
    lockText: existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : undefined
  });
  for (const line of skipped) ctx.log.info(`Not cached: ${line}`);
  const recorded = entries.map((entry): RecordedEntry => ({ ...entry, present: false }));
  let warnedDown = false;
  const restore = async (entry: RecordedEntry): Promise<void> => {
    const result = await service.restore(entry);
    if (result.kind === 'unavailable' && !warnedDown) {
      warnedDown = true;
      ctx.log.warning(
        `The Actions cache could not be read (${result.why}); what it did not give is downloaded.`
      );
    }
    report(ctx, entry, result);
    entry.present = result.kind === 'restored' || result.kind === 'refused';
  };
  ctx.state.hostedCache = { toolCache, entries: recorded };
  // A background tool's archive is restored beside the phases, as its install runs (tools.ts).
  const background = recorded.filter((e) => e.tool && BACKGROUND_TOOLS.has(e.tool));
  ctx.state.backgroundRestores = Object.fromEntries(
    // Never rejects: a cache that fails is a download, not a failed run.
    background.map((entry) => [
      entry.tool!,
      restore(entry).catch((error: unknown) => {
        ctx.log.warning(`${entry.name}: the Actions cache could not be read (${String(error)}).`);
      })
    ])
  );
  await Promise.all(recorded.filter((e) => !background.includes(e)).map(restore));
}

function report(ctx: TaskContext, entry: CacheEntry, result: RestoreResult): void {
  switch (result.kind) {
    case 'restored':
      ctx.log.info(`${entry.name}: restored from the Actions cache (${entry.key}).`);
      return;
    case 'miss':
      ctx.log.info(`${entry.name}: not in the Actions cache yet (${entry.key}).`);
      return;
    case 'refused':
      ctx.log.warning(
        `${entry.name}: the Actions cache entry ${entry.key} is not used: ${result.why}. Nothing of it was written; ${entry.name} is downloaded and verified instead. Delete the entry (gh cache delete ${entry.key}) so the next run can save a good one.`
      );
      return;
    case 'unavailable':
      return;
  }
}
