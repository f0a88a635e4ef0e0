// Loads an olympia-data backup into the staging database: bare tables first, then all data files
// in parallel with LOAD DATA LOCAL INFILE, each table's secondary indexes and foreign keys as soon as
// its rows are in, then counts.
import { createReadStream } from 'node:fs';
import { type Readable, Transform, type Writable } from 'node:stream';
import { join } from 'node:path';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import type { StatementGuard } from './confinement.js';
import type { Reporter } from '../core/reporter.js';
import { runPool } from '../core/run-pool.js';
import { runQueue } from '../core/work-queue.js';
import { type Connection, quoteIdent } from '../mysql/connect.js';
import { splitCreateTable } from './create-table.js';
import { retryOnDeadlock } from './deadlock-retry.js';
import { LOAD_DATA_FORMAT } from '../mysql/row-encoder.js';
import type { DataFile, Manifest, TableEntry } from '../backup/manifest.js';
import { type ColumnKind, columnKinds, insertFile } from './insert-loader.js';

function sqlString(s: string): string {
  return "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

export function loadDataSql(table: TableEntry, path: string): string {
  const bits = new Set(table.bitColumns);
  const targets = table.columns.map((c, i) => (bits.has(c) ? `@b${i}` : quoteIdent(c)));
  const sets = table.columns.flatMap((c, i) => (bits.has(c) ? [`${quoteIdent(c)} = CAST(@b${i} AS UNSIGNED)`] : []));
  return `LOAD DATA LOCAL INFILE ${sqlString(path)} INTO TABLE ${quoteIdent(table.name)} ${LOAD_DATA_FORMAT} (${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`;
}

type RawQuery = (o: object, cb: (err: Error | null, result: { affectedRows: number; warningStatus: number }) => void) => void;

const SOCKET_BACKLOG = 4 << 20;

/**
 * mysql2 writes LOCAL INFILE data to the socket as fast as the file reads, ignoring the socket's
 * backpressure; holding each chunk until the socket drains keeps memory at a few MB per connection.
 */
function throttledFile(path: string, socket: Writable): Readable {
  const waitForDrain = new Transform({
    transform(chunk, _enc, done) {
      if (socket.writableLength < SOCKET_BACKLOG) return done(null, chunk);
      socket.once('drain', () => done(null, chunk));
    },
  });
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  file.on('error', (e) => waitForDrain.destroy(e));
  return file.pipe(waitForDrain);
}

async function loadFile(conn: Connection, table: TableEntry, path: string): Promise<{ rows: number; warnings: number }> {
  const raw = (conn as unknown as { connection: { query: RawQuery; stream: Writable } }).connection;
  return new Promise((resolve, reject) => {
    raw.query(
      {
        sql: loadDataSql(table, path),
        // Only ever hand the server the file we asked it to read.
        infileStreamFactory: (requested: string) => {
          if (requested !== path) throw new OlympiaError(`The server asked for ${requested} instead of ${path}; refusing.`);
          return throttledFile(path, raw.stream);
        },
      },
      (err, result) => (err ? reject(err) : resolve({ rows: result.affectedRows, warnings: result.warningStatus })),
    );
  });
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
}): Promise<void> {
  const { manifest, workers, reporter } = opts;
  const [first] = workers;
  const deferred = new Map<string, string[]>();
  for (const t of manifest.tables) {
    const vetted = opts.guard.vet(t.createSql, `The definition of table "${t.name}"`);
    if (vetted?.kind !== 'CREATE TABLE') throw new IntegrityError(`The definition of table "${t.name}" in the backup does not create a table. Nothing was changed.`);
    const split = splitCreateTable(t.name, vetted.sql);
    // The ALTERs are cut from the definition's text: checked on their own too, before any runs.
    for (const sql of split.deferred) opts.guard.vet(sql, `The indexes of table "${t.name}"`);
    await first.query(split.create);
    deferred.set(t.name, split.deferred);
  }

  // A stock mysql:8.0 refuses LOAD DATA LOCAL; INSERTs then do the job, only slower.
  const [infile] = await first.query('SELECT @@GLOBAL.local_infile AS enabled');
  const useInsert = opts.method === 'insert' || Number((infile as { enabled: number | string }[])[0].enabled) !== 1;
  if (useInsert && opts.method !== 'insert')
    reporter.warn('The server has local_infile off, so rows are loaded with INSERT statements (slower). `SET GLOBAL local_infile = 1` on the server makes loads faster.');
  const kinds = new Map<string, ColumnKind[]>();
  if (useInsert) for (const t of manifest.tables) kinds.set(t.name, await columnKinds(first, t.name, t.columns, t.bitColumns));

  // One queue for rows and indexes: when the last file of a table is in, building that table's
  // secondary indexes and foreign keys goes to the front, while other tables are still loading.
  type Task = { kind: 'file'; table: TableEntry; file: DataFile } | { kind: 'indexes'; table: TableEntry };
  const files = manifest.tables.flatMap((table) => table.files.map((file) => ({ kind: 'file' as const, table, file })));
  files.sort((a, b) => b.file.size - a.file.size);
  const filesLeft = new Map(manifest.tables.map((t) => [t.name, t.files.length]));
  const progress = new Map<string, { rows: number; bytes: number }>();
  const indexesOf = (table: TableEntry): Task[] => ((deferred.get(table.name) ?? []).length > 0 ? [{ kind: 'indexes', table }] : []);
  const initial: Task[] = [...files, ...manifest.tables.filter((t) => t.files.length === 0).flatMap(indexesOf)];
  await runQueue(workers, initial, async (conn, task, queue) => {
    const { table } = task;
    if (task.kind === 'indexes') {
      for (const sql of deferred.get(table.name)!) await retryOnDeadlock(() => conn.query(sql));
      return;
    }
    const { file } = task;
    const path = join(opts.dir, ...file.path.split('/'));
    const load = useInsert
      ? insertFile(conn, table.name, table.columns, kinds.get(table.name)!, path).then((rows) => ({ rows, warnings: 0 }))
      : retryOnDeadlock(() => loadFile(conn, table, path));
    const r = await load.catch((e: Error) => {
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
    const p = progress.get(table.name) ?? { rows: 0, bytes: 0 };
    p.rows += r.rows;
    p.bytes += file.size;
    progress.set(table.name, p);
    reporter.progress?.({ label: table.name, rows: p.rows, bytes: p.bytes, totalRows: table.rows });
    const left = filesLeft.get(table.name)! - 1;
    filesLeft.set(table.name, left);
    if (left === 0) for (const t of indexesOf(table)) queue.add(t, true);
  });

  await runPool(workers, manifest.tables, async (conn, t) => {
    const [r] = await conn.query(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.name)}`);
    const n = Number((r as { n: number | string }[])[0].n);
    if (n !== t.rows) {
      throw new IntegrityError(
        `Table "${t.name}" holds ${n} rows after loading; the backup recorded ${t.rows}. Nothing was changed.`,
        'The backup may be damaged: run `olympia-data verify` on it.',
      );
    }
  });
}
