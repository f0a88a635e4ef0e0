// The dump engine: one consistent snapshot of the whole database, written in parallel as a backup.
// The caller finishes any load killed mid-swap first (a snapshot must never catch one half done).
import { makeDir, PRIVATE_DIR } from '../core/safe-fs.js';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { BackupName } from '../core/backup-name.js';
import { dumpConnections, dumpThreadsToPrestart, widensServerWrites } from './chunk-plan.js';
import { batchTasks, type DumpTask, planDump, splitColumn, tablesToSplit } from './dump-plan.js';
import { mustSync, type SyncMode } from '../core/durability.js';
import { ConnectionError, NotFoundError, OlympiaError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { runPool } from '../core/run-pool.js';
import { type Manifest, MANIFEST_FORMAT, MANIFEST_VERSION, totalBytes, totalRows } from '../backup/manifest.js';
import { snapshotStorage } from '../backup/storage-snapshot.js';
import { fsError, type BackupStore, type PendingBackup } from '../backup/store.js';
import { type ChunkResult, DumpConnections } from './dump-connections.js';
import { prestartDumpThreads, releaseDumpThreads } from './dump-threads.js';
import { dumpChunks } from './table-dump.js';
import { connect, type Connection, quoteIdent, serverVersion } from '../mysql/connect.js';
import { widenServerWrites } from '../mysql/server-write-buffer.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { readDefinitions, readSchemaLists } from '../mysql/schema.js';
import { TOOL_VERSION } from '../core/version.js';

export interface DumpOptions {
  target: MysqlTarget;
  store: BackupStore;
  name: BackupName;
  force?: boolean;
  storageDir?: string;
  jobs: number;
  migrationHash?: string;
  /** The files of that hash with their own sha256, recorded beside it. */
  migrationFiles?: { path: string; sha256: string }[];
  reporter: Reporter;
  /** Target size of one data file; big tables are split into chunks of about this size. */
  chunkBytes?: number;
  /** When files are synced to disk (core/durability.ts); `auto` by default. */
  sync?: SyncMode;
}

export interface DumpResult {
  name: BackupName;
  path: string;
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
  manifest: Manifest;
}

/** Attempts at the global read lock, and how long each waits for running statements. */
const READ_LOCK_ATTEMPTS = 6;
const READ_LOCK_WAIT_S = 3;

/**
 * FLUSH TABLES WITH READ LOCK, waiting briefly each time. A long wait can deadlock with the
 * application: while the lock is pending, a transaction that holds a row lock cannot run its next
 * write, and another statement waiting for that row keeps the flush waiting; only InnoDB's lock wait
 * timeout would end it, failing the application's statement. Giving up quickly lets those
 * transactions finish; the next attempt usually finds a quiet moment.
 */
async function globalReadLock(control: Connection, reporter: Reporter): Promise<void> {
  await control.query(`SET SESSION lock_wait_timeout = ${READ_LOCK_WAIT_S}`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await control.query('FLUSH TABLES WITH READ LOCK');
        return;
      } catch (e) {
        if ((e as { errno?: number }).errno !== ER_LOCK_WAIT_TIMEOUT || attempt >= READ_LOCK_ATTEMPTS) throw e;
        if (attempt === 1) reporter.info('Waiting for a moment without long-running writes, to freeze them briefly for a consistent snapshot…');
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } finally {
    // The rest of the dump (schema reads, rows on this connection) waits as long as the server allows.
    await control.query('SET SESSION lock_wait_timeout = DEFAULT').catch(() => undefined);
  }
}

const ER_LOCK_WAIT_TIMEOUT = 1205;

/**
 * Gives the dump's connections one shared moment of the database: writes are frozen (a global read
 * lock) until each has started its snapshot. The lock is taken at once, so the schema is read under
 * it while the threads are still starting, and the connection on this thread can begin on its
 * first chunk meanwhile. `started` settles when every snapshot has; `unlock` then lets writes go
 * on (the snapshots stay).
 */
async function openSnapshot(
  opts: DumpOptions,
  control: Connection,
  pool: DumpConnections,
  work: { dataBytes: number; connections: number },
): Promise<{ pool?: DumpConnections; started: Promise<void>; unlock: () => Promise<void> }> {
  try {
    await globalReadLock(control, opts.reporter);
  } catch (e) {
    // Without RELOAD we cannot freeze writes while the workers start, so one connection reads
    // everything from its own snapshot: slower but still consistent.
    opts.reporter.warn(`Cannot take a global read lock (${(e as Error).message.split('\n')[0]}); dumping over a single connection to keep the snapshot consistent.`);
    await pool.finish();
    await control.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await control.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    // This connection reads all the rows now: the server's large writes are for it, if they pay.
    if (widensServerWrites(work.dataBytes, 1)) await widenServerWrites(control);
    return { started: Promise.resolve(), unlock: async () => undefined };
  }
  const started = pool.startSnapshots(widensServerWrites(work.dataBytes, work.connections));
  started.catch(() => undefined); // awaited by the caller; a failure meanwhile is not "unhandled"
  return { pool, started, unlock: async () => void (await control.query('UNLOCK TABLES')) };
}

export async function dump(opts: DumpOptions): Promise<DumpResult> {
  // Threads boot on the other cores while this one connects and sizes the database.
  prestartDumpThreads(dumpThreadsToPrestart(opts.jobs, availableParallelism()));
  try {
    return await dumpWith(opts);
  } finally {
    // Those no connection took: a small database needs fewer, and a failure before they were taken none.
    await releaseDumpThreads();
  }
}

async function dumpWith(opts: DumpOptions): Promise<DumpResult> {
  const started = Date.now();
  const { reporter, target } = opts;
  // Every dump reads over at least one connection: it opens while this one connects, checks and
  // sizes the database (it takes its snapshot only later, under the global read lock).
  const readers = DumpConnections.start(target, 1);
  const stopReaders = () => readers.terminate();
  // Connect before touching the backup directory: an unreachable server leaves nothing behind.
  let control: Connection;
  try {
    // Its own statements only, so it may send the schema reads in batches.
    control = await connect(target, { multipleStatements: true });
  } catch (e) {
    await stopReaders();
    if ((e as ConnectionError).cause && ((e as ConnectionError).cause as { code?: string }).code === 'ER_BAD_DB_ERROR') {
      throw new NotFoundError(
        `The database "${target.database}" does not exist, so there is nothing to dump.`,
        'Run `olympia-data initialize` first, or fix the database name in --database-url.',
      );
    }
    throw e;
  }
  // The backup directory is prepared while the database is sized.
  const beginning = opts.store.beginWrite(opts.name, { force: opts.force ?? false });
  beginning.catch(() => undefined); // awaited below
  const chunkBytes = opts.chunkBytes ?? 64 << 20;
  let pending: PendingBackup;
  let connections: number;
  let dataBytes: number;
  try {
    // MySQL 8 serves table sizes from a cache up to a day old (zero for a table filled since it was
    // cached), and they decide the chunks and connections: ask for current ones. MariaDB has no such
    // cache or variable.
    await control.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
    const [size] = await control.query(
      "SELECT COALESCE(SUM(DATA_LENGTH), 0) AS bytes, COUNT(*) AS tables FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
      [target.database],
    );
    const { bytes, tables } = (size as { bytes: number | string; tables: number | string }[])[0];
    dataBytes = Number(bytes);
    connections = dumpConnections(dataBytes, Number(tables), chunkBytes, Math.max(1, opts.jobs));
    // The other connections (and threads) start at once, on the other cores.
    readers.grow(target, connections - 1);
    void releaseDumpThreads();
    pending = await beginning;
  } catch (e) {
    await stopReaders();
    await control.end().catch(() => undefined);
    await beginning.then(
      (p) => p.abort(),
      () => undefined,
    );
    throw e;
  }
  try {
    const version = await serverVersion(control);
    const snap = await openSnapshot(opts, control, readers, { dataBytes, connections });

    // The schema is read while writes (and DDL) are frozen, so it matches the data the workers see:
    // first what the chunks need, then, while the rows already stream, the definitions.
    const db = target.database;
    const { tables, views, columns, primaries } = await readSchemaLists(control, db);
    await makeDir(join(pending.dir, 'data'), PRIVATE_DIR);
    const keys = new Map(tables.map((t) => [t.name, splitColumn(primaries.get(t.name), columns.get(t.name) ?? [])]));
    const bounds = new Map<string, { lo: bigint; hi: bigint }>();
    for (const t of tablesToSplit({ tables, keys }, chunkBytes)) {
      const key = quoteIdent(keys.get(t.name)!);
      const [mm] = await control.query(`SELECT MIN(${key}) AS lo, MAX(${key}) AS hi FROM ${quoteIdent(db)}.${quoteIdent(t.name)}`);
      const { lo, hi } = (mm as { lo: string | null; hi: string | null }[])[0];
      if (lo !== null && hi !== null) bounds.set(t.name, { lo: BigInt(lo), hi: BigInt(hi) });
    }
    const { tasks, entries } = planDump({ database: db, tables, columns, keys, bounds }, chunkBytes);
    const readAllDefinitions = async () => {
      const d = await readDefinitions(
        control,
        db,
        tables.map((t) => t.name),
        views,
      );
      return {
        creates: new Map(tables.map((t, i) => [t.name, d.tables[i]])),
        viewDefs: views.map((name, i) => ({ name, createSql: d.views[i] })),
        triggers: d.triggers.map(({ name, createSql }) => ({ name, createSql })),
      };
    };

    const estimated = new Map(tables.map((t) => [t.name, t.estimatedRows]));
    const done = new Map<string, { rows: number; bytes: number }>();
    const onRows = (task: DumpTask, rows: number, bytes: number) => {
      const d = done.get(task.table) ?? { rows: 0, bytes: 0 };
      d.rows += rows;
      d.bytes += bytes;
      done.set(task.table, d);
      reporter.progress?.({ label: task.table, rows: d.rows, bytes: d.bytes, totalRows: estimated.get(task.table) });
    };
    const sync = mustSync(opts.sync ?? 'auto', pending.replaces);
    // Small chunks go several to a query; each part keeps its task.
    const batches = batchTasks(tasks, snap.pool ? connections : 1);
    const query = (batch: DumpTask[]) => ({ parts: batch.map((t) => ({ sql: t.sql, file: join(pending.dir, ...t.file.split('/')) })), sync });
    let results: ChunkResult[][];
    let definitions: Awaited<ReturnType<typeof readAllDefinitions>>;
    if (snap.pool) {
      // Connections whose snapshot has started take chunks at once; writes stay frozen until all
      // have, and until the definitions are read.
      const running = snap.pool.run(batches.map(query), (i, part, rows, bytes) => onRows(batches[i][part], rows, bytes));
      running.catch(() => undefined); // awaited below, after the unlock
      definitions = await readAllDefinitions();
      await snap.started;
      await snap.unlock();
      results = await running;
    } else {
      definitions = await readAllDefinitions();
      // Rows travel in each column's own character set, unconverted, and LOAD DATA ... CHARACTER SET
      // binary puts the same bytes back: exact for latin1, greek or utf8mb4 columns alike. (The
      // pool's connections do the same when they start their snapshots.)
      await control.query('SET character_set_results = binary');
      const written = await runPool([control], batches, (conn, batch) => dumpChunks(conn, { ...query(batch), onRows: (part, rows, bytes) => onRows(batch[part], rows, bytes) }));
      // Every data file closed (and synced) before the manifest lists it, as the pool's finish() waits.
      await Promise.all(written.map((w) => w.closed));
      results = written.map((w) => w.results);
    }
    const { creates, viewDefs, triggers } = definitions;
    // Files are listed in chunk order, whatever order they were written in.
    const byIndex = batches.flatMap((batch, i) => batch.map((task, part) => ({ task, ...results[i][part] }))).sort((a, b) => a.task.index - b.task.index);
    for (const r of byIndex) {
      const e = entries.get(r.task.table)!;
      // An empty chunk wrote no file; an empty table lists none.
      if (r.size === 0) continue;
      e.files.push({ path: r.task.file, rows: r.rows, size: r.size, sha256: r.sha256 });
      e.rows += r.rows;
    }
    if (snap.pool) await snap.pool.finish();
    else await control.query('COMMIT').catch(() => undefined);
    const storage = opts.storageDir ? { files: await snapshotStorage(opts.storageDir, pending.dir, reporter, { sync }) } : null;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      name: opts.name,
      createdAt: new Date().toISOString(),
      toolVersion: TOOL_VERSION,
      server: { version },
      database: db,
      ...(opts.migrationHash ? { migrationHash: opts.migrationHash } : {}),
      ...(opts.migrationHash && opts.migrationFiles ? { migrationFiles: opts.migrationFiles } : {}),
      tables: [...entries.values()].map(({ name, ...rest }) => ({ name, createSql: creates.get(name)!, ...rest })),
      views: viewDefs,
      triggers,
      storage,
      durationMs: Date.now() - started,
    };
    const path = await pending.commit(manifest);
    return { name: opts.name, path, tables: manifest.tables.length, rows: totalRows(manifest), bytes: totalBytes(manifest), durationMs: Date.now() - started, manifest };
  } catch (e) {
    await pending.abort();
    if (e instanceof OlympiaError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code) && 'syscall' in (e as object)) throw fsError('write the backup to', opts.store.root, e);
    throw e;
  } finally {
    // After a failure, the threads stop mid-task (their connections and files close with them).
    await stopReaders();
    await control.end().catch(() => undefined);
  }
}
