import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allFiles, MANIFEST_FORMAT, MANIFEST_VERSION, totalBytes, totalRows, validateManifest, type Manifest } from '../../src/backup/manifest.js';
import { IntegrityError } from '../../src/core/errors.js';

const SHA = 'a'.repeat(64);

function valid(): Manifest {
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    name: 'x',
    createdAt: '2026-01-31T12:00:00.000Z',
    toolVersion: '0.1.0',
    server: { version: '10.11.6-MariaDB' },
    database: 'olympia',
    tables: [
      {
        name: 'addons',
        createSql: 'CREATE TABLE `addons` (\n  `id` int NOT NULL\n)',
        columns: ['id'],
        bitColumns: [],
        rows: 5,
        files: [
          { path: 'data/addons.00000.tsv', rows: 3, size: 30, sha256: SHA },
          { path: 'data/addons.00001.tsv', rows: 2, size: 20, sha256: SHA },
        ],
      },
      {
        name: 'empty',
        createSql: 'CREATE TABLE `empty` (`k` int)',
        columns: ['k'],
        bitColumns: [],
        rows: 0,
        files: [{ path: 'data/empty.00000.tsv', rows: 0, size: 0, sha256: SHA }],
      },
    ],
    views: [{ name: 'v', createSql: 'CREATE VIEW v AS SELECT 1' }],
    triggers: [],
    storage: { files: [{ path: 'storage/a/b.png', size: 7, sha256: SHA }] },
    durationMs: 12,
  };
}

/** A deep copy of a valid manifest with one change applied. */
function mutated(change: (m: Record<string, any>) => void): unknown {
  const m = JSON.parse(JSON.stringify(valid()));
  change(m);
  return m;
}

function invalid(raw: unknown, message: RegExp): void {
  assert.throws(
    () => validateManifest(raw, '/b/x/manifest.json'),
    (e: unknown) => e instanceof IntegrityError && e.exitCode === 4 && e.message.startsWith('/b/x/manifest.json') && message.test(e.message),
    `expected an IntegrityError matching ${message}`,
  );
}

describe('manifest validation', () => {
  test('a complete manifest is accepted and summarised', () => {
    const m = validateManifest(valid(), 'm');
    assert.equal(totalRows(m), 5);
    assert.equal(totalBytes(m), 57);
    assert.deepEqual(
      allFiles(m).map((f) => f.path),
      ['data/addons.00000.tsv', 'data/addons.00001.tsv', 'data/empty.00000.tsv', 'storage/a/b.png'],
    );
    assert.doesNotThrow(() =>
      validateManifest(
        mutated((m) => (m.storage = null)),
        'm',
      ),
    );
  });

  test('not an object, or not ours', () => {
    invalid(undefined, /not a JSON object/);
    invalid(null, /not a JSON object/);
    invalid('text', /not a JSON object/);
    invalid([1], /"format"/);
    invalid(
      mutated((m) => (m.format = 'mydumper')),
      /"format" is "mydumper"/,
    );
    invalid(
      mutated((m) => delete m.format),
      /"format" is undefined/,
    );
  });

  test('format versions: missing or invalid is damaged; newer asks for an upgrade', () => {
    invalid(
      mutated((m) => delete m.formatVersion),
      /"formatVersion"/,
    );
    invalid(
      mutated((m) => (m.formatVersion = '1')),
      /"formatVersion"/,
    );
    invalid(
      mutated((m) => (m.formatVersion = 0)),
      /"formatVersion"/,
    );
    invalid(
      mutated((m) => (m.formatVersion = 1.5)),
      /"formatVersion"/,
    );
    assert.throws(
      () =>
        validateManifest(
          mutated((m) => (m.formatVersion = MANIFEST_VERSION + 1)),
          'm',
        ),
      (e: unknown) => e instanceof IntegrityError && /Upgrade olympia-data/.test(e.hint ?? ''),
    );
  });

  test('required fields', () => {
    for (const key of ['name', 'createdAt', 'toolVersion', 'database', 'tables', 'views', 'triggers']) {
      invalid(
        mutated((m) => delete m[key]),
        new RegExp(`"${key}" is missing`),
      );
    }
    invalid(
      mutated((m) => delete m.storage),
      /"storage" is malformed/,
    );
    invalid(
      mutated((m) => (m.storage = { files: 'x' })),
      /"storage" is malformed/,
    );
  });

  test('unsafe or odd file paths are refused', () => {
    for (const p of ['../x', '/etc/passwd', 'data/../../x', 'data/./x', 'data//x', '', 'data\\x', 'a\0b', './data/x', 'data/x/']) {
      invalid(
        mutated((m) => (m.tables[0].files[0].path = p)),
        /unsafe file path/,
      );
    }
    invalid(
      mutated((m) => (m.tables[0].files[0].path = 42)),
      /unsafe file path/,
    );
    invalid(
      mutated((m) => (m.storage.files[0].path = '../outside')),
      /unsafe file path/,
    );
    invalid(
      mutated((m) => (m.storage.files[0].path = 'data/addons.tsv')),
      /outside storage\//,
    );
  });

  test('file entries need a size, a sha256 and (for data) a row count', () => {
    invalid(
      mutated((m) => (m.tables[0].files[0].size = -1)),
      /no valid size/,
    );
    invalid(
      mutated((m) => (m.tables[0].files[0].size = '30')),
      /no valid size/,
    );
    invalid(
      mutated((m) => (m.tables[0].files[0].sha256 = 'A'.repeat(64))),
      /no valid sha256/,
    );
    invalid(
      mutated((m) => (m.tables[0].files[0].sha256 = 'a'.repeat(63))),
      /no valid sha256/,
    );
    invalid(
      mutated((m) => delete m.tables[0].files[0].rows),
      /no valid row count/,
    );
    invalid(
      mutated((m) => (m.tables[0].files[0] = null)),
      /malformed file entry/,
    );
    invalid(
      mutated((m) => (m.tables[1].files[0].path = m.tables[0].files[0].path)),
      /twice/,
    );
  });

  test('table entries must be complete and their row counts must add up', () => {
    invalid(
      mutated((m) => delete m.tables[0].name),
      /table entry has no name/,
    );
    invalid(
      mutated((m) => (m.tables[0].createSql = 'DROP DATABASE olympia')),
      /no CREATE TABLE/,
    );
    invalid(
      mutated((m) => delete m.tables[0].columns),
      /no column list/,
    );
    invalid(
      mutated((m) => (m.tables[0].columns = ['id', 'x'.repeat(4 << 20)])),
      /malformed column list/,
    );
    invalid(
      mutated((m) => (m.tables[0].columns = [])),
      /malformed column list/,
    );
    invalid(
      mutated((m) => (m.tables[0].columns = Array.from({ length: 4097 }, (_, i) => `c${i}`))),
      /malformed column list/,
    );
    invalid(
      mutated((m) => (m.tables[0].columns = ['id', 7])),
      /malformed column list/,
    );
    invalid(
      mutated((m) => (m.tables[0].bitColumns = ['not_a_column'])),
      /malformed bit column list/,
    );
    invalid(
      mutated((m) => delete m.tables[0].rows),
      /no row count/,
    );
    invalid(
      mutated((m) => delete m.tables[0].files),
      /no file list/,
    );
    invalid(
      mutated((m) => (m.tables[0].rows = 6)),
      /counts 6 rows but its files hold 5/,
    );
    invalid(
      mutated((m) => (m.views[0] = { name: 'v' })),
      /views entry is malformed/,
    );
  });
});
