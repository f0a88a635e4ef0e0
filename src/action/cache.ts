// Restore and save the `_init` backup through the GitHub Actions cache (@actions/cache). Caching is an
// optimisation: nothing here throws because of the cache service. An unavailable, failing or hanging service
// is logged (info or warning) and reported as a miss / not saved, and the caller seeds instead.
//
// Paths: pass the same path strings to restore and save — the service files an entry under a version that
// hashes them (with the compression method), so a different spelling of the same directory is a miss.
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { errorMessage } from '../core/errors.js';
import type { CacheCallOptions, RestoreResult, SaveResult } from './cache-types.js';

export type { CacheCallOptions, CacheHit, RestoreResult, SaveResult } from './cache-types.js';

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** The bound for one cache call: the option, else OLYMPIA_CACHE_TIMEOUT_SECONDS, else 10 minutes. */
export function cacheTimeoutMs(options: CacheCallOptions = {}): number {
  if (options.timeoutMs !== undefined) return options.timeoutMs;
  const seconds = Number(process.env.OLYMPIA_CACHE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS;
}

type Bounded<T> = { done: true; value: T } | { done: false };

/**
 * Races `work` against a timer. The library cannot be cancelled, so on timeout its promise keeps running
 * unobserved; the action's entry point exits the process when it is done (as actions/cache does), so a
 * late request cannot hold the job open.
 */
async function bounded<T>(work: Promise<T>, ms: number): Promise<Bounded<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Bounded<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  work.catch(() => undefined); // a rejection after the timeout must not become an unhandled rejection
  try {
    return await Promise.race([work.then((value): Bounded<T> => ({ done: true, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function serviceAvailable(action: 'restore' | 'save'): boolean {
  if (cache.isFeatureAvailable()) return true;
  core.info(`The GitHub Actions cache service is not available to this job, so the ${action} of the initial data is skipped.`);
  return false;
}

/**
 * Restores `paths` from the entry with `key`, or else from the newest entry matching one of the
 * `restoreKeys` prefixes (partial hit).
 */
export async function restoreInit(paths: string[], key: string, restoreKeys: string[] = [], options: CacheCallOptions = {}): Promise<RestoreResult> {
  if (!serviceAvailable('restore')) return { hit: 'miss' };
  const ms = cacheTimeoutMs(options);
  try {
    // segmentTimeoutInMs lets the library abort a stalled blob download itself, within the same bound.
    const result = await bounded(cache.restoreCache(paths, key, restoreKeys, { segmentTimeoutInMs: ms }), ms);
    if (!result.done) {
      core.warning(`Restoring the cache did not finish within ${seconds(ms)}; continuing without it.`);
      return { hit: 'miss' };
    }
    const matchedKey = result.value;
    if (matchedKey === undefined) return { hit: 'miss' };
    return { hit: matchedKey === key ? 'exact' : 'partial', matchedKey };
  } catch (e) {
    core.warning(`Restoring the cache failed: ${errorMessage(e)}. Continuing without it.`);
    return { hit: 'miss' };
  }
}

function isAlreadyExists(e: unknown): boolean {
  return e instanceof cache.ReserveCacheError || /already exists|another job may be creating/i.test(errorMessage(e));
}

/** Saves `paths` under `key`. An existing entry is not an error: keys are immutable, the entry is kept. */
export async function saveInit(paths: string[], key: string, options: CacheCallOptions = {}): Promise<SaveResult> {
  if (!serviceAvailable('save')) return { saved: false, reason: 'unavailable' };
  const ms = cacheTimeoutMs(options);
  const started = Date.now();
  try {
    // Look first: an existing key then costs one request instead of an archive and an upload.
    const lookup = await bounded(cache.restoreCache(paths, key, [], { lookupOnly: true }), ms);
    if (!lookup.done) {
      core.warning(`The cache service did not answer within ${seconds(ms)}; the initial data is not saved.`);
      return { saved: false, reason: 'timeout' };
    }
    if (lookup.value === key) {
      core.info(`The cache already holds ${key}; cache entries are immutable, so it is kept as it is.`);
      return { saved: false, reason: 'exists' };
    }
    const remaining = Math.max(ms - (Date.now() - started), 1);
    const save = await bounded(cache.saveCache(paths, key), remaining);
    if (!save.done) {
      core.warning(`Saving the cache did not finish within ${seconds(ms)}; the initial data is not saved.`);
      return { saved: false, reason: 'timeout' };
    }
    // -1: the library declined or failed and already said why (a concurrent save of the same key is an info
    // line). With cache service v1 an upload that fails after the reservation still returns the reserved id;
    // the library's own warning is then the only sign.
    if (save.value === -1) return { saved: false, reason: 'declined' };
    core.info(`Saved the initial data to the cache as ${key}.`);
    return { saved: true, cacheId: save.value };
  } catch (e) {
    if (isAlreadyExists(e)) {
      core.info(`The cache already holds ${key} (${errorMessage(e)}); it is kept as it is.`);
      return { saved: false, reason: 'exists' };
    }
    core.warning(`Saving the cache failed: ${errorMessage(e)}. The job continues; the next run seeds again.`);
    return { saved: false, reason: 'error' };
  }
}
