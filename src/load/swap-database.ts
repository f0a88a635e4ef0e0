// Replaces every table of the live database with the staged ones in one atomic RENAME TABLE.
// Views and triggers cannot move between databases: load/swap-journal.ts drops and recreates
// them around it, and makes the whole swap restartable with a journal kept in a database of its own.
import { createHash } from 'node:crypto';
import { OlympiaError } from '../core/errors.js';
import { type Connection, quoteIdent } from '../mysql/connect.js';
import { listTables, listTriggers } from '../mysql/schema.js';

export interface SchemaObject {
  name: string;
  createSql: string;
}

/**
 * The databases a load of `database` uses: `stage` (the backup, loaded), `old` (the live tables,
 * swapped out) and `journal` (the swap's journal; no backup SQL ever runs with rights on it).
 */
export function stagingNames(database: string): { stage: string; old: string; journal: string } {
  const h = createHash('sha1').update(database).digest('hex').slice(0, 12);
  return { stage: `olympia_stage_${h}`, old: `olympia_old_${h}`, journal: `olympia_journal_${h}` };
}

/**
 * Views may depend on each other: create them in rounds until none is left or none succeeds.
 * `created`, when given, gets the name of each view as it is made.
 */
export async function createViews(conn: Connection, views: SchemaObject[], created?: Set<string>): Promise<void> {
  let pending = [...views];
  while (pending.length > 0) {
    const failed: { view: SchemaObject; error: unknown }[] = [];
    for (const v of pending) {
      try {
        await conn.query(v.createSql);
        created?.add(v.name);
      } catch (error) {
        failed.push({ view: v, error });
      }
    }
    if (failed.length === pending.length) {
      throw new OlympiaError(`Cannot create view "${failed[0].view.name}": ${(failed[0].error as Error).message}`);
    }
    pending = failed.map((f) => f.view);
  }
}

/** The journal's table before the swap; the swap's RENAME TABLE renames it to JOURNAL_SWAPPED. */
export const JOURNAL_PENDING = 'swap_pending';
export const JOURNAL_SWAPPED = 'swap_done';
/** The journal's table while a load fills an empty live database directly; renamed to JOURNAL_SWAPPED once it is full. */
export const JOURNAL_FILLING = 'fill_pending';

export interface SwapDatabases {
  live: string;
  stage: string;
  old: string;
  journal: string;
}

const ER_DB_CREATE_EXISTS = 1007;

/**
 * Creates the live database unless it exists; true when this call made it. A load that fails or is
 * killed then drops it again (swap-journal.ts), as it was not there: a database found existing,
 * even one another client made a moment ago, is never taken for the load's own.
 */
export async function createLiveIfMissing(conn: Connection, live: string): Promise<boolean> {
  try {
    await conn.query(`CREATE DATABASE ${quoteIdent(live)}`);
    return true;
  } catch (e) {
    if ((e as { errno?: number }).errno === ER_DB_CREATE_EXISTS) return false;
    throw e;
  }
}

/**
 * Creates the live database if missing and an empty `old` one; returns the live triggers (to drop
 * for the rename) and whether the live database is the load's own.
 */
export async function prepareSwap(conn: Connection, s: SwapDatabases): Promise<{ liveTriggers: SchemaObject[]; createdLive: boolean }> {
  const createdLive = await createLiveIfMissing(conn, s.live);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(s.old)}`);
  await conn.query(`CREATE DATABASE ${quoteIdent(s.old)}`);
  return { liveTriggers: (await listTriggers(conn, s.live)).map(({ name, createSql }) => ({ name, createSql })), createdLive };
}

/**
 * One atomic RENAME TABLE: every live table into `old`, every staged table into live, and the
 * journal from pending to swapped. The live tables must have no triggers left.
 */
export async function renameIntoLive(conn: Connection, s: SwapDatabases): Promise<void> {
  const L = quoteIdent(s.live);
  const S = quoteIdent(s.stage);
  const O = quoteIdent(s.old);
  const live = (await listTables(conn, s.live)).tables.map((t) => t.name);
  const staged = (await listTables(conn, s.stage)).tables.map((t) => t.name);
  const renames = [
    ...live.map((t) => `${L}.${quoteIdent(t)} TO ${O}.${quoteIdent(t)}`),
    ...staged.map((t) => `${S}.${quoteIdent(t)} TO ${L}.${quoteIdent(t)}`),
    `${quoteIdent(s.journal)}.${JOURNAL_PENDING} TO ${quoteIdent(s.journal)}.${JOURNAL_SWAPPED}`,
  ];
  await conn.query(`RENAME TABLE ${renames.join(', ')}`);
}
