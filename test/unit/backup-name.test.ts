import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INIT_BACKUP, MAX_NAME_LENGTH, parseBackupName, timestampName } from '../../src/core/backup-name.js';
import { UsageError } from '../../src/core/errors.js';

function rejects(input: string, message: RegExp): void {
  assert.throws(
    () => parseBackupName(input),
    (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message) && /letters, digits/.test(e.hint ?? ''),
    `expected ${JSON.stringify(input)} to be rejected with ${message}`,
  );
}

describe('backup names', () => {
  test('accepts letters, digits, "_", "." and "-", including the seed name _init', () => {
    for (const ok of ['a', '_init', '2026-01-31', 'before-upgrade', 'v1.2.3', 'A_b-C.d', 'x'.repeat(MAX_NAME_LENGTH)]) {
      assert.equal(parseBackupName(ok), ok);
    }
    assert.equal(parseBackupName(INIT_BACKUP), '_init');
  });

  test('rejects empty, "." and ".."', () => {
    rejects('', /empty/);
    rejects('.', /names a directory/);
    rejects('..', /names a directory/);
  });

  test('rejects path separators and absolute paths, naming the problem', () => {
    rejects('a/b', /path separator/);
    rejects('../x', /path separator/);
    rejects('/abs', /path separator/);
    rejects('/', /path separator/);
    rejects('a\\b', /path separator/);
    rejects('C:\\x', /"C:\\\\x"/);
  });

  test('rejects control characters, spaces and other punctuation', () => {
    for (const c of ['\x00', '\x01', '\t', '\n', '\r', '\x1b', '\x7f']) rejects(`a${c}b`, /control character/);
    rejects('a b', /character " "/);
    rejects('a*', /character "\*"/);
    rejects('naïve', /character "ï"/);
    rejects('emoji🦊', /character/);
  });

  test('rejects names over 128 characters, saying how long', () => {
    rejects('x'.repeat(MAX_NAME_LENGTH + 1), /129 characters long; the limit is 128/);
  });

  test('rejects leading dots, which the store uses for temporary and lock files', () => {
    rejects('.hidden', /starts with "\."/);
    rejects('.x.tmp-1-abcdef01', /starts with "\."/);
  });

  test('the default name is a valid, sortable UTC timestamp', () => {
    const a = timestampName(new Date('2026-01-31T12:00:00.123Z'));
    assert.equal(a, '20260131T120000Z');
    assert.equal(parseBackupName(a), a);
    assert.ok(timestampName(new Date('2026-01-31T12:00:01Z')) > a);
  });
});
