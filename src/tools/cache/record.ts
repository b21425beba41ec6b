/**
 * What the main step tells the post step about the hosted-runner caches: the entries it planned
 * and which of them were restored. Saved only when the main step succeeded (run.ts), so a failed
 * run saves nothing.
 */
import type { CacheEntry } from './entries.js';

export const HOSTED_CACHE_STATE = 'hosted-cache';

export interface RecordedEntry extends CacheEntry {
  /**
   * Restored from this key, or an entry already sits under it: there is nothing to save. Set when
   * a restore ends, which for a background tool's entry is while the phases run.
   */
  present: boolean;
}

export interface HostedCacheRecord {
  readonly toolCache: string;
  readonly entries: readonly RecordedEntry[];
}
