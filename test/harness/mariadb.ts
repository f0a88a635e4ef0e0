// Test harness: a private MariaDB instance (data dir under .cache/, its own port, local_infile on).
// OLYMPIA_TEST_DATABASE_URL points the tests at an existing server instead (e.g. Docker's mysql:8.0).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIR = join(ROOT, '.cache', 'mariadb');
const PORT = Number(process.env.OLYMPIA_TEST_MYSQL_PORT ?? 33306);
const USER = 'olympia';
const PASSWORD = 'olympia-test-secret';

export function serverUrl(): string {
  return process.env.OLYMPIA_TEST_DATABASE_URL ?? `mysql://${USER}:${PASSWORD}@127.0.0.1:${PORT}`;
}

function findBinary(names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin']) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

function installMariaDB(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('MariaDB is not installed and this is not root: run `apt-get install mariadb-server`, or set OLYMPIA_TEST_DATABASE_URL');
  }
  console.error('[harness] installing mariadb-server from Debian…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', 'mariadb-server', 'mariadb-client']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with exit code ${r.status}`);
  }
}

async function canConnect(url: string): Promise<boolean> {
  try {
    const c = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
    await c.end();
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pidFile: string): boolean {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts (or reuses) the private server and returns a URL with no database part. */
export async function ensureMariaDB(): Promise<string> {
  if (process.env.OLYMPIA_TEST_DATABASE_URL) return process.env.OLYMPIA_TEST_DATABASE_URL;
  const url = serverUrl();
  if (await canConnect(url)) return url;

  let mariadbd = findBinary(['mariadbd', 'mysqld']);
  if (!mariadbd) {
    installMariaDB();
    mariadbd = findBinary(['mariadbd', 'mysqld']);
    if (!mariadbd) throw new Error('mariadb-server installed but no mariadbd binary found');
  }
  const data = join(DIR, 'data');
  const socket = join(DIR, 'mysqld.sock');
  const pidFile = join(DIR, 'mysqld.pid');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  if (!existsSync(join(data, 'mysql'))) {
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const installer = findBinary(['mariadb-install-db', 'mysql_install_db']);
    if (!installer) throw new Error('mariadb-install-db not found');
    const r = spawnSync(installer, ['--no-defaults', `--datadir=${data}`, ...asRoot, '--auth-root-authentication-method=socket', '--skip-test-db'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`mariadb-install-db failed: ${r.stderr}`);
  }
  if (!pidAlive(pidFile)) {
    const log = openSync(join(DIR, 'mysqld.log'), 'a');
    const child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--port=${PORT}`,
        '--bind-address=127.0.0.1',
        `--socket=${socket}`,
        `--pid-file=${pidFile}`,
        '--local-infile=1',
        '--innodb-buffer-pool-size=512M',
        '--innodb-log-file-size=256M',
        '--innodb-flush-log-at-trx-commit=2',
        '--max-allowed-packet=256M',
        '--max-connections=300',
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        ...asRoot,
      ],
      { detached: true, stdio: ['ignore', log, log] },
    );
    child.unref();
  }
  const deadline = Date.now() + 60_000;
  let root: mysql.Connection | undefined;
  while (!root) {
    try {
      root = await mysql.createConnection({ socketPath: socket, user: 'root' });
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`MariaDB did not start within 60 s; see ${join(DIR, 'mysqld.log')}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await root.query(`CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await root.query(`GRANT ALL PRIVILEGES ON *.* TO '${USER}'@'%' WITH GRANT OPTION`);
  await root.end();
  return url;
}

export async function stopMariaDB(): Promise<void> {
  const pidFile = join(DIR, 'mysqld.pid');
  if (!pidAlive(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (pidAlive(pidFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

let counter = 0;
/** Creates a fresh, uniquely named database and returns its URL. */
export async function freshDatabase(prefix = 't'): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const server = await ensureMariaDB();
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const c = await mysql.createConnection({ uri: server });
  await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.end();
  const url = `${server.replace(/\/$/, '')}/${name}`;
  return {
    url,
    name,
    drop: async () => {
      const d = await mysql.createConnection({ uri: server });
      await d.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await d.end();
    },
  };
}
