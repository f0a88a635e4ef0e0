// What a dump reads and writes, decided from the schema alone: one task per chunk of each table (a
// SELECT and the data file it fills) and the manifest entry each table's files are listed under.
import type { TableEntry } from '../backup/manifest.js';
import type { ColumnInfo, TableInfo } from '../mysql/schema.js';
import { quoteIdent } from '../mysql/connect.js';
import { type ChunkRange, dumpOrder, integerKey, planChunks, rangeCondition } from './chunk-plan.js';

export interface DumpTask {
  table: string;
  index: number;
  sql: string;
  file: string;
  weight: number;
}

export interface DumpSchema {
  database: string;
  tables: readonly TableInfo[];
  columns: ReadonlyMap<string, readonly ColumnInfo[]>;
  /** The column each table can be split on, if any (see splitColumn). */
  keys: ReadonlyMap<string, string | undefined>;
  /** MIN and MAX of that column, for the tables big enough to be split. */
  bounds: ReadonlyMap<string, { lo: bigint; hi: bigint }>;
}

export type PlannedEntry = Omit<TableEntry, 'createSql'>;

export interface DumpPlan {
  /** In the order connections should take them (biggest first). */
  tasks: DumpTask[];
  /** Manifest entries, one per table, with no files or rows yet; the caller adds each definition. */
  entries: Map<string, PlannedEntry>;
}

export function dataFileName(table: string, index: number): string {
  return `data/${encodeURIComponent(table)}.${String(index).padStart(5, '0')}.tsv`;
}

/** Generated columns are recomputed by the server on load, so they are neither read nor written. */
function storedColumns(schema: DumpSchema, table: string): readonly ColumnInfo[] {
  return (schema.columns.get(table) ?? []).filter((c) => !c.generated);
}

/**
 * How a column is read. LOAD DATA cannot read BIT values as bytes: they travel as integers. A FLOAT
 * prints with six significant digits, which is not always the value stored: as a DOUBLE (exactly
 * the same number) it prints with enough digits to come back to that FLOAT.
 */
function selectExpression(c: ColumnInfo): string {
  if (c.dataType === 'bit') return `CAST(${quoteIdent(c.name)} AS UNSIGNED)`;
  if (c.dataType === 'float') return `(${quoteIdent(c.name)} + 0e0)`;
  return quoteIdent(c.name);
}

/** The integer key column a table's chunks are ranges of, or undefined (the table is read whole). */
export function splitColumn(primaryKey: readonly string[] | undefined, columns: readonly ColumnInfo[]): string | undefined {
  return integerKey(
    primaryKey,
    columns.filter((c) => !c.generated),
  );
}

/** Tables whose key bounds are worth asking for: only big ones are split. */
export function tablesToSplit(schema: Pick<DumpSchema, 'tables' | 'keys'>, chunkBytes: number): TableInfo[] {
  return schema.tables.filter((t) => schema.keys.get(t.name) !== undefined && t.dataBytes > chunkBytes);
}

export function planDump(schema: DumpSchema, chunkBytes: number): DumpPlan {
  const planned: DumpTask[] = [];
  const entries = new Map<string, PlannedEntry>();
  for (const t of schema.tables) {
    const cols = storedColumns(schema, t.name);
    const bitColumns = cols.filter((c) => c.dataType === 'bit').map((c) => c.name);
    const select = cols.map((c) => selectExpression(c)).join(', ');
    const from = `${quoteIdent(schema.database)}.${quoteIdent(t.name)}`;
    const key = schema.keys.get(t.name);
    const bounds = schema.bounds.get(t.name);
    // Only the balance of the chunks depends on the bounds (the first and last ranges are open).
    const ranges: ChunkRange[] =
      key && bounds && t.dataBytes > chunkBytes ? planChunks({ dataBytes: t.dataBytes, min: bounds.lo, max: bounds.hi, chunkBytes }) : [{ from: null, to: null }];
    ranges.forEach((range, index) => {
      const where = key ? rangeCondition(quoteIdent(key), range) : '';
      planned.push({
        table: t.name,
        index,
        // No ORDER BY: InnoDB reads its rows in primary-key order anyway, and asking for it turns a
        // whole-table read into an index scan that the server reads ahead less well.
        sql: `SELECT ${select} FROM ${from}${where ? ` WHERE ${where}` : ''}`,
        file: dataFileName(t.name, index),
        weight: t.dataBytes / ranges.length,
      });
    });
    entries.set(t.name, { name: t.name, columns: cols.map((c) => c.name), bitColumns, rows: 0, files: [] });
  }
  return { tasks: dumpOrder(planned), entries };
}

/** Chunks estimated under this size are read several to a query (see batchTasks). */
export const SMALL_CHUNK_BYTES = 1 << 20;
/** The most chunks, and the most estimated bytes, one query reads. */
const BATCH_CHUNKS = 32;
const BATCH_BYTES = 8 << 20;
/** Each connection should get at least this many batches, so they finish about together. */
const BATCHES_PER_CONNECTION = 4;

/**
 * The queries the dump's connections run, in the order given (biggest first): a chunk of a big
 * table is a query of its own, and small chunks go several to a query (one statement each, every
 * result to its own file). For a small table the query's round trip, not its rows, is most of the
 * cost, and in a batch the server answers one statement after the other without waiting for the
 * client to ask for the next.
 */
export function batchTasks<T extends { weight: number }>(tasks: readonly T[], connections: number): T[][] {
  const small = tasks.filter((t) => t.weight < SMALL_CHUNK_BYTES).length;
  const perBatch = Math.max(1, Math.min(BATCH_CHUNKS, Math.ceil(small / (Math.max(1, connections) * BATCHES_PER_CONNECTION))));
  const batches: T[][] = [];
  let open: T[] = [];
  let bytes = 0;
  for (const t of tasks) {
    if (t.weight >= SMALL_CHUNK_BYTES) {
      batches.push([t]);
      continue;
    }
    if (open.length >= perBatch || (open.length > 0 && bytes + t.weight > BATCH_BYTES)) {
      batches.push(open);
      open = [];
      bytes = 0;
    }
    open.push(t);
    bytes += t.weight;
  }
  if (open.length > 0) batches.push(open);
  return batches;
}
