// A big dump's connections have the server send their rows in large writes, a small dump's do not:
// seen as the server's own socket writes (strace on the harness's server), on a widened connection,
// on a plain one, and in dumps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { WIDE_SERVER_WRITES, widenServerWrites } from '../../src/mysql/server-write-buffer.js';
import { WIDE_WRITES_MIN_BYTES } from '../../src/dump/chunk-plan.js';
import { freshDatabase, localServerPid } from '../harness/mariadb.js';
import { runCli } from '../support/cli.js';

const serverPid = localServerPid();
/** Whether strace can attach to the server: it runs detached, so ptrace rules may forbid it. */
function canTraceServer(): boolean {
  if (serverPid === undefined) return false;
  const probe = spawnSync('timeout', ['-s', 'INT', '0.5', 'strace', '-qq', '-e', 'trace=none', '-o', '/dev/null', '-p', String(serverPid)], { encoding: 'utf8' });
  return probe.error === undefined && !/ptrace|not permitted|No such process/i.test(probe.stderr ?? '');
}
const traceable = canTraceServer();
const ROWS = 4000;
const ROW_BYTES = 1000;
const TABLE_BYTES = ROWS * ROW_BYTES;

interface Write {
  /** The client's port at the other end of the server's socket. */
  port: number;
  bytes: number;
}

/** The local ports of a client's sockets to the server, from its strace -yy log. */
async function clientPorts(log: string, serverPort: number): Promise<Set<number>> {
  const sockets = new RegExp(`TCP:\\[127\\.0\\.0\\.1:(\\d+)->127\\.0\\.0\\.1:${serverPort}\\]`, 'g');
  return new Set([...(await readFile(log, 'utf8')).matchAll(sockets)].map((m) => Number(m[1])));
}

describe(
  'dump connections: the server writes rows 1 MB at a time',
  {
    skip: traceable ? false : "needs strace, allowed to attach to the harness's own server (not OLYMPIA_TEST_DATABASE_URL)",
  },
  () => {
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
      const prefix = `server-${++traces}`;
      // -ff: a file per thread, so no write is split into "unfinished" and "resumed" lines.
      const strace = spawn('strace', ['-ff', '-yy', '-e', 'trace=sendto,write,writev,sendmsg', '-o', join(dir, prefix), '-p', String(serverPid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const exited = new Promise<number | null>((ok) => strace.on('exit', ok));
      // strace says so on stderr once it has attached to the server's threads.
      await new Promise<void>((ok, fail) => {
        let said = '';
        strace.stderr.on('data', (d: Buffer) => {
          said += d.toString();
          if (/attached/.test(said)) ok();
        });
        void exited.then((code) => fail(new Error(`strace exited (${code}): ${said}`)));
      });
      try {
        await work();
      } finally {
        strace.kill('SIGINT');
        await exited;
      }
      const writes: Write[] = [];
      for (const f of (await readdir(dir)).filter((n) => n.startsWith(`${prefix}.`))) {
        for (const m of (await readFile(join(dir, f), 'utf8')).matchAll(/->127\.0\.0\.1:(\d+)\]>.*= (\d+)$/gm)) writes.push({ port: Number(m[1]), bytes: Number(m[2]) });
      }
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

    test('a plain connection gets the default 16 KB writes; one widened for bulk reads few of about 1 MB', async () => {
      const plain = await connect(parseDatabaseUrl(db.url));
      const wide = await connect(parseDatabaseUrl(db.url));
      await widenServerWrites(wide);
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

    /** The server's writes to a dump's own connections (their local ports, from the dump's side, pick them out). */
    async function dumpWrites(name: string): Promise<number[]> {
      const clientLog = join(dir, `client-${name}.txt`);
      const writes = await serverWrites(async () => {
        const r = await runCli(['dump', '--name', name, '--jobs', '1', '--backup-dir', join(dir, 'backups'), '--database-url', db.url], {
          prefix: ['strace', '-f', '-qq', '-yy', '-e', 'trace=read', '-o', clientLog],
        });
        assert.equal(r.code, 0, r.stderr);
      });
      const ports = await clientPorts(clientLog, parseDatabaseUrl(db.url).port);
      assert.ok(ports.size >= 2, `the dump's connections: ${[...ports].join(', ')}`);
      return writes.filter((w) => ports.has(w.port)).map((w) => w.bytes);
    }

    test('a dump of a few MB does not ask for them: the asking would cost more than it saves', async () => {
      const writes = await dumpWrites('small');
      assert.ok(writes.length > 0);
      assert.ok(Math.max(...writes) <= 16 << 10, `largest write ${Math.max(...writes)} bytes`);
    });

    let grown = false;
    /** Adds enough data that one connection reads more than WIDE_WRITES_MIN_BYTES (once). */
    async function growPastWideWrites(): Promise<void> {
      if (grown) return;
      const c = await connect(parseDatabaseUrl(db.url));
      try {
        await c.query(`CREATE TABLE big (id INT PRIMARY KEY, body VARCHAR(${ROW_BYTES}))`);
        await c.query(`INSERT INTO big SELECT id, body FROM t`);
        for (let copies = 1; copies * TABLE_BYTES < 2 * WIDE_WRITES_MIN_BYTES; copies *= 2) {
          await c.query(`INSERT INTO big SELECT id + ${copies * ROWS}, body FROM big`);
        }
        // information_schema's sizes, which decide it, are current only once the table is analyzed.
        await c.query('ANALYZE TABLE big');
        grown = true;
      } finally {
        await c.end();
      }
    }

    test('a dump of tens of MB reads its tables through such writes', async () => {
      await growPastWideWrites();
      const writes = await dumpWrites('wide');
      const large = writes.filter((w) => w >= WIDE_SERVER_WRITES);
      assert.ok(large.length >= 2, `${large.length} writes of 1 MB or more to the dump's connections`);
    });
    test('without RELOAD a dump of tens of MB reads everything over one connection, which gets such writes too', async () => {
      await growPastWideWrites();
      const user = `norel_${process.pid}`;
      const admin = await connect(parseDatabaseUrl(db.url));
      await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'norel-secret'`);
      await admin.query(`GRANT ALL PRIVILEGES ON \`${db.name}\`.* TO '${user}'@'%'`);
      try {
        const url = new URL(db.url);
        url.username = user;
        url.password = 'norel-secret';
        const clientLog = join(dir, 'client-norel.txt');
        const serverPort = parseDatabaseUrl(db.url).port;
        let out = '';
        const writes = await serverWrites(async () => {
          const r = await runCli(['dump', '--name', 'norel', '--jobs', '2', '--backup-dir', join(dir, 'backups'), '--database-url', url.toString(), '--json'], {
            prefix: ['strace', '-f', '-qq', '-yy', '-e', 'trace=read', '-o', clientLog],
          });
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stderr, /Cannot take a global read lock.*single connection/);
          out = r.stdout;
        });
        const manifest = JSON.parse(await readFile(join(JSON.parse(out).path, 'manifest.json'), 'utf8'));
        assert.equal(manifest.tables.find((t: { name: string }) => t.name === 't').rows, ROWS);
        const ports = await clientPorts(clientLog, serverPort);
        const large = writes.filter((w) => ports.has(w.port) && w.bytes >= WIDE_SERVER_WRITES);
        assert.ok(large.length >= 2, `${large.length} writes of 1 MB or more to the dump's connections`);
      } finally {
        await admin.query(`DROP USER '${user}'@'%'`);
        await admin.end();
      }
    });
  },
);
