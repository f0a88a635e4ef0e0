// A dump connection has the server send its rows in large writes: seen as the server's own socket
// writes (strace on the harness's server), on such a connection, on a plain one, and in a dump.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/mysql/connection-url.js';
import { WIDE_SERVER_WRITES } from '../../src/mysql/server-write-buffer.js';
import { freshDatabase, localServerPid } from '../harness/mariadb.js';
import { runCli } from '../support/cli.js';

const serverPid = localServerPid();
const traceable = serverPid !== undefined && spawnSync('strace', ['-f', '-o', '/dev/null', 'true']).status === 0;
const ROWS = 4000;
const ROW_BYTES = 1000;
const TABLE_BYTES = ROWS * ROW_BYTES;

interface Write {
  /** The client's port at the other end of the server's socket. */
  port: number;
  bytes: number;
}

describe('dump connections: the server writes rows 1 MB at a time', {
  skip: traceable ? false : 'needs strace and the harness\'s own server (not OLYMPIA_TEST_DATABASE_URL)',
}, () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let traces = 0;

  before(async () => {
    db = await freshDatabase('wide');
    dir = await mkdtemp(join(tmpdir(), 'olympia-wide-'));
    const c = await connect(parseDatabaseUrl(db.url));
    await c.query(`CREATE TABLE t (id INT PRIMARY KEY, body VARCHAR(${ROW_BYTES}))`);
    const values = Array.from({ length: ROWS }, (_, i) => `(${i}, REPEAT('x', ${ROW_BYTES}))`);
    await c.query(`INSERT INTO t VALUES ${values.join(',')}`);
    await c.end();
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The server's socket writes (to any client: other test files run at once) while `work` runs. */
  async function serverWrites(work: () => Promise<void>): Promise<Write[]> {
    const log = join(dir, `strace-${++traces}.txt`);
    const strace = spawn('strace', ['-f', '-yy', '-e', 'trace=sendto,write,writev,sendmsg', '-o', log, '-p', String(serverPid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    // strace says so on stderr once it has attached to the server's threads.
    await new Promise<void>((ok, fail) => {
      let said = '';
      strace.stderr.on('data', (d: Buffer) => {
        said += d.toString();
        if (/attached/.test(said)) ok();
      });
      strace.on('exit', (code) => fail(new Error(`strace exited (${code}): ${said}`)));
    });
    try {
      await work();
    } finally {
      const exited = new Promise((ok) => strace.on('exit', ok));
      strace.kill('SIGINT');
      await exited;
    }
    const writes: Write[] = [];
    for (const m of (await readFile(log, 'utf8')).matchAll(/->127\.0\.0\.1:(\d+)\]>.*= (\d+)$/gm)) writes.push({ port: Number(m[1]), bytes: Number(m[2]) });
    return writes;
  }

  /** The server's writes to one connection while it reads the whole table. */
  async function tableWrites(conn: Connection): Promise<number[]> {
    const { localPort } = (conn as unknown as { connection: { stream: { localPort: number } } }).connection.stream;
    const writes = await serverWrites(async () => {
      const [rows] = await conn.query('SELECT id, body FROM t ORDER BY id');
      assert.equal((rows as unknown[]).length, ROWS);
    });
    return writes.filter((w) => w.port === localPort).map((w) => w.bytes);
  }

  test('a plain connection gets the default 16 KB writes; one opened for bulk reads few of about 1 MB', async () => {
    const plain = await connect(parseDatabaseUrl(db.url));
    const wide = await connect(parseDatabaseUrl(db.url), { wideServerWrites: true });
    try {
      const before = await tableWrites(plain);
      assert.ok(before.length >= TABLE_BYTES / (16 << 10), `${before.length} writes`);
      assert.ok(Math.max(...before) <= 16 << 10, `largest write ${Math.max(...before)} bytes`);

      const after = await tableWrites(wide);
      assert.ok(Math.max(...after) >= WIDE_SERVER_WRITES, `largest write ${Math.max(...after)} bytes`);
      // A write the socket takes only in part is finished by further, smaller ones.
      assert.ok(after.length < before.length / 8, `${after.length} writes against ${before.length}`);
      assert.ok(after.reduce((a, b) => a + b, 0) >= TABLE_BYTES);
    } finally {
      await plain.end();
      await wide.end();
    }
  });

  test('a dump reads its table through such writes', async () => {
    const backups = join(dir, 'backups');
    const writes = await serverWrites(async () => {
      const r = await runCli(['dump', '--name', 'wide', '--jobs', '1', '--backup-dir', backups, '--database-url', db.url]);
      assert.equal(r.code, 0, r.stderr);
    });
    // Other test files may dump at the same time, but only a connection opened this way gets such writes.
    const large = writes.filter((w) => w.bytes >= WIDE_SERVER_WRITES);
    assert.ok(large.length >= 2, `${large.length} writes of 1 MB or more`);
  });
});
