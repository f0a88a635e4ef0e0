import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CACHE_KEY_PREFIX, initCacheKey, initRestoreKeys, MAX_CACHE_KEY_LENGTH, maxPrefixLength, validateCacheKeyPrefix } from '../../src/core/cache-key.js';
import { UsageError } from '../../src/core/errors.js';
import { BACKUP_FORMAT_VERSION } from '../../src/core/format-version.js';

const HASH = '0123456789abcdef'.repeat(4);

describe('initCacheKey', () => {
  test('is <prefix>-v<format>-<migration hash>, with the default prefix', () => {
    assert.equal(initCacheKey({ migrationHash: HASH }), `${DEFAULT_CACHE_KEY_PREFIX}-v${BACKUP_FORMAT_VERSION}-${HASH}`);
    assert.equal(initCacheKey({ prefix: 'amo-mysql8', migrationHash: HASH, formatVersion: 3 }), `amo-mysql8-v3-${HASH}`);
  });

  test('starts with the restore-keys prefix of the same prefix and format, and no other', () => {
    const key = initCacheKey({ prefix: 'p', migrationHash: HASH });
    assert.ok(key.startsWith(initRestoreKeys({ prefix: 'p' })[0]));
    assert.ok(!key.startsWith(initRestoreKeys({ prefix: 'p', formatVersion: BACKUP_FORMAT_VERSION + 1 })[0]));
  });

  test('the longest allowed prefix gives a key of exactly the service limit', () => {
    const key = initCacheKey({ prefix: 'x'.repeat(maxPrefixLength()), migrationHash: HASH });
    assert.equal(key.length, MAX_CACHE_KEY_LENGTH);
  });

  test('rejects a migration hash that is not a sha256 digest', () => {
    assert.throws(() => initCacheKey({ migrationHash: 'abc' }));
  });
});

describe('validateCacheKeyPrefix', () => {
  const rejects = (prefix: string, fragment: string) => () =>
    assert.throws(
      () => validateCacheKeyPrefix(prefix),
      (e: unknown) => e instanceof UsageError && e.message.includes('cache-key-prefix') && e.message.includes(fragment),
    );
  test('a comma is a usage error naming the input', rejects('a,b', 'comma'));
  test('a prefix too long for the 512-character key is a usage error', rejects('x'.repeat(maxPrefixLength() + 1), `${maxPrefixLength()}`));
  test('an empty prefix is a usage error', rejects('', 'empty'));
  test('a line break is a usage error', rejects('a\nb', 'control character'));
  test('accepts ordinary prefixes', () => {
    assert.equal(validateCacheKeyPrefix('olympia/data_init-2'), 'olympia/data_init-2');
  });
  test('names the flag the user actually used', () => {
    assert.throws(() => validateCacheKeyPrefix('a,b', '--cache-key-prefix'), /--cache-key-prefix/);
  });
});
