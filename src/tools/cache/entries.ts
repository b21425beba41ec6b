/**
 * What the hosted-runner caches hold, and under which keys (see docs/caches.md, "Between
 * GitHub-hosted runs"). Pure: inputs, the pins, the platform and the committed lock file's text
 * decide every path and key, so the dry run shows them and the post step saves exactly them.
 *
 * Only files that a digest outside the cache vouches for are saved:
 * - each pinned tool's downloaded archive (`TOOL/VERSION/ARCH.archive`), hashed against its pin
 *   before it is unpacked (tools/download.ts); never the unpacked folder, which gcloud's
 *   components make unverifiable;
 * - the flyte-binary archive of a pinned chart version, hashed against its pin on every use;
 * - the Terraform plugin folders of the locked providers, only when the committed lock file holds
 *   h1: checksums: Terraform then uses a folder only when it matches one of them. Without them the
 *   h1: lines would have to come from the cache too, so whoever can write the cache would choose
 *   the providers; nothing is cached for providers then.
 * Every path lies under RUNNER_TOOL_CACHE, away from RUNNER_TEMP, where the credentials file,
 * kubeconfig, values files and plan files are written, and from the workspace.
 *
 * One cache entry per item, so a changed lock file does not upload gcloud's archive again.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Inputs } from '../../inputs.js';
import { pinKey, type Recipe } from '../download.js';
import type { Platform } from '../sources.js';
import { chartCacheDir, chartFileName } from '../helm/chart-cache.js';
import { pluginCacheDir, terraformPlatform } from '../../terraform/provider-cache.js';

/** Bumped when the layout of what is saved changes, so old entries are never restored. */
export const CACHE_KEY_PREFIX = 'flyte-gke-v1';

export interface CacheEntry {
  /** For the log: `terraform 1.13.4`, `providers`, `chart v1.16.8`. */
  readonly name: string;
  readonly key: string;
  /** Absolute paths: files, or (providers) folders. */
  readonly paths: readonly string[];
  /** True when `paths` are folders whose whole content is restored. */
  readonly folders: boolean;
  /** The tool whose archive this is (tool entries only). */
  readonly tool?: string;
}

export interface EntrySources {
  readonly toolCache: string;
  readonly platform: Platform;
  readonly recipes: readonly Recipe[];
  readonly toolPins: Readonly<Record<string, string>>;
  readonly chartPins: Readonly<Record<string, string>>;
  /** The module's .terraform.lock.hcl as committed (read before init adds anything), if any. */
  readonly lockText: string | undefined;
}

/** Entries this run restores and saves, with a line for each thing left out and why. */
export function hostedCacheEntries(
  inputs: Inputs,
  from: EntrySources
): { entries: CacheEntry[]; skipped: string[] } {
  const entries: CacheEntry[] = [];
  const skipped: string[] = [];
  const { os, arch } = from.platform;
  for (const recipe of from.recipes) {
    const wanted = inputs.tools[recipe.tool];
    if (wanted.kind === 'system') continue;
    if (wanted.kind === 'latest') {
      skipped.push(`${recipe.tool}: ${recipe.inputName} is latest, so no key can name it.`);
      continue;
    }
    if (recipe.tool === 'gcloud' && !inputs.installGcloud) {
      // Restored, it would be 180 MB fetched for a run that may run no gcloud command at all.
      skipped.push(
        'gcloud: install-gcloud is false, so it is downloaded only if a command needs it.'
      );
      continue;
    }
    const pin = from.toolPins[pinKey(recipe, wanted.version, from.platform)];
    if (!pin) {
      skipped.push(`${recipe.tool} ${wanted.version}: no pinned digest, so nothing can verify it.`);
      continue;
    }
    const toolDir = path.join(from.toolCache, recipe.tool, wanted.version, arch);
    entries.push({
      name: `${recipe.tool} ${wanted.version}`,
      key: `${CACHE_KEY_PREFIX}-${recipe.tool}-${wanted.version}-${os}-${arch}-${pin.slice(0, 16)}`,
      paths: [`${toolDir}.archive`],
      folders: false,
      tool: recipe.tool
    });
  }
  const providers = providerEntry(from);
  if ('skipped' in providers) skipped.push(providers.skipped);
  else entries.push(providers);
  const chartPin = from.chartPins[inputs.chartVersion];
  if (chartPin) {
    entries.push({
      name: `chart ${inputs.chartVersion}`,
      key: `${CACHE_KEY_PREFIX}-chart-flyte-binary-${inputs.chartVersion}-${chartPin.slice(0, 16)}`,
      paths: [
        path.join(
          chartCacheDir(from.toolCache, inputs.chartVersion),
          chartFileName(inputs.chartVersion)
        )
      ],
      folders: false
    });
  } else {
    skipped.push(
      `chart ${inputs.chartVersion}: no pinned digest, so it is checked against the index afresh.`
    );
  }
  return { entries, skipped };
}

function providerEntry(from: EntrySources): CacheEntry | { skipped: string } {
  if (from.lockText === undefined) {
    return { skipped: 'providers: the module has no .terraform.lock.hcl to key them by.' };
  }
  if (!/"h1:/.test(from.lockText)) {
    return {
      skipped:
        'providers: the committed .terraform.lock.hcl holds no h1: checksums, so only the cache itself could vouch for restored provider folders. Commit them (terraform providers lock -platform=linux_amd64) to cache providers between hosted runs.'
    };
  }
  const platform = terraformPlatform(from.platform.os as NodeJS.Platform, from.platform.arch);
  const plugins = pluginCacheDir(from.toolCache, platform);
  const locked = [...from.lockText.matchAll(/provider "([^"]+)" \{[^}]*?version\s*=\s*"([^"]+)"/g)];
  if (locked.length === 0) return { skipped: 'providers: the lock file selects none.' };
  const digest = createHash('sha256').update(from.lockText).digest('hex').slice(0, 16);
  return {
    name: 'providers',
    key: `${CACHE_KEY_PREFIX}-providers-${platform}-${digest}`,
    paths: locked.map((m) => path.join(plugins, m[1]!, m[2]!, platform)),
    folders: true
  };
}
