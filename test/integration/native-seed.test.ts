// Native SQL seed files against the real MariaDB of the harness.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { runNativeSeed, resolveSeedFiles } from '../../src/seed/native-seed.js';
import { NotFoundError, OlympiaError } from '../../src/core/errors.js';

describe('native seed', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let conn: mysql.Connection;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olympia-seed-'));
    await mkdir(join(dir, 'seed'));
    await writeFile(join(dir, 'schema.sql'), 'CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(50));\n');
    await writeFile(join(dir, 'seed', '02_more.sql'), "INSERT INTO t VALUES (3, 'c');\n");
    await writeFile(join(dir, 'seed', '01_first.sql'), "-- rows\nINSERT INTO t VALUES (1, 'a;1');\nINSERT INTO t VALUES (2, 'it''s');\n");
    await writeFile(join(dir, 'seed', 'notes.txt'), 'not SQL');
    await writeFile(join(dir, 'broken.sql'), "INSERT INTO t VALUES (10, 'x');\nINSERT INTO t\n  VALUES (1, 'duplicate');\nINSERT INTO t VALUES (11, 'never');\n");
    await writeFile(join(dir, 'unterminated.sql'), "INSERT INTO t VALUES (20, 'oops);\n");
    db = await freshDatabase('seed');
    conn = await mysql.createConnection({ uri: db.url });
  });
  after(async () => {
    await conn.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('files run in the configured order, a glob sorted by name, each file once', async () => {
    assert.deepEqual(
      (await resolveSeedFiles(dir, ['schema.sql', 'seed/*.sql', 'seed/01_first.sql'])).map((p) => p.slice(dir.length + 1)),
      ['schema.sql', 'seed/01_first.sql', 'seed/02_more.sql'],
    );
    const infos: string[] = [];
    const r = await runNativeSeed(conn, { projectDir: dir, files: ['schema.sql', 'seed/*.sql'], reporter: { info: (m) => infos.push(m), warn() {} } });
    assert.deepEqual(r.paths, ['schema.sql', 'seed/01_first.sql', 'seed/02_more.sql']);
    assert.equal(r.files, 3);
    assert.equal(r.statements, 4);
    assert.ok(infos.some((m) => m.startsWith('Seeded from seed/01_first.sql: 2 statements')));
    const [rows] = await conn.query('SELECT id, s FROM t ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, s: 'a;1' },
      { id: 2, s: "it's" },
      { id: 3, s: 'c' },
    ]);
  });

  test('a failing statement names the file and the statement, and stops there', async () => {
    await assert.rejects(runNativeSeed(conn, { projectDir: dir, files: ['broken.sql'] }), (e: unknown) => {
      assert.ok(e instanceof OlympiaError);
      assert.match(e.message, /^Seed file broken\.sql failed at statement 2 \(INSERT INTO t\): .*Duplicate entry/);
      return true;
    });
    const [rows] = await conn.query('SELECT id FROM t WHERE id >= 10 ORDER BY id');
    assert.deepEqual(rows, [{ id: 10 }]);
  });

  test('a file that is not valid SQL to the end says so, naming the file', async () => {
    await assert.rejects(runNativeSeed(conn, { projectDir: dir, files: ['unterminated.sql'] }), /Seed file unterminated\.sql cannot be read as SQL: .*unterminated quoted string/);
  });

  test('a missing file or a pattern matching nothing is a not-found error naming it', async () => {
    await assert.rejects(
      runNativeSeed(conn, { projectDir: dir, files: ['nope.sql'] }),
      (e: unknown) => e instanceof NotFoundError && /seed file .*nope\.sql does not exist/.test(e.message),
    );
    await assert.rejects(
      runNativeSeed(conn, { projectDir: dir, files: ['seed/*.sqlx'] }),
      (e: unknown) => e instanceof NotFoundError && /"seed\/\*\.sqlx" matches no files/.test(e.message),
    );
    await assert.rejects(runNativeSeed(conn, { projectDir: dir, files: [] }), /No seed files are configured/);
  });
});
