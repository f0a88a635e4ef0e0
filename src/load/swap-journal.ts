// The swap at the end of a load, made restartable. Before anything live changes, a journal (one
// row in a table of a database of its own, where no backup SQL has rights) says what the swap will
// do; the RENAME TABLE that swaps the tables in renames the journal from pending to swapped in the
// same atomic statement. So the journal's name tells which side of that point a killed load died on:
// - pending: nothing was swapped; put back the live triggers dropped for the rename and discard the
//   staged copies (roll back);
// - swapped: the tables are swapped; create the backup's views and triggers and swap the storage
//   directory in (roll forward), then drop `old`, and the journal last.
// Every step after the rename is idempotent, so a recovery that is itself killed can run again.
// A load into a database with no tables, views or triggers skips the staging copy and its RENAME:
// it fills the live database directly under a third journal name, filling, written before its first
// table. Until the journal becomes swapped, a recovery drops what the fill made (the tables, views
// and triggers the journal names), which leaves the database empty, as it was.
// Either way, a live database the load itself created (the journal says so) is dropped again by a
// roll-back, as it was not there, unless another client has put something in it.
// A journal is acted on only when every name and path in it is the one this database derives.
import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { Reporter } from '../core/reporter.js';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import { type Connection, quoteIdent } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { listTables, listTriggers } from '../mysql/schema.js';
import { type ServerFlavor, serverFlavor } from '../mysql/server-flavor.js';
import { JOURNAL_FILLING, JOURNAL_PENDING, JOURNAL_SWAPPED, renameIntoLive, type SchemaObject, stagingNames } from './swap-database.js';
import { acquireDatabaseLock } from '../mysql/advisory-lock.js';
import { createLiveObjects } from './schema-objects.js';
import { dropLeftoverLoadAccounts } from './confinement.js';
import { finishStorageSwap, type StoragePaths } from '../backup/storage-snapshot.js';

export interface SwapJournal {
  live: string;
  stage: string;
  old: string;
  journal: string;
  /** The live triggers, dropped just before the rename (a table with triggers cannot change database). */
  liveTriggers: SchemaObject[];
  /** The backup's views and triggers, created once its tables are live. */
  views: SchemaObject[];
  triggers: SchemaObject[];
  /** The staged storage directory to swap in, if the load brings one. */
  storage?: StoragePaths;
  /** A direct fill of the empty live database: the tables it creates there (see the header). */
  fill?: { tables: string[] };
  /** The load created the live database itself: a roll-back drops it again if it is empty. */
  createdLive?: boolean;
}

/** What the steps run with: a connection with no default database that is dropped, and the server. */
export interface SwapContext {
  conn: Connection;
  target: MysqlTarget;
  server: ServerFlavor;
  reporter: Reporter;
}

export interface SwapStep {
  name: string;
  run: () => Promise<void>;
}

async function writeJournal(conn: Connection, j: SwapJournal, table = JOURNAL_PENDING): Promise<void> {
  const db = quoteIdent(j.journal);
  await conn.query(`DROP DATABASE IF EXISTS ${db}`);
  await conn.query(`CREATE DATABASE ${db}`);
  await conn.query(`CREATE TABLE ${db}.${table} (doc LONGTEXT NOT NULL)`);
  await conn.query(`INSERT INTO ${db}.${table} (doc) VALUES (?)`, [JSON.stringify(j)]);
}

/** Before the first table of a direct fill is created: from here on a recovery drops what the fill made. */
export async function beginFill(conn: Connection, j: SwapJournal): Promise<void> {
  await writeJournal(conn, j, JOURNAL_FILLING);
}

/**
 * A direct fill that failed on its own, not killed: its journal is narrowed to the tables and views it
 * did create, so the recovery that follows drops none that another client made meanwhile under a name
 * the backup has (the fill's CREATE of it is what failed). No trigger of the fill outlives its try
 * (schema-objects.ts) but on a table the fill made, which takes it along. After 'mark filled' there is
 * no filling journal left to narrow, and this fails: the recovery then finishes the load instead.
 */
export async function narrowFill(conn: Connection, j: SwapJournal, created: { tables: ReadonlySet<string>; views: ReadonlySet<string> }): Promise<void> {
  const narrowed: SwapJournal = {
    ...j,
    views: j.views.filter((v) => created.views.has(v.name)),
    triggers: [],
    fill: { tables: (j.fill?.tables ?? []).filter((t) => created.tables.has(t)) },
  };
  await conn.query(`UPDATE ${quoteIdent(j.journal)}.${JOURNAL_FILLING} SET doc = ?`, [JSON.stringify(narrowed)]);
}

/**
 * The direct fill is complete: the journal takes its final form (views, triggers, storage) and, in one
 * RENAME TABLE, becomes swapped. What follows is the swap's own roll-forward, run by the load or by a
 * recovery.
 */
export function fillSteps(ctx: SwapContext, j: SwapJournal): SwapStep[] {
  const db = quoteIdent(j.journal);
  return [
    {
      name: 'mark filled',
      run: async () => {
        await ctx.conn.query(`UPDATE ${db}.${JOURNAL_FILLING} SET doc = ?`, [JSON.stringify(j)]);
        await ctx.conn.query(`RENAME TABLE ${db}.${JOURNAL_FILLING} TO ${db}.${JOURNAL_SWAPPED}`);
      },
    },
    ...rollForwardSteps(ctx, j),
  ];
}

/** Drops the live database's views and triggers and creates the backup's: right however often it runs. */
async function replaceViewsAndTriggers(ctx: SwapContext, j: SwapJournal): Promise<void> {
  const { conn } = ctx;
  for (const t of await listTriggers(conn, j.live)) await conn.query(`DROP TRIGGER IF EXISTS ${quoteIdent(j.live)}.${quoteIdent(t.name)}`);
  for (const v of (await listTables(conn, j.live)).views) await conn.query(`DROP VIEW IF EXISTS ${quoteIdent(j.live)}.${quoteIdent(v)}`);
  await createLiveObjects(conn, ctx.target, j.live, { views: j.views, triggers: j.triggers }, ctx.server, ctx.reporter);
}

async function dropStaging(conn: Connection, j: SwapJournal): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.stage)}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.old)}`);
  // Last: with it goes the journal, so until here a recovery finishes the swap.
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.journal)}`);
}

/** What follows the rename: the steps a recovery runs again, from the first. */
function rollForwardSteps(ctx: SwapContext, j: SwapJournal): SwapStep[] {
  return [
    { name: 'create views and triggers', run: () => replaceViewsAndTriggers(ctx, j) },
    { name: 'swap storage', run: async () => (j.storage ? finishStorageSwap(j.storage) : undefined) },
    { name: 'drop staging databases', run: () => dropStaging(ctx.conn, j) },
  ];
}

/**
 * The whole swap, in order. The load runs every step; a test may stop after any of them, as a kill
 * would, and check what the recovery makes of it.
 */
export function swapSteps(ctx: SwapContext, j: SwapJournal): SwapStep[] {
  const { conn } = ctx;
  return [
    { name: 'write journal', run: () => writeJournal(conn, j) },
    {
      name: 'drop live triggers',
      run: async () => {
        for (const t of j.liveTriggers) await conn.query(`DROP TRIGGER IF EXISTS ${quoteIdent(j.live)}.${quoteIdent(t.name)}`);
      },
    },
    {
      name: 'rename tables',
      run: async () => {
        try {
          await renameIntoLive(conn, j);
        } catch (e) {
          throw new OlympiaError(`Swapping the loaded tables into "${j.live}" failed; the previous data is unchanged: ${(e as Error).message}`, { cause: e });
        }
      },
    },
    ...rollForwardSteps(ctx, j),
  ];
}

/**
 * A database this load created, once what the fill made in it is gone: dropped if nothing else is in
 * it (another client's table, view, routine or event keeps it). Held under the database's lock, so
 * no other load can be filling it.
 */
async function dropIfStillEmpty(conn: Connection, database: string): Promise<void> {
  const [r] = await conn.query(
    `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?)
          + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?)
          + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?) AS n`,
    [database, database, database],
  );
  if (Number((r as { n: number | string }[])[0].n) === 0) await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
}

/** Undoes a direct fill: what it made in the live database goes, so the database is empty again. */
async function rollBackFill(ctx: SwapContext, j: SwapJournal & { fill: { tables: string[] } }): Promise<void> {
  const { conn } = ctx;
  const L = quoteIdent(j.live);
  for (const t of j.triggers) await conn.query(`DROP TRIGGER IF EXISTS ${L}.${quoteIdent(t.name)}`);
  for (const v of j.views) await conn.query(`DROP VIEW IF EXISTS ${L}.${quoteIdent(v.name)}`);
  if (j.fill.tables.length) {
    // Tables that reference each other drop together, whatever the order.
    await conn.query('SET @olympia_fk = @@foreign_key_checks, foreign_key_checks = 0');
    try {
      await conn.query(`DROP TABLE IF EXISTS ${j.fill.tables.map((t) => `${L}.${quoteIdent(t)}`).join(', ')}`);
    } finally {
      await conn.query('SET foreign_key_checks = @olympia_fk').catch(() => undefined);
    }
  }
  if (j.storage) await rm(j.storage.staged, { recursive: true, force: true });
  if (j.createdLive) await dropIfStillEmpty(conn, j.live);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.old)}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.stage)}`);
  // Last: with it goes the journal.
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.journal)}`);
}

async function rollBack(ctx: SwapContext, j: SwapJournal): Promise<void> {
  const { conn } = ctx;
  const present = new Set((await listTriggers(conn, j.live)).map((t) => t.name));
  const missing = j.liveTriggers.filter((t) => !present.has(t.name));
  if (missing.length) await createLiveObjects(conn, ctx.target, j.live, { views: [], triggers: missing }, ctx.server, ctx.reporter);
  if (j.storage) await rm(j.storage.staged, { recursive: true, force: true });
  if (j.createdLive) await dropIfStillEmpty(conn, j.live);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.old)}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.stage)}`);
  // Last: with it goes the journal.
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.journal)}`);
}

function refuse(database: string, journalDb: string, what: string): never {
  throw new IntegrityError(
    `The load journal of "${database}" (database ${journalDb}) ${what}; olympia-data did not write it that way, so nothing was done.`,
    `If no load of "${database}" was interrupted, drop the database ${journalDb} and run the command again; otherwise restore "${database}" from a backup.`,
  );
}

const TAG = /^\d+-[0-9a-f]{8}$/;

function isObjectList(x: unknown): x is SchemaObject[] {
  return (
    Array.isArray(x) && x.every((o) => typeof o === 'object' && o !== null && typeof (o as SchemaObject).name === 'string' && typeof (o as SchemaObject).createSql === 'string')
  );
}

/**
 * A journal's document, checked against what this database derives: the same database names, and
 * storage paths that are the load's own siblings of one absolute storage dir. Pure.
 */
export function validateJournal(database: string, doc: unknown): SwapJournal {
  const names = stagingNames(database);
  const fail = (what: string): never => refuse(database, names.journal, what);
  if (typeof doc !== 'object' || doc === null) return fail('is not a JSON object');
  const j = doc as Record<string, unknown>;
  if (j.live !== database) fail(`names the database ${JSON.stringify(j.live)}`);
  for (const key of ['stage', 'old', 'journal'] as const) if (j[key] !== names[key]) fail(`names ${JSON.stringify(j[key])} as its ${key} database instead of ${names[key]}`);
  for (const key of ['liveTriggers', 'views', 'triggers']) if (!isObjectList(j[key])) fail(`has a malformed "${key}" list`);
  if (j.fill !== undefined) {
    const tables = (j.fill as { tables?: unknown } | null)?.tables;
    if (!Array.isArray(tables) || !tables.every((t) => typeof t === 'string' && t.length > 0)) fail('has a malformed "fill" list');
  }
  if (j.createdLive !== undefined && typeof j.createdLive !== 'boolean') fail('has a malformed "createdLive" flag');
  if (j.storage !== undefined) {
    const s = j.storage as Record<string, unknown>;
    const dir = typeof s === 'object' && s !== null ? s.dir : undefined;
    if (typeof dir !== 'string' || dir === '/' || resolve(dir) !== dir) fail('has a storage directory that is not an absolute path');
    const d = dir as string;
    const tag = typeof s.staged === 'string' && s.staged.startsWith(`${d}.olympia-new-`) ? s.staged.slice(`${d}.olympia-new-`.length) : '';
    if (!TAG.test(tag) || s.aside !== `${d}.olympia-old-${tag}`) fail(`has storage paths that are not the load's own copies beside ${d}`);
  }
  return j as unknown as SwapJournal;
}

type JournalState = 'pending' | 'filling' | 'swapped';

async function readJournal(conn: Connection, database: string): Promise<{ state: JournalState; journal: SwapJournal } | null> {
  const { journal: jdb } = stagingNames(database);
  const [r] = await conn.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?, ?, ?)`, [
    jdb,
    JOURNAL_PENDING,
    JOURNAL_FILLING,
    JOURNAL_SWAPPED,
  ]);
  const where = (r as { t: string }[]).map((x) => x.t);
  if (where.length === 0) return null;
  if (where.length > 1) refuse(database, jdb, `is in ${where.length} states at once`);
  const state: JournalState = where[0] === JOURNAL_SWAPPED ? 'swapped' : where[0] === JOURNAL_FILLING ? 'filling' : 'pending';
  const swapped = state === 'swapped';
  const [docs] = await conn.query(`SELECT doc FROM ${quoteIdent(jdb)}.${where[0]}`);
  const rows = docs as { doc: string | Buffer }[];
  // Killed between creating the journal and writing it: nothing changed yet.
  if (rows.length === 0 && !swapped) return null;
  if (rows.length !== 1) refuse(database, jdb, `holds ${rows.length} entries`);
  let doc: unknown;
  try {
    doc = JSON.parse(String(rows[0].doc));
  } catch {
    refuse(database, jdb, 'is not valid JSON');
  }
  const journal = validateJournal(database, doc);
  // Only a fill journal says which tables to drop, and only a fill journal may.
  if ((state === 'filling') !== (journal.fill !== undefined) && state !== 'swapped') refuse(database, jdb, `is ${state} but ${journal.fill ? 'names' : 'does not name'} a fill`);
  return { state, journal };
}

export type Recovery = 'none' | 'rolled back' | 'rolled forward';

/**
 * Finishes or undoes the swap of a load that was killed midway, so no command ever works on a
 * database whose tables are new but whose views, triggers or storage are old. Cheap when there is
 * nothing to do (one information_schema query). Takes the database's lock unless the caller holds
 * it (`lockHeld`).
 */
export async function recoverInterruptedLoad(conn: Connection, target: MysqlTarget, opts: { reporter: Reporter; lockTimeoutS: number; lockHeld?: boolean }): Promise<Recovery> {
  const { reporter } = opts;
  const database = target.database;
  if (!(await readJournal(conn, database))) return 'none';
  const ctx: SwapContext = { conn, target, reporter, server: await serverFlavor(conn) };
  const release = opts.lockHeld
    ? async () => undefined
    : await acquireDatabaseLock(conn, database, { timeoutS: opts.lockTimeoutS, reporter, purpose: 'the recovery of an interrupted load' });
  try {
    // Under the lock: the load we saw may have been running, and finished meanwhile.
    const found = await readJournal(conn, database);
    if (!found) return 'none';
    if (found.state === 'swapped') {
      reporter.warn(`A load into "${database}" was interrupted after its tables were swapped in; finishing it (views, triggers, storage).`);
      for (const step of rollForwardSteps(ctx, found.journal)) {
        try {
          await step.run();
        } catch (e) {
          throw new OlympiaError(`A load into "${database}" was interrupted after its tables were swapped in, and finishing it failed at "${step.name}": ${(e as Error).message}`, {
            cause: e,
            hint: `The tables are the backup's. Fix the cause and run the command again, or drop the database ${found.journal.journal} to give up finishing it (its views, triggers or storage then stay as they are).`,
          });
        }
      }
      return 'rolled forward';
    }
    if (found.state === 'filling') {
      reporter.warn(`A load into the empty "${database}" was interrupted while filling it; what it had made is removed, so the database is empty again.`);
      // The killed run's load account had rights on the live database itself: it goes first.
      await dropLeftoverLoadAccounts(conn, database);
      await rollBackFill(ctx, found.journal as SwapJournal & { fill: { tables: string[] } });
      return 'rolled back';
    }
    reporter.warn(`A load into "${database}" was interrupted before its swap; the previous data stays, and its staged copy is removed.`);
    await rollBack(ctx, found.journal);
    return 'rolled back';
  } finally {
    await release();
  }
}
