// Cache keys for the `_init` backup in the GitHub Actions cache.
//
// Scheme: `<prefix>-v<backup format>-<migration hash>`, e.g. `olympia-data-init-v1-3f2a…` (64 hex digits).
// Incremental mode restores with the restore-keys prefix `<prefix>-v<format>-`: the service then returns
// the newest entry of any migration hash written in the same backup format.
//
// The runner OS is deliberately not part of the key: a backup is plain data files plus a manifest, portable
// between operating systems, and @actions/cache already keeps archives of different compression methods
// (and Windows, unless cross-OS is enabled) apart through the entry's version. Projects that want separate
// entries (per database engine, per OS, per branch…) say so in `cache-key-prefix`.
//
// The cache service limits a key to 512 characters and forbids commas (it joins keys with commas).
import { UsageError } from './errors.js';
import { BACKUP_FORMAT_VERSION } from './format-version.js';

export const DEFAULT_CACHE_KEY_PREFIX = 'olympia-data-init';
export const MAX_CACHE_KEY_LENGTH = 512;
const HASH_LENGTH = 64;

function formatPart(formatVersion: number): string {
  return `v${formatVersion}`;
}

/** The longest prefix that still leaves room for the format and a full sha256. */
export function maxPrefixLength(formatVersion: number = BACKUP_FORMAT_VERSION): number {
  return MAX_CACHE_KEY_LENGTH - `-${formatPart(formatVersion)}-`.length - HASH_LENGTH;
}

/** Checks a user-given prefix; `inputName` is how the user set it (an action input or a CLI flag). */
export function validateCacheKeyPrefix(prefix: string, inputName = 'cache-key-prefix', formatVersion: number = BACKUP_FORMAT_VERSION): string {
  const hint = `Use letters, digits and separators such as "-", "_" or "/", e.g. "${DEFAULT_CACHE_KEY_PREFIX}-mysql8".`;
  if (prefix.length === 0) throw new UsageError(`The ${inputName} input is empty.`, `Leave it unset for the default "${DEFAULT_CACHE_KEY_PREFIX}". ${hint}`);
  if (prefix.includes(',')) throw new UsageError(`The ${inputName} input ${JSON.stringify(prefix)} contains a comma; cache keys cannot contain commas.`, hint);
  if (/[\x00-\x1f\x7f]/.test(prefix)) throw new UsageError(`The ${inputName} input contains a control character (such as a line break).`, hint);
  const max = maxPrefixLength(formatVersion);
  if (prefix.length > max) {
    throw new UsageError(
      `The ${inputName} input is ${prefix.length} characters long; at most ${max} fit, since a cache key is limited to ${MAX_CACHE_KEY_LENGTH} characters including the format and the 64-character migration hash.`,
      hint,
    );
  }
  return prefix;
}

export interface InitCacheKeyParts {
  prefix?: string;
  migrationHash: string;
  formatVersion?: number;
}

/** The exact key of the `_init` backup for one migration hash. */
export function initCacheKey({ prefix = DEFAULT_CACHE_KEY_PREFIX, migrationHash, formatVersion = BACKUP_FORMAT_VERSION }: InitCacheKeyParts): string {
  if (!/^[0-9a-f]{64}$/.test(migrationHash)) throw new Error(`Not a sha256 hex digest: ${JSON.stringify(migrationHash)}`);
  return `${validateCacheKeyPrefix(prefix, 'cache-key-prefix', formatVersion)}-${formatPart(formatVersion)}-${migrationHash}`;
}

/** Restore-keys for incremental mode: any `_init` of the same prefix and backup format, newest first. */
export function initRestoreKeys({ prefix = DEFAULT_CACHE_KEY_PREFIX, formatVersion = BACKUP_FORMAT_VERSION }: Omit<InitCacheKeyParts, 'migrationHash'> = {}): string[] {
  return [`${validateCacheKeyPrefix(prefix, 'cache-key-prefix', formatVersion)}-${formatPart(formatVersion)}-`];
}
