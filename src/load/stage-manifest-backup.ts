// Loads an olympia-data backup into the staging database: the tables first (created in parallel; a big
// one bare, see create-table.ts), then all data files in parallel with LOAD DATA LOCAL INFILE (or
// INSERTs), a big table's secondary indexes and foreign keys as soon as its rows are in, then counts.
import type { FileHandle } from 'node:fs/promises';
import { type Readable, Transform, type Writable } from 'node:stream';
import { join } from 'node:path';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import type { StatementGuard } from './confinement.js';
import type { Reporter } from '../core/reporter.js';
import { runPool } from '../core/run-pool.js';
import { runQueue } from '../core/work-queue.js';
import { type Connection, quoteIdent, quoteString } from '../mysql/connect.js';
import { columnTypes, DEFER_INDEXES_MIN_BYTES, type SplitCreateTable, tableCreation } from './create-table.js';
import { retryOnDeadlock } from './deadlock-retry.js';
import { LOAD_DATA_FORMAT } from '../mysql/row-encoder.js';
import type { DataFile, Manifest, TableEntry } from '../backup/manifest.js';
import { type ColumnKind, columnKinds, type InsertFile, insertRows, InsertStatements, kindsFromTypes, type SendBytes } from './insert-loader.js';
import { openDataFile, readSize } from './data-file.js';

/**
 * MariaDB's address and UUID types read a binary string as their binary form, and LOAD DATA ...
 * CHARACTER SET binary hands them their text form as one: such a column goes through a variable,
 * converted to text first.
 */
const TEXT_FORM_TYPES = new Set(['inet4', 'inet6', 'uuid']);

export function loadDataSql(table: TableEntry, path: string, types: ReadonlyMap<string, string> = new Map()): string {
  const bits = new Set(table.bitColumns);
  const viaText = (c: string) => TEXT_FORM_TYPES.has(types.get(c) ?? '');
  const targets = table.columns.map((c, i) => (bits.has(c) || viaText(c) ? `@b${i}` : quoteIdent(c)));
  const sets = table.columns.flatMap((c, i) =>
    bits.has(c) ? [`${quoteIdent(c)} = CAST(@b${i} AS UNSIGNED)`] : viaText(c) ? [`${quoteIdent(c)} = CONVERT(@b${i} USING utf8mb4)`] : [],
  );
  return `LOAD DATA LOCAL INFILE ${quoteString(path)} INTO TABLE ${quoteIdent(table.name)} ${LOAD_DATA_FORMAT} (${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`;
}

type RawQuery = (o: object, cb: (err: Error | null, result: { affectedRows: number; warningStatus: number }) => void) => void;

const SOCKET_BACKLOG = 4 << 20;

/**
 * mysql2 writes LOCAL INFILE data to the socket as fast as the file reads, ignoring the socket's
 * backpressure; holding each chunk until the socket drains keeps memory at a few MB per connection.
 */
function throttledFile(file: FileHandle, bytes: number, socket: Writable): Readable {
  const waitForDrain = new Transform({
    transform(chunk, _enc, done) {
      if (socket.writableLength < SOCKET_BACKLOG) return done(null, chunk);
      socket.once('drain', () => done(null, chunk));
    },
  });
  // The stream closes the file when it ends, fails or is destroyed; it reads no further than the
  // size verified, should the file grow meanwhile.
  const stream = file.createReadStream({ highWaterMark: readSize(bytes), start: 0, end: Math.max(0, bytes - 1) });
  stream.on('error', (e) => waitForDrain.destroy(e));
  // Destroying what mysql2 reads (a query that failed midway) closes the file too.
  waitForDrain.once('close', () => stream.destroy());
  return stream.pipe(waitForDrain);
}

async function loadFile(conn: Connection, table: TableEntry, path: string, bytes: number, types: ReadonlyMap<string, string>): Promise<{ rows: number; warnings: number }> {
  const raw = (conn as unknown as { connection: { query: RawQuery; stream: Writable } }).connection;
  // Opened before the server asks for it, so a file that is no longer the one verified fails the load here.
  const file = await openDataFile(path, bytes);
  let handed: Readable | undefined;
  try {
    return await new Promise((resolve, reject) => {
      raw.query(
        {
          sql: loadDataSql(table, path, types),
          // Only ever hand the server the file we asked it to read.
          infileStreamFactory: (requested: string) => {
            if (requested !== path) throw new OlympiaError(`The server asked for ${requested} instead of ${path}; refusing.`);
            handed = throttledFile(file, bytes, raw.stream);
            return handed;
          },
        },
        (err, result) => (err ? reject(err) : resolve({ rows: result.affectedRows, warnings: result.warningStatus })),
      );
    });
  } finally {
    // mysql2 leaves its read of the file unfinished when the query fails midway.
    if (handed) handed.destroy();
    else await file.close().catch(() => undefined);
  }
}

/** `auto` uses LOAD DATA LOCAL INFILE when the server allows it, else INSERTs. */
export type LoadMethod = 'auto' | 'insert';

/**
 * `workers` are connections of the load's confinement (load/confinement.ts); `guard` vets each
 * table definition before it runs.
 */
export async function stageManifestBackup(opts: {
  dir: string;
  manifest: Manifest;
  workers: Connection[];
  reporter: Reporter;
  method?: LoadMethod;
  guard: StatementGuard;
  /** Each table whose CREATE TABLE succeeded is added here, as it is. */
  created?: Set<string>;
  /** How INSERT statements are sent; queryBytes by default. */
  sendBytes?: SendBytes;
}): Promise<void> {
  const { manifest, workers, reporter } = opts;
  const [first] = workers;
  const creation = new Map<string, SplitCreateTable>();
  for (const t of manifest.tables) {
    const vetted = opts.guard.vet(t.createSql, `The definition of table "${t.name}"`);
    if (vetted?.kind !== 'CREATE TABLE') throw new IntegrityError(`The definition of table "${t.name}" in the backup does not create a table. Nothing was changed.`);
    const plan = tableCreation(t.name, vetted.sql, tableBytes(t));
    // The ALTERs are cut from the definition's text: checked on their own too, before any runs.
    for (const sql of plan.deferred) opts.guard.vet(sql, `The indexes of table "${t.name}"`);
    creation.set(t.name, plan);
  }

  // A stock mysql:8.0 refuses LOAD DATA LOCAL; INSERTs then do the job, only slower.
  const [infile] = await first.query('SELECT @@GLOBAL.local_infile AS enabled');
  let useInsert = opts.method === 'insert' || Number((infile as { enabled: number | string }[])[0].enabled) !== 1;
  if (useInsert && opts.method !== 'insert')
    reporter.warn('The server has local_infile off, so rows are loaded with INSERT statements (slower). `SET GLOBAL local_infile = 1` on the server makes loads faster.');
  // Each table's column types, read from its definition once, not per file.
  const types = new Map<string, Map<string, string>>();
  const typesOf = (t: TableEntry) => types.get(t.name) ?? types.set(t.name, columnTypes(creation.get(t.name)!.create)).get(t.name)!;
  const kinds = new Map<string, ColumnKind[]>();
  // From the definition the table was created by; from the server only when it names no type for a column.
  const kindsOf = async (conn: Connection, t: TableEntry) => {
    if (!kinds.has(t.name)) {
      const known = kindsFromTypes(t.columns, t.bitColumns, typesOf(t));
      kinds.set(t.name, known ?? (await columnKinds(conn, t.name, t.columns, t.bitColumns)));
    }
    return kinds.get(t.name)!;
  };
  // The longest row worth building a statement for: the server refuses a longer statement anyway.
  let maxPacket: Promise<number> | undefined;
  const maxRowBytes = (conn: Connection) => (maxPacket ??= conn.query('SELECT @@max_allowed_packet AS n').then(([r]) => Number((r as { n: number | string }[])[0].n)));
  const insertFile = (table: TableEntry, file: DataFile, fileKinds: ColumnKind[], rowLimit: number): InsertFile => ({
    table: table.name,
    columns: table.columns,
    kinds: fileKinds,
    path: join(opts.dir, ...file.path.split('/')),
    bytes: file.size,
    maxStatementBytes: INSERT_STATEMENT_BYTES,
    maxRowBytes: rowLimit,
  });
  // LOAD DATA first while the server takes it; once it refuses (local_infile turned off meanwhile, say
  // by another load on the same server), this file and the rest go as INSERTs. A refused LOAD DATA
  // has inserted nothing: the server refuses before it asks for the file.
  const loadRows = async (conn: Connection, table: TableEntry, file: DataFile, path: string): Promise<{ rows: number; warnings: number }> => {
    if (!useInsert) {
      try {
        return await retryOnDeadlock(() => loadFile(conn, table, path, file.size, typesOf(table)));
      } catch (e) {
        if (!LOCAL_INFILE_REFUSED.has((e as { errno?: number }).errno ?? 0)) throw e;
        if (!useInsert)
          reporter.warn('The server stopped taking LOAD DATA LOCAL during the load (its local_infile was turned off), so the rest of the rows go as INSERT statements.');
        useInsert = true;
      }
    }
    const statements = new InsertStatements(insertFile(table, file, await kindsOf(conn, table), await maxRowBytes(conn)));
    return { rows: await insertRows(conn, statements, opts.sendBytes), warnings: 0 };
  };

  // One queue for the whole load, so no connection waits for a phase to end. Tables are created
  // biggest first. A big table's files go to the front as soon as it exists, so the long loads start
  // early, and when its last file is in, building its indexes does too. The other tables' files wait
  // until every table is created: table creation and row loading slow each other down on the server
  // more than either slows itself, so the many small tables load faster in two phases. Foreign key
  // checks are off on these connections, so a table may name one not created yet.
  type Task = { kind: 'create'; table: TableEntry } | { kind: 'file'; table: TableEntry; file: DataFile } | { kind: 'indexes'; table: TableEntry };
  const creates: Task[] = [...manifest.tables].sort((a, b) => tableBytes(b) - tableBytes(a)).map((table) => ({ kind: 'create', table }));
  const filesLeft = new Map(manifest.tables.map((t) => [t.name, t.files.length]));
  const loaded = new Map(manifest.tables.map((t) => [t.name, { rows: 0, bytes: 0 }]));
  const indexesOf = (table: TableEntry): Task[] => (creation.get(table.name)!.deferred.length > 0 ? [{ kind: 'indexes', table }] : []);
  await runQueue(workers, creates, async (conn, task, queue) => {
    const { table } = task;
    if (task.kind === 'create') {
      await conn.query(creation.get(table.name)!.create);
      opts.created?.add(table.name);
      // An empty file (no bytes, as verified) has nothing to load.
      const files = table.files.filter((f) => f.size > 0 || f.rows > 0);
      filesLeft.set(table.name, files.length);
      const next: Task[] = files.length ? [...files].sort((a, b) => b.size - a.size).map((file) => ({ kind: 'file', table, file })) : indexesOf(table);
      if (tableBytes(table) >= DEFER_INDEXES_MIN_BYTES) for (const t of next.reverse()) queue.add(t, true);
      else for (const t of next) queue.add(t);
      return;
    }
    if (task.kind === 'indexes') {
      for (const sql of creation.get(table.name)!.deferred) await retryOnDeadlock(() => conn.query(sql));
      return;
    }
    const { file } = task;
    const path = join(opts.dir, ...file.path.split('/'));
    const r = await loadRows(conn, table, file, path).catch((e: Error) => {
      throw new OlympiaError(`Loading ${file.path} into table "${table.name}" failed: ${e.message}`, { cause: e });
    });
    if (r.warnings > 0) {
      const [w] = await conn.query('SHOW WARNINGS LIMIT 3');
      const text = (w as { Message: string }[]).map((x) => x.Message).join('; ');
      throw new IntegrityError(
        `Loading ${file.path} into table "${table.name}" gave ${r.warnings} warning(s): ${text}.`,
        'The data does not fit the table definition; the backup may come from an incompatible server.',
      );
    }
    const p = loaded.get(table.name)!;
    p.rows += r.rows;
    p.bytes += file.size;
    reporter.progress?.({ label: table.name, rows: p.rows, bytes: p.bytes, totalRows: table.rows });
    const left = filesLeft.get(table.name)! - 1;
    filesLeft.set(table.name, left);
    if (left === 0) for (const t of indexesOf(table)) queue.add(t, true);
  });

  // Counted, not taken from what the server reported inserted: a table's engine is the backup's choice,
  // and one (BLACKHOLE) reports rows it never keeps. One round trip for many tables.
  const batches: TableEntry[][] = [];
  for (let i = 0; i < manifest.tables.length; i += COUNT_BATCH) batches.push(manifest.tables.slice(i, i + COUNT_BATCH));
  await runPool(workers, batches, async (conn, batch) => {
    const [r] = await conn.query(batch.map((t, i) => `SELECT ${i} AS i, COUNT(*) AS n FROM ${quoteIdent(t.name)}`).join(' UNION ALL '));
    for (const { i, n } of r as { i: number | string; n: number | string }[]) {
      const t = batch[Number(i)];
      if (Number(n) !== t.rows) {
        throw new IntegrityError(
          `Table "${t.name}" holds ${n} rows after loading; the backup recorded ${t.rows}. Nothing was changed.`,
          'The backup may be damaged: run `olympia-data verify` on it.',
        );
      }
    }
  });
}

const COUNT_BATCH = 100;

/** The most text one INSERT statement carries. */
const INSERT_STATEMENT_BYTES = 4 << 20;

/** A refused LOAD DATA LOCAL: 1148 (older servers), 3948 (MySQL 8), 4166 (MariaDB 10.6 and later). */
const LOCAL_INFILE_REFUSED = new Set([1148, 3948, 4166]);

function tableBytes(t: TableEntry): number {
  return t.files.reduce((n, f) => n + f.size, 0);
}
