// What the tool knows about a database's data beyond its tables: whether a seed began and never
// finished, and which generation of the data the search index was built from. It lives in a database of
// its own (as the load's journal does), where no backup SQL ever has rights, so a backup cannot forge it.
import { createHash } from 'node:crypto';
import { type Connection, quoteIdent } from './connect.js';

export interface DataState {
  /** Set when a seed began; cleared when it finished. Still set later = the data is a partial seed. */
  seedStartedAt: Date | null;
  /** Counts every change of the data as a whole (load, seed, clean). */
  generation: number;
  /** The generation the search index was last built from; null when never. */
  indexedGeneration: number | null;
}

export function stateDatabase(database: string): string {
  return `olympia_state_${createHash('sha1').update(database).digest('hex').slice(0, 12)}`;
}

const table = (database: string) => `${quoteIdent(stateDatabase(database))}.\`data_state\``;

async function ensure(conn: Connection, database: string): Promise<void> {
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(stateDatabase(database))} CHARACTER SET utf8mb4`);
  await conn.query(
    `CREATE TABLE IF NOT EXISTS ${table(database)} (id TINYINT PRIMARY KEY, seed_started_at DATETIME NULL, generation BIGINT NOT NULL, indexed_generation BIGINT NULL) ENGINE=InnoDB`,
  );
}

/** The recorded state; undefined when the tool never recorded any for this database. */
export async function readDataState(conn: Connection, database: string): Promise<DataState | undefined> {
  const [exists] = await conn.query(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'data_state'`, [stateDatabase(database)]);
  if (Number((exists as { n: number }[])[0].n) === 0) return undefined;
  const [rows] = await conn.query(`SELECT seed_started_at AS s, generation AS g, indexed_generation AS i FROM ${table(database)} WHERE id = 1`);
  const r = (rows as { s: Date | null; g: number | string; i: number | string | null }[])[0];
  if (!r) return undefined;
  return { seedStartedAt: r.s, generation: Number(r.g), indexedGeneration: r.i === null ? null : Number(r.i) };
}

/** The data is about to change as a whole: a new generation, which the index has not seen. */
export async function recordDataChange(conn: Connection, database: string, change: { seedStarted?: boolean } = {}): Promise<void> {
  await ensure(conn, database);
  const started = change.seedStarted ? 'CURRENT_TIMESTAMP' : 'NULL';
  await conn.query(
    `INSERT INTO ${table(database)} (id, seed_started_at, generation) VALUES (1, ${started}, 1) ON DUPLICATE KEY UPDATE seed_started_at = ${started}, generation = generation + 1`,
  );
}

/** The seed that `recordDataChange({ seedStarted: true })` marked has finished. */
export async function recordSeedFinished(conn: Connection, database: string): Promise<void> {
  await ensure(conn, database);
  await conn.query(`UPDATE ${table(database)} SET seed_started_at = NULL WHERE id = 1`);
}

/** The index was built from `generation` of the data. */
export async function recordIndexed(conn: Connection, database: string, generation: number): Promise<void> {
  await ensure(conn, database);
  await conn.query(`INSERT INTO ${table(database)} (id, generation, indexed_generation) VALUES (1, ?, ?) ON DUPLICATE KEY UPDATE indexed_generation = ?`, [
    generation,
    generation,
    generation,
  ]);
}

export async function dropDataState(conn: Connection, database: string): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(stateDatabase(database))}`);
}
