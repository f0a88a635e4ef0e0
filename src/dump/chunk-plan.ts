// Splits a table into primary-key ranges so several connections can dump and load it at once.

export interface ChunkRange {
  /** Inclusive lower bound, or null for the first chunk. */
  from: bigint | null;
  /** Exclusive upper bound, or null for the last chunk. */
  to: bigint | null;
}

export interface ChunkInput {
  /** Estimated table size in bytes (information_schema DATA_LENGTH). */
  dataBytes: number;
  /** Integer primary key bounds, when the table has a single-column integer primary key. */
  min?: bigint;
  max?: bigint;
  /** Target bytes per chunk. */
  chunkBytes: number;
  maxChunks?: number;
}

/** Returns the key ranges to read; a single open range means "the whole table". */
export function planChunks(input: ChunkInput): ChunkRange[] {
  const whole: ChunkRange[] = [{ from: null, to: null }];
  if (input.min === undefined || input.max === undefined || input.max <= input.min) return whole;
  const wanted = Math.min(Math.ceil(input.dataBytes / input.chunkBytes), input.maxChunks ?? 256);
  const span = input.max - input.min + 1n;
  const count = BigInt(Math.max(1, Math.min(wanted, Number(span > 1_000_000_000n ? 1_000_000_000n : span))));
  if (count <= 1n) return whole;
  const step = (span + count - 1n) / count;
  const ranges: ChunkRange[] = [];
  for (let i = 0n; i < count; i++) {
    const from = i === 0n ? null : input.min + i * step;
    const to = i === count - 1n ? null : input.min + (i + 1n) * step;
    if (from !== null && from > input.max) break;
    ranges.push({ from, to });
  }
  ranges[ranges.length - 1] = { ...ranges[ranges.length - 1], to: null };
  return ranges;
}

/**
 * The column of a primary key that can be split into ranges: one integer column (types as
 * information_schema's DATA_TYPE gives them); undefined for any other key.
 */
export function integerKey(key: readonly string[] | undefined, columns: readonly { name: string; dataType: string }[]): string | undefined {
  if (key?.length !== 1) return undefined;
  const type = columns.find((c) => c.name === key[0])?.dataType;
  return type !== undefined && /int$/.test(type) ? key[0] : undefined;
}

/** The WHERE clause for a range over a quoted key column. */
export function rangeCondition(column: string, range: ChunkRange): string {
  const parts: string[] = [];
  if (range.from !== null) parts.push(`${column} >= ${range.from}`);
  if (range.to !== null) parts.push(`${column} < ${range.to}`);
  return parts.join(' AND ');
}

/**
 * Tables that keep one connection busy enough to be worth another, whatever their size. Small tables
 * are read many to a query (dump-plan.ts batchTasks), so one connection gets through a few hundred
 * in about the time another would take to open, and a third a thread to boot.
 */
export const TABLES_PER_CONNECTION = 160;

/**
 * How many connections a dump opens: at most `jobs`, and no more than the work needs. The work is
 * the data's chunks, or, for many small tables, the tables: each costs a query and a file of its
 * own however few its rows. A small database of a few tables is read over a single connection: a
 * second would only add its connect and snapshot, and past the second each costs a thread that takes
 * about as long to start as a small database takes to read.
 */
export function dumpConnections(dataBytes: number, tables: number, chunkBytes: number, jobs: number): number {
  const byData = Math.ceil(dataBytes / Math.max(1, chunkBytes));
  const byTables = Math.ceil(tables / TABLES_PER_CONNECTION);
  return Math.max(1, Math.min(Math.floor(jobs), Math.max(byData, byTables)));
}

/** Data per connection from which its results are worth the server's large writes. */
export const WIDE_WRITES_MIN_BYTES = 32 << 20;

/**
 * Whether the dump's connections ask the server for large writes (mysql/server-write-buffer.ts). The
 * asking costs a 1 MB statement per connection, built and sent by this process and read by the
 * server; it saves a write and a wakeup on each side per 16 KB of rows. A connection with a few MB to
 * read saves less than it pays.
 */
export function widensServerWrites(dataBytes: number, connections: number): boolean {
  return dataBytes / Math.max(1, connections) >= WIDE_WRITES_MIN_BYTES;
}

/** Chunks whose sizes differ by less than this count as the same size when ordering them. */
const SIZE_BAND = 8 << 20;

/**
 * The order the dump's connections take chunks in: the biggest first, so the last ones are small
 * and the connections finish together; among chunks of about the same size, the tables take turns,
 * so connections running at once read different tables rather than neighbouring ranges of one
 * (a little faster in same-minute A/B runs on the 1 GB bench catalogue).
 */
export function dumpOrder<T extends { index: number; weight: number }>(tasks: readonly T[]): T[] {
  const band = (t: T) => Math.floor(t.weight / SIZE_BAND);
  return [...tasks].sort((a, b) => band(b) - band(a) || a.index - b.index || b.weight - a.weight);
}

/**
 * Connections the main thread serves itself. Encoding a connection's rows takes a fraction of the
 * time the server needs to send them, so one thread keeps up with two; a thread of its own for the
 * second connection only adds its boot before that connection can start, and twice the wakeups
 * (docs/benchmarks.md has the runs that decided it).
 */
export const DUMP_CONNECTIONS_ON_MAIN_THREAD = 2;

/** Worker threads a dump over `connections` connections needs: one per connection past the main thread's. */
export function dumpThreads(connections: number): number {
  return Math.max(0, Math.floor(connections) - DUMP_CONNECTIONS_ON_MAIN_THREAD);
}

/**
 * Threads worth booting before the dump knows how many connections it needs: those of `jobs`
 * connections, but no more than the machine's cores can boot at once. Booting one costs a core a
 * tenth of a second, which on a small machine the server needs meanwhile; a big dump that wants more
 * starts the rest when it takes them.
 */
export function dumpThreadsToPrestart(jobs: number, cpus: number): number {
  return dumpThreads(Math.min(jobs, Math.max(1, cpus)));
}
