// Cache keys for the `_init` backup in the GitHub Actions cache.
//
// Scheme: `<prefix>-<server>-v<backup format>-<migration hash>`, e.g.
// `olympia-data-init-mysql-8.0-v1-3f2a…` (64 hex digits). The server part (flavour and major.minor
// version) keeps a MariaDB `_init` from being restored into MySQL 8 and the other way round; it can be
// left out or set by the user. Incremental mode restores with the restore-keys prefix
// `<prefix>-<server>-v<format>-`: the service then returns the newest entry of any migration hash written
// in the same backup format for the same server.
//
// The runner OS is deliberately not part of the key: a backup is plain data files plus a manifest, portable
// between operating systems, and @actions/cache already keeps archives of different compression methods
// (and Windows, unless cross-OS is enabled) apart through the entry's version. Projects that want other
// separate entries (per branch…) say so in `cache-key-prefix`.
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
  /** The server part (serverKeyPart), or undefined to leave it out. */
  server?: string;
  migrationHash: string;
  formatVersion?: number;
}

/** `mysql-8.0`, `mariadb-10.11`: the server's flavour and major.minor version, from SELECT VERSION(). */
export function serverKeyPart(version: string): string {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return `${/mariadb/i.test(version) ? 'mariadb' : 'mysql'}-${m ? `${m[1]}.${m[2]}` : 'unknown'}`;
}

/** Checks a user-given server part (the cache-key-server input). */
export function validateServerPart(server: string, inputName = 'cache-key-server'): string {
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(server)) {
    throw new UsageError(
      `The ${inputName} input ${JSON.stringify(server)} is not usable in a cache key.`,
      'Use up to 40 letters, digits, ".", "_" or "-" (e.g. mysql-8.0), auto, or none.',
    );
  }
  return server;
}

function keyStem(prefix: string, server: string | undefined, formatVersion: number): string {
  return `${validateCacheKeyPrefix(prefix, 'cache-key-prefix', formatVersion)}${server ? `-${validateServerPart(server)}` : ''}-${formatPart(formatVersion)}-`;
}

/** The exact key of the `_init` backup for one migration hash. */
export function initCacheKey({ prefix = DEFAULT_CACHE_KEY_PREFIX, server, migrationHash, formatVersion = BACKUP_FORMAT_VERSION }: InitCacheKeyParts): string {
  if (!/^[0-9a-f]{64}$/.test(migrationHash)) throw new Error(`Not a sha256 hex digest: ${JSON.stringify(migrationHash)}`);
  const key = `${keyStem(prefix, server, formatVersion)}${migrationHash}`;
  if (key.length > MAX_CACHE_KEY_LENGTH)
    throw new UsageError(`The cache key would be ${key.length} characters long; at most ${MAX_CACHE_KEY_LENGTH} are allowed.`, 'Shorten cache-key-prefix.');
  return key;
}

/** Restore-keys for incremental mode: any `_init` of the same prefix, server and backup format, newest first. */
export function initRestoreKeys({ prefix = DEFAULT_CACHE_KEY_PREFIX, server, formatVersion = BACKUP_FORMAT_VERSION }: Omit<InitCacheKeyParts, 'migrationHash'> = {}): string[] {
  return [keyStem(prefix, server, formatVersion)];
}
