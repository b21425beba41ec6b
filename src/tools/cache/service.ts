/**
 * What the hosted-runner caches need from the Actions cache service, and the real one, loaded on
 * first use: @actions/cache and the Azure storage SDK it brings are megabytes the action's
 * start-up does not need to parse when the cache is off or the runner is self-hosted.
 */
import type { CacheEntry } from './entries.js';

export type RestoreResult =
  | { readonly kind: 'restored'; readonly files: number }
  | { readonly kind: 'miss' }
  /** An entry exists under the key but was not used; its key cannot be saved again. */
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'unavailable'; readonly why: string };

export type SaveResult =
  { readonly kind: 'saved' } | { readonly kind: 'not saved'; readonly why: string };

export interface CacheService {
  /** Why the service cannot be used by this job, or undefined when it can. */
  unavailable(): string | undefined;
  restore(entry: CacheEntry): Promise<RestoreResult>;
  save(entry: CacheEntry): Promise<SaveResult>;
}

/** Why this job cannot use the cache service, from the variables the runner gives an action. */
export function cacheServiceUnavailable(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.ACTIONS_CACHE_SERVICE_V2 || !env.ACTIONS_RESULTS_URL) {
    return 'the job has no Actions cache service v2 (ACTIONS_CACHE_SERVICE_V2 and ACTIONS_RESULTS_URL are not set)';
  }
  if (!env.ACTIONS_RUNTIME_TOKEN) return 'ACTIONS_RUNTIME_TOKEN is not set';
  return undefined;
}

/** The Actions cache through @actions/cache (actions-cache.ts), imported when first called. */
export function actionsCache(env: NodeJS.ProcessEnv = process.env): CacheService {
  let loaded: Promise<CacheService> | undefined;
  const load = () =>
    (loaded ??= import('./actions-cache.js').then((m) => m.actionsCacheService(env)));
  return {
    unavailable: () => cacheServiceUnavailable(env),
    restore: async (entry) => (await load()).restore(entry),
    save: async (entry) => (await load()).save(entry)
  };
}
