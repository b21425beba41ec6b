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
 * - the locked providers' release zips for this platform (terraform/provider-mirror.ts), each
 *   hashed against the committed lock file's zh: hashes before it is used; the key names the
 *   lock file's providers, versions and zh: hashes, but the check reads the committed file itself.
 * Every path lies under RUNNER_TOOL_CACHE, away from RUNNER_TEMP, where the credentials file,
 * kubeconfig, values files and plan files are written, and from the workspace.
 *
 * One cache entry per item, so a changed lock file does not upload gcloud's archive again.
 */
import path from 'node:path';
import type { Inputs } from '../../inputs.js';
import type { CacheEntry } from './record.js';
import { pinKey, type Recipe } from '../download.js';
import type { Platform } from '../sources.js';
import { chartCacheDir, chartFileName } from '../helm/chart-cache.js';
import { lockKey, terraformPlatform } from '../../terraform/provider-cache.js';
import {
  lockedProviders,
  mirrorable,
  packedZipPath,
  providerStoreDir
} from '../../terraform/provider-mirror.js';

/** Bumped when the layout of what is saved changes, so old entries are never restored. */
export const CACHE_KEY_PREFIX = 'flyte-gke-v1';

export type { CacheEntry };

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
  const platform = terraformPlatform(from.platform.os as NodeJS.Platform, from.platform.arch);
  const store = providerStoreDir(from.toolCache);
  // A provider without zh: hashes has nothing to check its zip against: Terraform installs it.
  const checkable = lockedProviders(from.lockText).filter(mirrorable);
  if (checkable.length === 0) {
    return {
      skipped:
        'providers: the lock file records no zh: hashes of registry.terraform.io providers to check their zips by.'
    };
  }
  return {
    name: 'providers',
    key: `${CACHE_KEY_PREFIX}-providers-${platform}-${lockKey(from.lockText)}`,
    paths: checkable.map((p) => packedZipPath(store, p, platform)),
    folders: false
  };
}
