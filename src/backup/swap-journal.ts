// The swap at the end of a load, made restartable. Before anything live changes, a journal (one
// row in a table of the staging database) says what the swap will do; the RENAME TABLE that swaps
// the tables in moves the journal into the `old` database in the same atomic statement. So the
// journal's database tells which side of that point a killed load died on:
// - in the staging database: nothing was swapped; put back the live triggers dropped for the
//   rename and discard the staged copies (roll back);
// - in the `old` database: the tables are swapped; create the backup's views and triggers and
//   swap the storage directory in (roll forward), then drop `old`, journal and all, last.
// Every step after the rename is idempotent, so a recovery that is itself killed can run again.
import type { Reporter } from '../core/reporter.js';
import { OlympiaError } from '../core/errors.js';
import { type Connection, quoteIdent } from '../mysql/connect.js';
import { listTables, listTriggers } from '../mysql/schema.js';
import { createViews, JOURNAL_TABLE, renameIntoLive, type SchemaObject, stagingNames } from '../mysql/swap-database.js';
import { acquireDatabaseLock } from '../mysql/advisory-lock.js';
import { finishStorageSwap, type StoragePaths } from './storage-snapshot.js';
import { rm } from 'node:fs/promises';

export interface SwapJournal {
  live: string;
  stage: string;
  old: string;
  /** The live triggers, dropped just before the rename (a table with triggers cannot change database). */
  liveTriggers: SchemaObject[];
  /** The backup's views and triggers, created once its tables are live. */
  views: SchemaObject[];
  triggers: SchemaObject[];
  /** The staged storage directory to swap in, if the load brings one. */
  storage?: StoragePaths;
}

export interface SwapStep {
  name: string;
  run: () => Promise<void>;
}

async function writeJournal(conn: Connection, j: SwapJournal): Promise<void> {
  const table = `${quoteIdent(j.stage)}.${quoteIdent(JOURNAL_TABLE)}`;
  await conn.query(`CREATE TABLE ${table} (doc LONGTEXT NOT NULL)`);
  await conn.query(`INSERT INTO ${table} (doc) VALUES (?)`, [JSON.stringify(j)]);
}

/** Drops the live database's views and triggers and creates the backup's: right however often it runs. */
async function replaceViewsAndTriggers(conn: Connection, j: SwapJournal): Promise<void> {
  await conn.query(`USE ${quoteIdent(j.live)}`);
  for (const t of await listTriggers(conn, j.live)) await conn.query(`DROP TRIGGER IF EXISTS ${quoteIdent(t.name)}`);
  for (const v of (await listTables(conn, j.live)).views) await conn.query(`DROP VIEW IF EXISTS ${quoteIdent(v)}`);
  await createViews(conn, j.views);
  for (const t of j.triggers) await conn.query(t.createSql);
}

async function dropStaging(conn: Connection, j: SwapJournal): Promise<void> {
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.stage)}`);
  // Last: with `old` goes the journal, so until here a recovery finishes the swap.
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.old)}`);
}

/** What follows the rename: the steps a recovery runs again, from the first. */
function rollForwardSteps(conn: Connection, j: SwapJournal): SwapStep[] {
  return [
    { name: 'create views and triggers', run: () => replaceViewsAndTriggers(conn, j) },
    { name: 'swap storage', run: async () => (j.storage ? finishStorageSwap(j.storage) : undefined) },
    { name: 'drop staging databases', run: () => dropStaging(conn, j) },
  ];
}

/**
 * The whole swap, in order. The load runs every step; a test may stop after any of them, as a kill
 * would, and check what the recovery makes of it. `conn` must have no default database that is dropped.
 */
export function swapSteps(conn: Connection, j: SwapJournal): SwapStep[] {
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
    ...rollForwardSteps(conn, j),
  ];
}

async function rollBack(conn: Connection, j: SwapJournal): Promise<void> {
  const present = new Set((await listTriggers(conn, j.live)).map((t) => t.name));
  await conn.query(`USE ${quoteIdent(j.live)}`);
  for (const t of j.liveTriggers) if (!present.has(t.name)) await conn.query(t.createSql);
  if (j.storage) await rm(j.storage.staged, { recursive: true, force: true });
  // Last: with the staging database goes the journal.
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.old)}`);
  await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(j.stage)}`);
}

async function readJournal(conn: Connection, database: string): Promise<{ swapped: boolean; journal: SwapJournal } | null> {
  const { stage, old } = stagingNames(database);
  const [r] = await conn.query(`SELECT TABLE_SCHEMA AS db FROM information_schema.TABLES WHERE TABLE_NAME = ? AND TABLE_SCHEMA IN (?, ?)`, [JOURNAL_TABLE, stage, old]);
  const where = (r as { db: string }[]).map((x) => x.db);
  if (where.length === 0) return null;
  const db = where.includes(old) ? old : stage;
  const [docs] = await conn.query(`SELECT doc FROM ${quoteIdent(db)}.${quoteIdent(JOURNAL_TABLE)}`);
  const doc = (docs as { doc: string | Buffer }[])[0]?.doc;
  if (doc === undefined) return null; // killed between creating the journal and writing it: nothing changed yet
  return { swapped: db === old, journal: JSON.parse(String(doc)) as SwapJournal };
}

export type Recovery = 'none' | 'rolled back' | 'rolled forward';

/**
 * Finishes or undoes the swap of a load that was killed midway, so no command ever works on a
 * database whose tables are new but whose views, triggers or storage are old. Cheap when there is
 * nothing to do (one information_schema query). Takes the database's load lock; the connection may
 * hold it already (the lock is reentrant per connection).
 */
export async function recoverInterruptedLoad(conn: Connection, database: string, opts: { reporter: Reporter; lockTimeoutS: number }): Promise<Recovery> {
  if (!(await readJournal(conn, database))) return 'none';
  const release = await acquireDatabaseLock(conn, database, { timeoutS: opts.lockTimeoutS, reporter: opts.reporter, purpose: 'the recovery of an interrupted load' });
  try {
    // Under the lock: the load we saw may have been running, and finished meanwhile.
    const found = await readJournal(conn, database);
    if (!found) return 'none';
    if (found.swapped) {
      opts.reporter.warn(`A load into "${database}" was interrupted after its tables were swapped in; finishing it (views, triggers, storage).`);
      for (const step of rollForwardSteps(conn, found.journal)) {
        try {
          await step.run();
        } catch (e) {
          throw new OlympiaError(`A load into "${database}" was interrupted after its tables were swapped in, and finishing it failed at "${step.name}": ${(e as Error).message}`, {
            cause: e,
            hint: `The tables are the backup's. Fix the cause and run the command again, or drop the database ${found.journal.old} to give up finishing it (its views, triggers or storage then stay as they are).`,
          });
        }
      }
      return 'rolled forward';
    }
    opts.reporter.warn(`A load into "${database}" was interrupted before its swap; the previous data stays, and its staged copy is removed.`);
    await rollBack(conn, found.journal);
    return 'rolled back';
  } finally {
    await release();
  }
}
