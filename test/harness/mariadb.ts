// Test harness: a private MariaDB instance (data dir under .cache/, its own port, local_infile on).
// OLYMPIA_TEST_DATABASE_URL points the tests at an existing server instead (e.g. Docker's mysql:8.0).
import { spawnSync } from 'node:child_process';
import { findMysqlBinaries, localMysqlPid, startLocalMysql, stopLocalMysql } from '../../src/services/mysql-local.js';
import { join, resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { definerAccountName, loadAccountName } from '../../src/load/accounts.js';
import { stateDatabase } from '../../src/mysql/data-state.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIR = join(ROOT, '.cache', 'mariadb');
const PORT = Number(process.env.OLYMPIA_TEST_MYSQL_PORT ?? 33306);
const USER = 'olympia';
const PASSWORD = 'olympia-test-secret';

export function serverUrl(): string {
  return process.env.OLYMPIA_TEST_DATABASE_URL ?? `mysql://${USER}:${PASSWORD}@127.0.0.1:${PORT}`;
}

function installMariaDB(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('MariaDB is not installed and this is not root: run `apt-get install mariadb-server`, or set OLYMPIA_TEST_DATABASE_URL');
  }
  console.error('[harness] installing mariadb-server from Debian…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'mariadb-server', 'mariadb-client'],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with exit code ${r.status}`);
  }
}

/** Starts (or reuses) the private server and returns a URL with no database part. */
export async function ensureMariaDB(): Promise<string> {
  if (process.env.OLYMPIA_TEST_DATABASE_URL) return process.env.OLYMPIA_TEST_DATABASE_URL;
  if (!findMysqlBinaries()) installMariaDB();
  const server = await startLocalMysql({
    dir: DIR,
    port: PORT,
    user: USER,
    password: PASSWORD,
    bufferPoolSize: '512M',
    serverArgs: ['--innodb-log-file-size=256M', '--max-connections=300', '--innodb-flush-log-at-trx-commit=2', '--max-allowed-packet=256M'],
  });
  return server.serverUrl;
}

/** The private server's pid (for tests that watch it), or undefined when the tests use another server. */
export function localServerPid(): number | undefined {
  // The runner points the test files at its own server through OLYMPIA_TEST_DATABASE_URL too.
  const own = !process.env.OLYMPIA_TEST_DATABASE_URL || process.env.OLYMPIA_TEST_OWN_MYSQL === '1';
  return own ? localMysqlPid(DIR) : undefined;
}

export async function stopMariaDB(): Promise<void> {
  await stopLocalMysql(DIR);
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
      await d.query(`DROP DATABASE IF EXISTS \`${stateDatabase(name)}\``);
      // A load of a backup with triggers leaves their definer account (src/load/accounts.ts).
      for (const user of [definerAccountName(name), loadAccountName(name)]) await d.query("DROP USER IF EXISTS ?@'%'", [user]);
      await d.end();
    },
  };
}
