// A second private server (its own temp dir and port) next to the harness's, started, reused and stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort } from '../support/ports.js';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { UsageError } from '../../src/core/errors.js';
import { localMysqlPid, startLocalMysql, stopLocalMysql, type LocalMysqlOptions } from '../../src/services/mysql-local.js';

let PORT = 0;

// Characters a URL must escape, to prove the returned URL is usable as it is.
const PASSWORD = 'p@ss:w/rd%?';

async function query(url: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const c = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await c.query(sql);
    return rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
}

describe('local MySQL server', { timeout: 180_000 }, () => {
  let root: string;
  let opts: LocalMysqlOptions;
  before(async () => {
    PORT = Number(process.env.OLYMPIA_TEST_MYSQL_LOCAL_PORT ?? (await freePort()));
    root = mkdtempSync(join(tmpdir(), 'olympia-mysql-local-'));
    opts = { dir: join(root, 'server'), port: PORT, user: 'app', password: PASSWORD, database: 'olympia', bufferPoolSize: '64M' };
  });
  after(async () => {
    await stopLocalMysql(opts.dir).catch(() => undefined);
    await stopLocalMysql(join(root, 'busy')).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  test('starts a fresh server whose URL connects as the application user, with the database and local_infile on', async () => {
    const server = await startLocalMysql(opts);
    assert.equal(server.started, true);
    assert.match(server.url, new RegExp(`^mysql://app:[^@]+@127\\.0\\.0\\.1:${PORT}/olympia$`));
    const [row] = await query(
      server.url,
      'SELECT DATABASE() AS db, CURRENT_USER() AS who, @@local_infile AS local_infile, @@innodb_buffer_pool_size AS pool, @@character_set_server AS cs',
    );
    assert.deepEqual(row, { db: 'olympia', who: 'app@%', local_infile: 1, pool: 64 * 1024 * 1024, cs: 'utf8mb4' });
    await query(server.url, 'CREATE TABLE kept (id INT PRIMARY KEY)');
    await query(server.url, 'INSERT INTO kept VALUES (1), (2)');
  });

  test('a second call reuses the running server', async () => {
    const before = localMysqlPid(opts.dir);
    const again = await startLocalMysql(opts);
    assert.equal(again.started, false);
    assert.equal(again.pid, before);
    assert.deepEqual(await query(again.url, 'SELECT COUNT(*) AS n FROM kept'), [{ n: 2 }]);
  });

  test('the running server is never handed out under another port', async () => {
    const other = PORT === 65535 ? PORT - 1 : PORT + 1;
    await assert.rejects(startLocalMysql({ ...opts, port: other }), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, `This project's local MySQL server already runs on port ${PORT}, not ${other}.`);
      return true;
    });
  });

  test('a changed password takes effect on the running server, and the old one stops working', async () => {
    const changed = await startLocalMysql({ ...opts, password: 'another-one' });
    assert.equal(changed.started, false);
    assert.deepEqual(await query(changed.url, 'SELECT 1 AS ok'), [{ ok: 1 }]);
    const back = await startLocalMysql(opts);
    assert.deepEqual(await query(back.url, 'SELECT 1 AS ok'), [{ ok: 1 }]);
    await assert.rejects(query(changed.url, 'SELECT 1'), /Access denied/);
  });

  test('stop ends the server and keeps the data; a restart finds it', async () => {
    const url = (await startLocalMysql(opts)).url;
    assert.equal(await stopLocalMysql(opts.dir), true);
    assert.equal(localMysqlPid(opts.dir), undefined);
    await assert.rejects(query(url, 'SELECT 1'), /ECONNREFUSED/);
    assert.equal(await stopLocalMysql(opts.dir), false, 'nothing left to stop');

    const restarted = await startLocalMysql(opts);
    assert.equal(restarted.started, true);
    assert.deepEqual(await query(restarted.url, 'SELECT COUNT(*) AS n FROM kept'), [{ n: 2 }]);
  });

  test('a port already in use is refused before launching, naming the way to another port, and leaves no server behind', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as { port: number }).port;
    const busy = join(root, 'busy');
    try {
      await assert.rejects(startLocalMysql({ ...opts, dir: busy, port, timeoutMs: 60_000 }), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(e.message, `Port ${port} on 127.0.0.1 is in use by another program, so the local MySQL server cannot start there.`);
        assert.match(e.hint!, /--database-url mysql:\/\/olympia:PASSWORD@127\.0\.0\.1:PORT\/DATABASE/);
        assert.ok(!e.message.includes(PASSWORD));
        return true;
      });
    } finally {
      squatter.close();
    }
    assert.equal(localMysqlPid(busy), undefined);
  });

  test('bad options are usage errors before anything starts', async () => {
    await assert.rejects(startLocalMysql({ ...opts, dir: join(root, 'never'), user: "x'; DROP" }), UsageError);
    await assert.rejects(startLocalMysql({ ...opts, dir: join(root, 'never'), password: '' }), UsageError);
    await assert.rejects(startLocalMysql({ ...opts, dir: join(root, 'never'), bufferPoolSize: 'lots' }), UsageError);
  });
});
