// What a cache call returns, apart from the library that makes it (src/action/cache.ts), so the run can
// be typed and tested without loading @actions/cache.

export type CacheHit = 'exact' | 'partial' | 'miss';

export interface RestoreResult {
  hit: CacheHit;
  /** The key of the restored entry: the primary key (exact) or an older one found by a restore key (partial). */
  matchedKey?: string;
}

export type SaveResult =
  | { saved: true; cacheId: number }
  /**
   * `exists`: an entry with this key is already stored (keys are immutable). `declined`: the library did not
   * save and logged why (another job reserving the key, a read-only cache mode, a service error).
   * `error`: something threw; logged as a warning.
   */
  | { saved: false; reason: 'exists' | 'unavailable' | 'timeout' | 'declined' | 'error' };

export interface CacheCallOptions {
  /** Upper bound for the whole call; defaults to OLYMPIA_CACHE_TIMEOUT_SECONDS or 10 minutes. */
  timeoutMs?: number;
}
