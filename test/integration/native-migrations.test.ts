// Native SQL migrations against the real MariaDB of the harness.
import { describe, test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { listPendingMigrations, readAppliedMigrations, runNativeMigrations, MIGRATIONS_TABLE } from '../../src/migrate/native-migrations.js';
import { NotFoundError, OlympiaError } from '../../src/core/errors.js';

async function tables(conn: mysql.Connection): Promise<string[]> {
  const [rows] = await conn.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
  return (rows as Array<{ t: string }>).map((r) => r.t);
}

describe('native migrations', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let conn: mysql.Connection;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olympia-migrations-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    db = await freshDatabase('mig');
    conn = await mysql.createConnection({ uri: db.url });
  });
  afterEach(async () => {
    await conn.end();
    await db.drop();
  });

  const M1 = `-- users first
CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(50) NOT NULL DEFAULT 'it''s; fine');
INSERT INTO users (name) VALUES ('a;b'), ("c");
`;
  const M2 = `CREATE TABLE addons (id INT PRIMARY KEY, user_id INT NOT NULL, FOREIGN KEY (user_id) REFERENCES users (id));
DELIMITER ;;
CREATE TRIGGER addons_bi BEFORE INSERT ON addons FOR EACH ROW BEGIN
  SET NEW.id = NEW.id + 1000;
END;;
DELIMITER ;
`;

  test('pending migrations apply once, in name order, and a second run skips them all', async () => {
    // Written out of order: the name decides.
    await writeFile(join(dir, '0002_addons.sql'), M2);
    await writeFile(join(dir, '0001_users.sql'), M1);
    await writeFile(join(dir, 'README.md'), 'not a migration');

    assert.deepEqual(
      (await listPendingMigrations(conn, dir)).map((m) => m.name),
      ['0001_users.sql', '0002_addons.sql'],
    );
    const infos: string[] = [];
    const first = await runNativeMigrations(conn, dir, { reporter: { info: (m) => infos.push(m), warn: (m) => infos.push(m) } });
    assert.equal(first.error, undefined);
    assert.deepEqual(
      first.results.map((r) => [r.name, r.status]),
      [
        ['0001_users.sql', 'applied'],
        ['0002_addons.sql', 'applied'],
      ],
    );
    assert.ok(infos.some((m) => m.includes('Applied migration 0001_users.sql')));
    assert.deepEqual(await tables(conn), ['addons', MIGRATIONS_TABLE, 'users']);
    const [users] = await conn.query('SELECT name FROM users ORDER BY id');
    assert.deepEqual(users, [{ name: 'a;b' }, { name: 'c' }]);
    await conn.query('INSERT INTO addons (id, user_id) VALUES (1, 1)');
    const [addons] = await conn.query('SELECT id FROM addons');
    assert.deepEqual(addons, [{ id: 1001 }], 'the trigger from the DELIMITER block exists');

    const applied = await readAppliedMigrations(conn);
    assert.deepEqual(
      applied.map((a) => a.name),
      ['0001_users.sql', '0002_addons.sql'],
    );
    assert.match(applied[0]!.sha256, /^[0-9a-f]{64}$/);

    assert.deepEqual(await listPendingMigrations(conn, dir), []);
    const second = await runNativeMigrations(conn, dir);
    assert.equal(second.error, undefined);
    assert.deepEqual(
      second.results.map((r) => r.status),
      ['skipped', 'skipped'],
    );
    const [count] = await conn.query('SELECT COUNT(*) AS n FROM users');
    assert.deepEqual(count, [{ n: 2 }], 'the data migration did not run twice');

    await writeFile(join(dir, '0003_more.sql'), 'ALTER TABLE users ADD COLUMN email VARCHAR(100) NULL;');
    assert.deepEqual(
      (await listPendingMigrations(conn, dir)).map((m) => m.name),
      ['0003_more.sql'],
    );
    const third = await runNativeMigrations(conn, dir);
    assert.deepEqual(
      third.results.map((r) => r.status),
      ['skipped', 'skipped', 'applied'],
    );
  });

  test('an applied file that was edited is refused by name and nothing is applied', async () => {
    await writeFile(join(dir, '0001_users.sql'), M1);
    assert.equal((await runNativeMigrations(conn, dir)).error, undefined);

    await writeFile(join(dir, '0001_users.sql'), M1.replace('VARCHAR(50)', 'VARCHAR(60)'));
    await writeFile(join(dir, '0002_addons.sql'), M2);
    const run = await runNativeMigrations(conn, dir);
    assert.ok(run.error instanceof OlympiaError);
    assert.match(run.error.message, /0001_users\.sql was changed after being applied/);
    assert.deepEqual(run.results, []);
    assert.deepEqual(await tables(conn), [MIGRATIONS_TABLE, 'users'], '0002 was not applied');
    await assert.rejects(listPendingMigrations(conn, dir), /0001_users\.sql was changed/);
  });

  test('a failing migration stops the run naming the file and statement; earlier ones stay recorded', async () => {
    await writeFile(join(dir, '0001_users.sql'), M1);
    await writeFile(join(dir, '0002_broken.sql'), 'CREATE TABLE ok_part (id INT);\nALTER TABLE no_such_table\n  ADD COLUMN x INT;\nCREATE TABLE never (id INT);\n');
    await writeFile(join(dir, '0003_after.sql'), 'CREATE TABLE after_broken (id INT);');

    const run = await runNativeMigrations(conn, dir);
    assert.ok(run.error);
    assert.match(run.error.message, /Migration 0002_broken\.sql failed at statement 2 of 3 \(ALTER TABLE no_such_table\): .*no_such_table/);
    assert.deepEqual(
      run.results.map((r) => [r.name, r.status]),
      [
        ['0001_users.sql', 'applied'],
        ['0002_broken.sql', 'failed'],
      ],
    );
    assert.equal(run.results[1]!.error, run.error);
    assert.deepEqual(
      (await readAppliedMigrations(conn)).map((a) => a.name),
      ['0001_users.sql'],
    );
    assert.ok(!(await tables(conn)).includes('after_broken'));
    assert.deepEqual(
      (await listPendingMigrations(conn, dir)).map((m) => m.name),
      ['0002_broken.sql', '0003_after.sql'],
    );
  });

  test('a missing migrations directory is a not-found error naming it', async () => {
    const run = await runNativeMigrations(conn, join(dir, 'nope'));
    assert.ok(run.error instanceof NotFoundError);
    assert.match(run.error.message, /migrations directory .*nope does not exist/);
  });
});
