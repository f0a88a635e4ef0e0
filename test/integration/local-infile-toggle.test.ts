// --enable-local-infile, on a private server of its own (toggling local_infile on the shared test
// server would change how other test files load): with local_infile off a load uses INSERTs; asked
// to, it turns local_infile on for itself (LOAD DATA then runs) and off again, saying so both times.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { BackupStore } from '../../src/backup/store.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import type { Reporter } from '../../src/core/reporter.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { startLocalMysql, stopLocalMysql, type LocalMysqlOptions } from '../../src/services/mysql-local.js';
import { freePort } from '../support/ports.js';

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m: string) => void lines.push(`info: ${m}`), warn: (m: string) => void lines.push(`warn: ${m}`) };
}

describe('--enable-local-infile', { timeout: 180_000 }, () => {
  let root: string;
  let opts: LocalMysqlOptions;
  let url: string;
  const store = () => new BackupStore(join(root, 'backups'));
  const name = parseBackupName('small');

  async function query<T>(sql: string): Promise<T[]> {
    const c = await mysql.createConnection({ uri: url });
    try {
      return (await c.query(sql))[0] as T[];
    } finally {
      await c.end();
    }
  }
  const infile = async () => Number((await query<{ v: number }>('SELECT @@GLOBAL.local_infile AS v'))[0].v);
  const loadDataStatements = async () => Number((await query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Com_load'"))[0].Value);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'olympia-infile-'));
    opts = { dir: join(root, 'server'), port: await freePort(), user: 'app', password: 'infile-test-pw', database: 'olympia', bufferPoolSize: '64M' };
    url = (await startLocalMysql(opts)).url;
    await query('CREATE TABLE olympia.items (id INT PRIMARY KEY, name VARCHAR(20) UNIQUE, note TEXT)');
    await query("INSERT INTO olympia.items VALUES (1, 'one', 'a\\tb'), (2, 'two', NULL), (3, 'three', 'ünï')");
    await dump({ target: parseDatabaseUrl(url), store: store(), name, jobs: 2, reporter: recorder() });
    await query('SET GLOBAL local_infile = 0');
  });
  after(async () => {
    await stopLocalMysql(opts.dir).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  test('without it, a server with local_infile off gets INSERTs, and says why', async () => {
    const r = recorder();
    const before = await loadDataStatements();
    await load({ target: { ...parseDatabaseUrl(url), database: 'copy_plain' }, store: store(), name, jobs: 2, reporter: r });
    assert.ok(
      r.lines.some((l) => /^warn: The server has local_infile off, so rows are loaded with INSERT statements/.test(l)),
      r.lines.join('\n'),
    );
    assert.equal(await loadDataStatements(), before, 'no LOAD DATA ran');
    assert.equal(await infile(), 0);
    assert.deepEqual(await query('SELECT id, name, note FROM copy_plain.items ORDER BY id'), await query('SELECT id, name, note FROM olympia.items ORDER BY id'));
  });

  test('with it, the load turns local_infile on for LOAD DATA and off again, in the log', async () => {
    const r = recorder();
    const before = await loadDataStatements();
    await load({ target: { ...parseDatabaseUrl(url), database: 'copy_fast' }, store: store(), name, jobs: 2, reporter: r, enableLocalInfile: true });
    assert.ok(r.lines.includes("info: Turned the server's local_infile on for this load (--enable-local-infile); it is turned off again when the load ends."), r.lines.join('\n'));
    assert.ok(r.lines.includes("info: Turned the server's local_infile off again."), r.lines.join('\n'));
    assert.ok(!r.lines.some((l) => /INSERT statements/.test(l)), r.lines.join('\n'));
    assert.ok((await loadDataStatements()) > before, 'LOAD DATA ran');
    assert.equal(await infile(), 0, 'turned off again');
    assert.deepEqual(await query('SELECT id, name, note FROM copy_fast.items ORDER BY id'), await query('SELECT id, name, note FROM olympia.items ORDER BY id'));
  });

  test('a user who may not set it gets a warning and INSERTs; nothing else changes', async () => {
    await query("CREATE USER 'plain'@'%' IDENTIFIED BY 'plain-pw'");
    // Everything a load needs on any database, but no SUPER (nor CREATE USER: its SQL runs checked).
    await query("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, REFERENCES, CREATE VIEW, SHOW VIEW, TRIGGER, LOCK TABLES ON *.* TO 'plain'@'%'");
    const r = recorder();
    const target = { ...parseDatabaseUrl(url), user: 'plain', password: 'plain-pw', database: 'copy_limited' };
    await load({ target, store: store(), name, jobs: 2, reporter: r, enableLocalInfile: true });
    assert.ok(
      r.lines.some((l) => /^warn: --enable-local-infile: the server refused to turn local_infile on \(.+\), so rows are loaded with INSERT statements\.$/.test(l)),
      r.lines.join('\n'),
    );
    assert.equal(await infile(), 0);
    assert.equal(Number((await query<{ n: number }>('SELECT COUNT(*) AS n FROM copy_limited.items'))[0].n), 3);
  });
});
