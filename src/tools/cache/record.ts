/**
 * What the main step tells the post step about the hosted-runner caches: the entries it planned
 * and which of them were restored. Saved only when the main step succeeded (run.ts), so a failed
 * run saves nothing. A leaf: the engine's state holds the record, so this imports nothing.
 */

/** One Actions cache entry: what it holds and under which key. */
export interface CacheEntry {
  /** For the log: `terraform 1.13.4`, `providers`, `chart v1.16.8`. */
  readonly name: string;
  readonly key: string;
  /** Absolute paths: files (folders only when `folders` is true). */
  readonly paths: readonly string[];
  /** True when `paths` are folders whose whole content is restored. */
  readonly folders: boolean;
  /** The tool whose archive this is (tool entries only). */
  readonly tool?: string;
}

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
