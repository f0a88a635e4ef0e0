// What a cache call returns, apart from the library that makes it (src/action/cache.ts), so the run can
// be typed and tested without loading @actions/cache.

export type CacheHit = 'exact' | 'partial' | 'miss';

export type RestoreResult =
  | {
      hit: CacheHit;
      /** The key of the restored entry: the primary key (exact) or an older one found by a restore key (partial). */
      matchedKey?: string;
    }
  /**
   * `failed`: the service failed or did not answer (`cause` says which, and was logged as the one warning);
   * the job makes no further cache calls. `unavailable`: no cache service in this job (logged as info).
   */
  | { hit: 'failed' | 'unavailable'; cause: string; matchedKey?: undefined };

export type SaveResult =
  | { saved: true; cacheId: number }
  /**
   * `exists`: an entry with this key is already stored (keys are immutable). `declined`: the service refused
   * the entry (`cause`, logged as a warning). `error`/`timeout`: the service failed; logged as a warning.
   */
  | { saved: false; reason: 'exists' | 'unavailable' | 'timeout' | 'declined' | 'error'; cause?: string };

export interface CacheCallOptions {
  /** Upper bound for a transfer (download or upload); defaults to OLYMPIA_CACHE_TIMEOUT_SECONDS or 10 minutes. */
  timeoutMs?: number;
  /** Upper bound for finding the entry (restore) or reserving it (save), before any transfer; 30 s by default. */
  lookupTimeoutMs?: number;
  /** The restore just found no entry under this key, so saving needs no lookup first. */
  knownAbsent?: boolean;
  /** Only find the entry; download nothing (the lookup-only input). */
  lookupOnly?: boolean;
}
