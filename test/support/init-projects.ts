// Projects and observers for the initialize/seed/reset tests: a private copy of examples/olympia (its own
// alias on the shared Elasticsearch node, its own backup dir), database names no test shares, and plain
// looks at what a user would check — rows in MySQL, what an alias serves, which backups exist.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDatabase } from '../../src/mysql/data-state.js';
import mysql from 'mysql2/promise';
import { ensureMariaDB } from '../harness/mariadb.js';
import { REPO } from './init-cli.js';

let counter = 0;
const unique = () => `${process.pid}-${Date.now().toString(36)}-${counter++}`;

export interface ExampleCopy {
  dir: string;
  alias: string;
  backupDir: string;
  remove(): Promise<void>;
}

/** A copy of examples/olympia (config, migrations, seed, search) with an alias no other test uses and no backups. */
export async function copyExample(): Promise<ExampleCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'olympia-init-'));
  const src = join(REPO, 'examples', 'olympia');
  for (const part of ['migrations', 'seed', 'search']) await cp(join(src, part), join(dir, part), { recursive: true });
  const alias = `it-${unique()}-addons`;
  const config = JSON.parse(await readFile(join(src, 'olympia-data.json'), 'utf8'));
  config.index.definitions[0].alias = alias;
  await writeFile(join(dir, 'olympia-data.json'), JSON.stringify(config, null, 2));
  return { dir, alias, backupDir: join(dir, 'backups'), remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A database name no one uses; the database itself is not created (initialize does that). */
export async function newDatabaseName(prefix = 'init'): Promise<TestDatabase> {
  const server = (await ensureMariaDB()).replace(/\/$/, '');
  const name = `${prefix}_${unique().replace(/-/g, '_')}`;
  return {
    name,
    url: `${server}/${name}`,
    drop: async () => {
      const c = await mysql.createConnection({ uri: server });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.query(`DROP DATABASE IF EXISTS \`${stateDatabase(name)}\``);
      await c.end();
    },
  };
}

export async function sql<T = Record<string, unknown>>(url: string, query: string, params: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection({ uri: url, dateStrings: true });
  try {
    const [rows] = await c.query(query, params);
    return rows as T[];
  } finally {
    await c.end();
  }
}

export async function count(url: string, table: string, where = '1=1'): Promise<number> {
  const [row] = await sql<{ n: number }>(url, `SELECT COUNT(*) AS n FROM \`${table}\` WHERE ${where}`);
  return Number(row.n);
}

export async function databaseExists(url: string): Promise<boolean> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/';
  const rows = await sql<{ n: number }>(u.toString(), 'SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
  return Number(rows[0].n) > 0;
}

export async function tableNames(url: string): Promise<string[]> {
  const name = new URL(url).pathname.slice(1);
  const rows = await sql<{ t: string }>(url, "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1", [name]);
  return rows.map((r) => r.t);
}

/** The add-ons the example's index query turns into documents. */
export async function publicAddons(url: string): Promise<number> {
  return count(url, 'addons', 'status = 4 AND disabled_by_user = 0');
}

export interface AliasState {
  /** The concrete indices the alias points to (empty when it does not exist). */
  indices: string[];
  /** Documents served through the alias (0 when it does not exist). */
  documents: number;
}

async function es(esUrl: string, path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(path, esUrl), { ...init, headers: { 'content-type': 'application/json', ...(init?.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export async function aliasState(esUrl: string, alias: string): Promise<AliasState> {
  const a = await es(esUrl, `/_alias/${alias}`);
  if (a.status === 404) return { indices: [], documents: 0 };
  const indices = Object.keys(a.body as object).sort();
  await es(esUrl, `/${alias}/_refresh`, { method: 'POST' });
  const c = await es(esUrl, `/${alias}/_count`);
  return { indices, documents: Number((c.body as { count: number }).count) };
}

/** Every index whose name starts with `prefix` (aliases or not). */
export async function indicesStartingWith(esUrl: string, prefix: string): Promise<string[]> {
  const r = await es(esUrl, `/_cat/indices/${prefix}*?format=json&h=index&expand_wildcards=all`);
  if (r.status === 404) return [];
  return (r.body as Array<{ index: string }>).map((x) => x.index).sort();
}

export async function deleteIndices(esUrl: string, prefix: string): Promise<void> {
  for (const index of await indicesStartingWith(esUrl, prefix)) await es(esUrl, `/${index}`, { method: 'DELETE' });
}

export function hasBackup(backupDir: string, name: string): boolean {
  return existsSync(join(backupDir, name, 'manifest.json'));
}

export async function backupCreatedAt(backupDir: string, name: string): Promise<string> {
  return JSON.parse(await readFile(join(backupDir, name, 'manifest.json'), 'utf8')).createdAt;
}

/** Parses the CLI's --json output, failing with everything it printed when it is not JSON. */
export function jsonOf<T = InitializeJson>(stdout: string): T {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON:\n${stdout}`);
  }
}

export interface InitializeJson {
  ok: boolean;
  steps: Array<{ kind: string; title: string; status: 'done' | 'skipped' | 'failed'; reason: string; detail?: string; durationMs: number; error?: string }>;
  loaded: string | null;
  seeded: boolean;
  indexed: boolean;
  durationMs: number;
}

/** The step kinds that ran ("done"), in order. */
export function doneSteps(j: InitializeJson): string[] {
  return j.steps.filter((s) => s.status === 'done').map((s) => s.kind);
}
