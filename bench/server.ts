// The benchmark's own server chores: fresh target databases, the row-count (and checksum) check
// every load must pass, and waiting for InnoDB to flush one tool's writes before the next starts.
import mysql from 'mysql2/promise';
import { exactRowCounts } from './catalogue.js';
import type { Server } from './peers.js';

export type Conn = mysql.Connection;

export function serverFromUrl(url: string): Server {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 3306), user: decodeURIComponent(u.username || 'root'), password: decodeURIComponent(u.password) };
}

/** The server URL with a database path, as our engine expects it. */
export function databaseUrl(serverUrl: string, db: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function connectServer(serverUrl: string): Promise<Conn> {
  const conn = await mysql.createConnection({ uri: serverUrl, supportBigNumbers: true, bigNumberStrings: true });
  conn.on('error', () => undefined);
  return conn;
}

export async function recreateDatabase(conn: Conn, db: string): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
}

export async function dropDatabase(conn: Conn, db: string): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
}

export interface LoadCheck {
  ok: boolean;
  /** What differs, e.g. "reviews: 4999 rows, source has 5000". */
  problems: string[];
}

/** Pure: compares the loaded database's counts (and checksums, when given) with the source's. */
export function compareTables(source: Map<string, number | string>, loaded: Map<string, number | string>, what: string): string[] {
  const problems: string[] = [];
  for (const [t, n] of source) {
    if (!loaded.has(t)) problems.push(`${t}: missing`);
    else if (String(loaded.get(t)) !== String(n)) problems.push(`${t}: ${what} ${loaded.get(t)}, source ${n}`);
  }
  for (const t of loaded.keys()) if (!source.has(t)) problems.push(`${t}: not in the source`);
  return problems;
}

export async function checksums(conn: Conn, db: string, tables: string[]): Promise<Map<string, string>> {
  const [r] = await conn.query(`CHECKSUM TABLE ${tables.map((t) => `\`${db}\`.\`${t}\``).join(', ')}`);
  return new Map((r as { Table: string; Checksum: string | null }[]).map((x) => [x.Table.split('.').pop()!, String(x.Checksum)]));
}

export async function checkLoad(conn: Conn, db: string, source: { rows: Map<string, number>; checksums?: Map<string, string> }): Promise<LoadCheck> {
  const rows = await exactRowCounts(conn, db);
  const problems = compareTables(source.rows, rows, 'rows');
  if (source.checksums && problems.length === 0) problems.push(...compareTables(source.checksums, await checksums(conn, db, [...source.checksums.keys()]), 'checksum'));
  return { ok: problems.length === 0, problems };
}

async function status(conn: Conn, name: string): Promise<number> {
  const [r] = await conn.query('SHOW GLOBAL STATUS LIKE ?', [name]);
  return Number((r as { Value: string }[])[0]?.Value ?? 0);
}

/**
 * Waits (at most `maxMs`) until InnoDB has written back most dirty pages, so a tool does not pay
 * for the previous tool's writes. Bounded, because other clients of a shared server keep dirtying
 * pages too. Returns the milliseconds waited.
 */
export async function quiesce(conn: Conn, maxMs = 30_000): Promise<number> {
  const started = Date.now();
  const total = await status(conn, 'Innodb_buffer_pool_pages_total');
  let dirtyPct: number | undefined;
  try {
    const [r] = await conn.query('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS p');
    dirtyPct = Number((r as { p: string }[])[0].p);
    // Asking for 0 % dirty makes the page cleaner flush at full speed; restored below.
    await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  } catch {
    dirtyPct = undefined; // no privilege: just wait
  }
  try {
    // Done when few pages are dirty, or when the count stops falling (other clients of a shared
    // server keep some pages dirty all the time).
    let lowest = Infinity;
    let lowestAt = Date.now();
    while (Date.now() - started < maxMs) {
      const dirty = await status(conn, 'Innodb_buffer_pool_pages_dirty');
      if (dirty <= Math.max(64, total * 0.005)) break;
      if (dirty < lowest * 0.95) {
        lowest = dirty;
        lowestAt = Date.now();
      } else if (Date.now() - lowestAt > 2000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    if (dirtyPct !== undefined) await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = ?', [dirtyPct]).catch(() => undefined);
  }
  return Date.now() - started;
}
