// A private MySQL-compatible server from the binaries installed on the machine (MariaDB's mariadbd, or
// MySQL's mysqld): its own data directory, port, socket and pid file under `dir`, bound to 127.0.0.1, with
// local_infile on. Reused while it runs; `stopLocalMysql` ends it and keeps the data.
//
// Layout of `dir`: data/ (the data directory), mysqld.pid, mysqld.log, mysqld.sock (the socket moves to the
// temp dir when `dir` is too long for a Unix socket path).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { ConnectionError, OlympiaError, UsageError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { waitForMysql } from './wait.js';
import { withPidLock } from '../core/pid-lock.js';
import { quoteIdent } from '../mysql/connect.js';

export interface LocalMysqlOptions {
  /** Directory the server owns (created when missing). */
  dir: string;
  port: number;
  /** The application user, created with all privileges and this password. */
  user: string;
  password: string;
  /** Created when missing; the returned `url` names it. */
  database?: string;
  /** InnoDB buffer pool, e.g. '64M' (default '256M'). */
  bufferPoolSize?: string;
  /** More server options, e.g. ['--max-connections=300']. */
  serverArgs?: string[];
  /** Bound on the start (initialising the data directory not included). Default 60 s. */
  timeoutMs?: number;
  reporter?: Reporter;
}

export interface LocalMysql {
  /** mysql://user:password@127.0.0.1:port/database (no database part when none was asked for). */
  url: string;
  /** The same without the database part. */
  serverUrl: string;
  /** False when a server already running in `dir` was reused. */
  started: boolean;
  pid: number;
  /** What the server reports, e.g. 10.11.19-MariaDB-0+deb12u1. */
  version: string;
}

export type MysqlFlavor = 'mariadb' | 'mysql';

export interface MysqlBinaries {
  flavor: MysqlFlavor;
  server: string;
  /** MariaDB's mariadb-install-db; MySQL initialises with `mysqld --initialize-insecure`. */
  installer?: string;
}

const BIN_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin', '/opt/homebrew/bin'];
// sun_path holds 108 bytes on Linux, 104 on macOS.
const MAX_SOCKET_PATH = 100;

export function localMysqlPaths(dir: string): { data: string; socket: string; pidFile: string; log: string; port: string } {
  const root = resolve(dir);
  let socket = join(root, 'mysqld.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    socket = join(tmpdir(), `olympia-mysqld-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.sock`);
  }
  return { data: join(root, 'data'), socket, pidFile: join(root, 'mysqld.pid'), log: join(root, 'mysqld.log'), port: join(root, 'port') };
}

function findBinary(names: string[]): string | undefined {
  const dirs = [...BIN_DIRS, ...(process.env.PATH ?? '').split(':').filter(Boolean)];
  for (const name of names) for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return undefined;
}

/** The installed server, preferring MariaDB's names; undefined when none is installed. */
export function findMysqlBinaries(): MysqlBinaries | undefined {
  const mariadbd = findBinary(['mariadbd']);
  if (mariadbd) return { flavor: 'mariadb', server: mariadbd, installer: findBinary(['mariadb-install-db', 'mysql_install_db']) };
  const mysqld = findBinary(['mysqld']);
  if (!mysqld) return undefined;
  // Older MariaDB packages ship only `mysqld`.
  const version = spawnSync(mysqld, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  if (/mariadb/i.test(version)) return { flavor: 'mariadb', server: mysqld, installer: findBinary(['mariadb-install-db', 'mysql_install_db']) };
  return { flavor: 'mysql', server: mysqld };
}

const isRoot = () => process.getuid?.() === 0;

/** The server's command line (pure). `--no-defaults` first: no my.cnf on the machine changes our server. */
export function mysqldArgs(
  flavor: MysqlFlavor,
  paths: ReturnType<typeof localMysqlPaths>,
  o: { port: number; bufferPoolSize?: string; serverArgs?: string[]; asRoot: boolean },
): string[] {
  return [
    '--no-defaults',
    `--datadir=${paths.data}`,
    `--port=${o.port}`,
    '--bind-address=127.0.0.1',
    `--socket=${paths.socket}`,
    `--pid-file=${paths.pidFile}`,
    '--local-infile=1',
    `--innodb-buffer-pool-size=${o.bufferPoolSize ?? '256M'}`,
    // Development data: trade the last second of durability on a crash for load speed.
    '--innodb-flush-log-at-trx-commit=2',
    '--max-allowed-packet=256M',
    '--skip-name-resolve',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    // MySQL's X protocol would claim port 33060 and clash with a second server.
    ...(flavor === 'mysql' ? ['--mysqlx=OFF'] : []),
    ...(o.asRoot ? ['--user=root'] : []),
    ...(o.serverArgs ?? []),
  ];
}

/** The account that administers the server over its socket, with no password (only we can reach the socket). */
function adminUser(flavor: MysqlFlavor): string {
  // mariadb-install-db makes root and the socket user (below) authenticate by OS user over the socket;
  // mysqld --initialize-insecure makes root@localhost with an empty password.
  return flavor === 'mariadb' ? osUser() : 'root';
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and serving this data directory — a recycled pid must never be signalled. */
function isOurServer(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive but someone else's, so not ours.
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(`--datadir=${dataDir}`);
  } catch {
    return true; // no /proc (macOS): trust the pid file
  }
}

/** The pid of the server running in `dir`, if any. */
export function localMysqlPid(dir: string): number | undefined {
  const paths = localMysqlPaths(dir);
  const pid = readPid(paths.pidFile);
  return pid !== undefined && isOurServer(pid, paths.data) ? pid : undefined;
}

/** The log's recent [ERROR] lines, which say why a start failed; else its last lines. */
function logExcerpt(file: string, lines = 15): string {
  try {
    const recent = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-60);
    const errors = recent.filter((l) => /\[ERROR\]/.test(l));
    return (errors.length > 0 ? errors : recent).slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function initialiseDataDir(bin: MysqlBinaries, paths: ReturnType<typeof localMysqlPaths>, reporter?: Reporter): void {
  // A data directory without the system schema is a failed earlier attempt: start it over.
  rmSync(paths.data, { recursive: true, force: true });
  mkdirSync(paths.data, { recursive: true });
  reporter?.info(`Initialising a ${bin.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} data directory in ${paths.data}…`);
  const asRoot = isRoot() ? ['--user=root'] : [];
  let cmd: string;
  let args: string[];
  if (bin.flavor === 'mariadb') {
    if (!bin.installer)
      throw new OlympiaError(`Found ${bin.server} but not mariadb-install-db, which creates its data directory.`, { hint: 'Install the full mariadb-server package.' });
    cmd = bin.installer;
    args = ['--no-defaults', `--datadir=${paths.data}`, ...asRoot, '--auth-root-authentication-method=socket', `--auth-root-socket-user=${osUser()}`, '--skip-test-db'];
  } else {
    cmd = bin.server;
    args = ['--no-defaults', '--initialize-insecure', `--datadir=${paths.data}`, ...asRoot];
  }
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !existsSync(join(paths.data, 'mysql'))) {
    throw new OlympiaError(
      `Initialising the data directory ${paths.data} failed (${cmd} exited with ${r.status ?? r.error?.message}):\n${(r.stderr || r.stdout || '').trim().split('\n').slice(-10).join('\n')}`,
    );
  }
}

function launch(bin: MysqlBinaries, paths: ReturnType<typeof localMysqlPaths>, o: LocalMysqlOptions): { pid: number; exited: () => number | null | undefined } {
  const out = openSync(paths.log, 'a');
  const child = spawn(bin.server, mysqldArgs(bin.flavor, paths, { port: o.port, bufferPoolSize: o.bufferPoolSize, serverArgs: o.serverArgs, asRoot: isRoot() }), {
    detached: true, // outlives us: `up` returns while the server keeps running
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let exitCode: number | null | undefined;
  child.on('exit', (code) => {
    exitCode = code;
  });
  child.on('error', () => {
    exitCode = -1;
  });
  child.unref();
  if (!child.pid) throw new OlympiaError(`Cannot run ${bin.server}.`);
  return { pid: child.pid, exited: () => exitCode };
}

async function connectAdmin(flavor: MysqlFlavor, socket: string): Promise<mysql.Connection> {
  return mysql.createConnection({ socketPath: socket, user: adminUser(flavor), connectTimeout: 2000 });
}

/** Waits until the server answers on its socket; fails at once when the process dies. */
async function waitForSocket(
  flavor: MysqlFlavor,
  paths: ReturnType<typeof localMysqlPaths>,
  port: number,
  timeoutMs: number,
  exited: () => number | null | undefined,
): Promise<mysql.Connection> {
  const started = Date.now();
  let last = '';
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      return await connectAdmin(flavor, paths.socket);
    } catch (e) {
      last = errorMessage(e);
    }
    const code = exited();
    if (code !== undefined || Date.now() - started > timeoutMs) {
      const why =
        code !== undefined
          ? `the server process ended${code === null ? '' : ` with exit code ${code}`}`
          : `it did not answer within ${Math.round(timeoutMs / 1000)} s (${attempts} attempts; last error: ${last})`;
      throw new ConnectionError(
        `The local MySQL server did not start on 127.0.0.1:${port} (socket ${paths.socket}): ${why}. From ${paths.log}:\n${logExcerpt(paths.log)}`,
        'A port already in use is the usual cause: choose another port, or stop what listens there.',
      );
    }
    await sleep(250);
  }
}

/** Creates (or updates) the application user and the database; idempotent. */
async function provision(admin: mysql.Connection, o: LocalMysqlOptions): Promise<string> {
  await admin.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [o.user, o.password]);
  // The password follows the options, also for a user an earlier run created.
  await admin.query("ALTER USER ?@'%' IDENTIFIED BY ?", [o.user, o.password]);
  await admin.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [o.user]);
  if (o.database) await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(o.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const [rows] = await admin.query('SELECT VERSION() AS v');
  return String((rows as Array<{ v: string }>)[0]?.v ?? '');
}

function checkOptions(o: LocalMysqlOptions): void {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new UsageError(`The port ${o.port} is not a valid TCP port (1–65535).`);
  if (!/^[A-Za-z0-9_.-]{1,32}$/.test(o.user)) throw new UsageError(`The MySQL user name ${JSON.stringify(o.user)} is not valid.`, 'Use up to 32 letters, digits, "_", "." or "-".');
  if (!o.password) throw new UsageError(`The MySQL user ${o.user} needs a non-empty password.`);
  if (o.database !== undefined && !/^[A-Za-z0-9_$-]{1,64}$/.test(o.database)) throw new UsageError(`The database name ${JSON.stringify(o.database)} is not valid here.`);
  if (o.bufferPoolSize !== undefined && !/^\d+[KMG]?$/i.test(o.bufferPoolSize))
    throw new UsageError(`The buffer pool size ${JSON.stringify(o.bufferPoolSize)} is not valid.`, 'Use a size like 64M or 1G.');
}

/** Whether something on this machine listens on 127.0.0.1:port already. */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolvePort(e.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(false)));
  });
}

function portInUse(port: number): UsageError {
  return new UsageError(
    `Port ${port} on 127.0.0.1 is in use by another program, so the local MySQL server cannot start there.`,
    `Start it on a free port: pass --database-url mysql://olympia:PASSWORD@127.0.0.1:PORT/DATABASE (or set DATABASE_URL, or "databaseUrl" in olympia-data.json).`,
  );
}

/** Starts the server in `o.dir` (or reuses it when it runs), provisions the user and database, returns its URL. */
export async function startLocalMysql(o: LocalMysqlOptions): Promise<LocalMysql> {
  checkOptions(o);
  const paths = localMysqlPaths(o.dir);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const bin = findMysqlBinaries();
  if (!bin) {
    throw new OlympiaError('No MySQL or MariaDB server is installed (looked for mariadbd and mysqld).', {
      hint: 'Install one (e.g. apt-get install mariadb-server), or use the docker or external services.',
    });
  }
  const auth = `${encodeURIComponent(o.user)}:${encodeURIComponent(o.password)}`;
  const serverUrl = `mysql://${auth}@127.0.0.1:${o.port}`;
  const url = o.database ? `${serverUrl}/${o.database}` : serverUrl;

  let pid = localMysqlPid(o.dir);
  let started = false;
  let admin: mysql.Connection | undefined;
  if (pid === undefined) {
    mkdirSync(resolve(o.dir), { recursive: true });
    // Parallel callers (test files run in parallel) must not start two servers on one data directory.
    await withPidLock(join(resolve(o.dir), 'start.lock'), timeoutMs + 120_000, 'starting the local MySQL server', async () => {
      pid = localMysqlPid(o.dir);
      if (pid !== undefined) return;
      if (await portTaken(o.port)) throw portInUse(o.port);
      if (!existsSync(join(paths.data, 'mysql'))) initialiseDataDir(bin, paths, o.reporter);
      writeFileSync(paths.port, `${o.port}\n`);
      rmSync(paths.socket, { force: true }); // a stale socket from a crash
      o.reporter?.info(`Starting ${bin.server} on 127.0.0.1:${o.port} (data in ${paths.data}, log ${paths.log})…`);
      const child = launch(bin, paths, o);
      pid = child.pid;
      started = true;
      admin = await waitForSocket(bin.flavor, paths, o.port, timeoutMs, child.exited);
    });
  }
  if (!admin) {
    // Written at launch; a server started by an older olympia-data has none.
    const running = existsSync(paths.port) ? Number(readFileSync(paths.port, 'utf8').trim()) : NaN;
    if (Number.isInteger(running) && running !== o.port) {
      throw new UsageError(
        `This project's local MySQL server already runs on port ${running}, not ${o.port}.`,
        `Use port ${running} in the database URL, or stop it first (olympia-data down) to start it on ${o.port}.`,
      );
    }
    // Running, or still starting after another process launched it.
    admin = await waitForSocket(bin.flavor, paths, o.port, timeoutMs, () => (localMysqlPid(o.dir) === undefined ? null : undefined));
    o.reporter?.info(`Reusing the local MySQL server on 127.0.0.1:${o.port} (pid ${pid}).`);
  }
  const conn = admin;
  let version: string;
  try {
    version = await provision(conn, o);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
  // The application's own way in, over TCP with its password, must work too.
  await waitForMysql(url, { timeoutMs: 10_000 });
  return { url, serverUrl, started, pid: pid!, version };
}

/** Stops the server running in `dir`; false when none ran. The data stays. */
export async function stopLocalMysql(dir: string, opts: { timeoutMs?: number; reporter?: Reporter } = {}): Promise<boolean> {
  const pid = localMysqlPid(dir);
  if (pid === undefined) return false;
  const paths = localMysqlPaths(dir);
  opts.reporter?.info(`Stopping the local MySQL server (pid ${pid})…`);
  process.kill(pid, 'SIGTERM'); // a clean shutdown: InnoDB flushes, the pid file goes away
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (isOurServer(pid, paths.data)) {
    if (Date.now() > deadline) {
      throw new OlympiaError(`The local MySQL server (pid ${pid}) did not stop within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s.`, {
        hint: `See ${paths.log}; stop it with kill ${pid} when it is stuck.`,
      });
    }
    await sleep(200);
  }
  return true;
}

/** Stops the server and deletes its data directory. */
export async function removeLocalMysql(dir: string, opts: { timeoutMs?: number; reporter?: Reporter } = {}): Promise<void> {
  await stopLocalMysql(dir, opts);
  const paths = localMysqlPaths(dir);
  opts.reporter?.info(`Removing the local MySQL data in ${paths.data}.`);
  rmSync(paths.data, { recursive: true, force: true });
  rmSync(paths.socket, { force: true });
}
