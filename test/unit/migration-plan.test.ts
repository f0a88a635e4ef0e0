import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planMigrations, sha256, type AppliedMigration, type MigrationFile } from '../../src/migrate/native-migrations.js';

function file(name: string, sql = `-- ${name}`): MigrationFile {
  return { name, path: `/m/${name}`, sql, sha256: sha256(sql) };
}
function applied(f: MigrationFile, sql?: string): AppliedMigration {
  return { name: f.name, sha256: sql === undefined ? f.sha256 : sha256(sql), appliedAt: new Date(0) };
}
const names = (fs: MigrationFile[]) => fs.map((f) => f.name);

describe('planMigrations', () => {
  const a = file('0001_a.sql');
  const b = file('0002_b.sql');
  const c = file('0003_c.sql');

  test('on a new database everything is pending, in order', () => {
    const p = planMigrations([a, b, c], []);
    assert.deepEqual(names(p.pending), ['0001_a.sql', '0002_b.sql', '0003_c.sql']);
    assert.deepEqual(p.skipped, []);
  });

  test('applied files with the same content are skipped, new ones pending', () => {
    const p = planMigrations([a, b, c], [applied(a), applied(b)]);
    assert.deepEqual(names(p.skipped), ['0001_a.sql', '0002_b.sql']);
    assert.deepEqual(names(p.pending), ['0003_c.sql']);
    assert.deepEqual(p.edited, []);
    assert.deepEqual(p.outOfOrder, []);
  });

  test('an applied file whose content changed is reported as edited', () => {
    const p = planMigrations([a, b], [applied(a), applied(b, 'the old content')]);
    assert.deepEqual(names(p.edited), ['0002_b.sql']);
    assert.deepEqual(p.pending, []);
  });

  test('a new file sorting before an applied one is pending and flagged out of order', () => {
    const p = planMigrations([a, b, c], [applied(a), applied(c)]);
    assert.deepEqual(names(p.pending), ['0002_b.sql']);
    assert.deepEqual(names(p.outOfOrder), ['0002_b.sql']);
  });

  test('recorded migrations missing from the directory are listed as unknown', () => {
    const p = planMigrations([a], [applied(a), { name: '0009_future.sql', sha256: 'x', appliedAt: new Date(0) }]);
    assert.deepEqual(p.unknown, ['0009_future.sql']);
    assert.deepEqual(p.outOfOrder, []);
  });
});

test('lineOf finds the line a failing statement starts on', async () => {
  const { lineOf } = await import('../../src/migrate/native-migrations.js');
  const text = '-- header\nCREATE TABLE a (id INT);\n\nALTER TABLE a\n  ADD COLUMN b INT;\n';
  assert.equal(lineOf(text, 'ALTER TABLE a\n  ADD COLUMN b INT'), 4);
  assert.equal(lineOf(text, 'DROP TABLE nowhere'), undefined);
});
