// Streams chunks of tables into LOAD DATA text files: one query, one SELECT per chunk (several small
// chunks go as one multi-statement query), each result set to its own file. Rows arrive as raw bytes
// (text protocol) and go to disk in ~1 MB batches; while a batch is written the connection is paused,
// so what is held in memory is one batch plus one row, whatever the table or row size.
import type { Connection } from '../mysql/connect.js';
import { framerOf } from '../mysql/packet-socket.js';
import { WasmRowEncoder } from '../mysql/wasm-row-encoder.js';
import { HashingWriter } from '../backup/hashing-writer.js';
import type { ChunkResult } from './dump-protocol.js';

export interface ChunkQuery {
  /** One SELECT per file, in order; with more than one, the connection must take several statements at once. */
  parts: readonly { sql: string; file: string }[];
  /** Wait for the files' data to be on disk before `closed` settles (see core/durability.ts). */
  sync: boolean;
  onRows?: (part: number, rows: number, bytes: number) => void;
}

const FLUSH_AT = 1 << 20;

/** What an empty chunk reports: size 0 means no file was written (every row takes at least its newline). */
const NO_FILE = { size: 0, sha256: '' };

// Encoders are reused from chunk to chunk: each new one is a fresh WebAssembly memory whose pages
// the kernel must fault in on first touch (a quarter of a dump's page faults when each chunk made
// its own). One that a failed chunk used is dropped, since its state is unknown, and one grown for
// a huge row is not kept.
const spareEncoders: WasmRowEncoder[] = [];
function takeEncoder(): WasmRowEncoder {
  return spareEncoders.pop() ?? new WasmRowEncoder(FLUSH_AT + (64 << 10));
}
function releaseEncoder(e: WasmRowEncoder): void {
  e.reset();
  if (spareEncoders.length < 4 && e.memoryBytes <= 4 * FLUSH_AT) spareEncoders.push(e);
}

let bulkRowCount = 0;
/** Rows this process has read by the fast path (`bulkRows`), for tests: that it is taken. */
export function rowsReadInBulk(): number {
  return bulkRowCount;
}

/** The parts of mysql2's packet, query command and callback connection this module relies on. */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}
type State = (this: QueryCommand, packet: RowPacket, connection: unknown) => State | null;
interface QueryCommand {
  row: State;
  on(event: 'fields', listener: (fields: unknown[] | undefined) => void): void;
  on(event: 'result', listener: (row: unknown) => void): void;
  on(event: 'error', listener: (e: Error) => void): void;
  on(event: 'end', listener: () => void): void;
}
interface RawConnection {
  query(options: object): QueryCommand;
  pause(): void;
  resume(): void;
  destroy(): void;
  /** The socket mysql2 reads, and the sequence id it expects of the next packet. */
  stream: unknown;
  sequenceId: number;
}

/**
 * Writes each part's file, or none for a part with no rows (size 0). The results come as soon as the
 * rows are written; the files are closed (and synced) in the background (`closed`), so the connection
 * goes on with its next query meanwhile.
 */
export async function dumpChunks(conn: Connection, q: ChunkQuery): Promise<{ results: ChunkResult[]; closed: Promise<void> }> {
  const files = q.parts.map((p) => new ChunkFile(p.file, q.sync));
  try {
    const rows = await streamRows(conn, q, files);
    const done = files.map((f) => f.finish());
    const closed = Promise.all(done.map((d) => d.closed)).then(() => undefined);
    closed.catch(() => undefined); // whoever awaits it sees the failure
    return { results: done.map((d, i) => ({ rows: rows[i], size: d.size, sha256: d.sha256 })), closed };
  } catch (e) {
    await Promise.all(files.map((f) => f.discard()));
    throw e;
  }
}

/**
 * A chunk's file. Most chunks of a database of many small tables fit one batch: such a file is written
 * whole, at the end, in a few blocking calls. A bigger one is opened with its first batch and written as
 * the rows come; so is every file that must be synced (that waits in the background). A chunk with no
 * rows gets no file at all: creating a file is one of a dump's dearest calls, and an `_init` has many
 * empty tables.
 */
class ChunkFile {
  private writer?: HashingWriter;
  private whole?: { size: number; sha256: string };
  constructor(
    private readonly path: string,
    private readonly sync: boolean,
  ) {}

  private opened(): HashingWriter {
    return (this.writer ??= HashingWriter.opening(this.path));
  }

  /** A batch of rows; `last` when no more follow. */
  async write(data: Buffer, last: boolean): Promise<void> {
    if (last && !this.writer && data.length === 0) this.whole = NO_FILE;
    else if (last && !this.writer && !this.sync) this.whole = HashingWriter.writeWhole(this.path, data);
    else await this.opened().write(data);
  }

  finish(): { size: number; sha256: string; closed: Promise<void> } {
    return this.whole ? { ...this.whole, closed: Promise.resolve() } : this.opened().closeInBackground({ sync: this.sync });
  }

  async discard(): Promise<void> {
    await this.writer?.discard();
  }
}

/**
 * Runs the query and writes its rows. mysql2's own row path makes a Buffer per field and an array per
 * row before we copy the bytes again; instead the query's row state is replaced by one that encodes
 * each row packet in place, and from the read after the first row on, whole socket chunks go to the
 * encoder without mysql2 (`bulkRows`). Should mysql2 ever stop routing rows through that state,
 * rows arrive as arrays on the 'result' event and take the slower, equivalent path.
 */
function streamRows(conn: Connection, q: ChunkQuery, files: readonly ChunkFile[]): Promise<number[]> {
  // The callback-style connection under the promise wrapper runs the query command.
  const raw = (conn as unknown as { connection: RawConnection }).connection;
  const encoder = takeEncoder();
  const rows = q.parts.map(() => 0);
  // The part whose result set is being read: each result set's column definitions start the next.
  let part = -1;
  let reported = 0;
  let columns = -1;
  let settled = false;
  const describe = () => q.parts[Math.max(0, part)].sql.slice(0, 80);

  return new Promise<number[]>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      bulk?.stop();
      // The rest of the result would never be read (the connection stays paused, or nobody wants
      // it): close the connection rather than leave it mid-result.
      raw.destroy();
      reject(e);
    };
    /** Writes out what the encoder holds for the current part (its last batch with `last`), then `then`. */
    const write = (then: () => void, last = false) => {
      const bytes = encoder.length;
      const at = part;
      const count = rows[at] - reported;
      reported = last ? 0 : rows[at];
      files[at].write(encoder.drain(), last).then(() => {
        if (settled) return;
        q.onRows?.(at, count, bytes);
        then();
      }, fail);
    };
    const rowDone = () => {
      rows[part]++;
      if (encoder.length >= FLUSH_AT) {
        // No packet is handled while paused, so the encoder's buffer is not touched during the write.
        raw.pause();
        write(() => raw.resume());
      }
    };

    // The row state below replaces mysql2's row parser, so none is compiled for each result's columns
    // (disableEval: a generic one); a dump of hundreds of tables would otherwise compile one per table.
    const query = raw.query({ sql: q.parts.map((p) => p.sql).join(';\n'), rowsAsArray: true, typeCast: false, disableEval: true });
    const rowState = query.row;
    const bulk = bulkRows(raw, {
      encoder,
      columns: () => columns,
      flushAt: FLUSH_AT,
      onRows: (n) => void (rows[part] += n),
      flush: write,
      fail,
      settled: () => settled,
      describe,
    });
    const encodeRow: State = function (packet, connection) {
      // After a failure the connection is being destroyed; whatever it still delivers is dropped.
      if (settled) return encodeRow;
      if (packet.isEOF()) {
        // The rows ended within a chunk mysql2 was reading: the next result is mysql2's again.
        bulk?.stop();
        const next = rowState.call(this, packet, connection);
        if (part < q.parts.length - 1) {
          // Another result set follows: this part's file is finished before its first row is read.
          raw.pause();
          write(() => raw.resume(), true);
        }
        return next;
      }
      if (encoder.pushTextRow(packet.buffer, packet.offset, packet.end) !== columns) {
        throw new Error(`A row of "${describe()}" did not have the ${columns} columns of its result.`);
      }
      rowDone();
      // The rows have begun: from the next read on, they skip mysql2 altogether.
      bulk?.start();
      return encodeRow;
    };
    query.row = encodeRow;
    query.on('fields', (fields) => {
      part++;
      columns = fields?.length ?? -1;
    });
    query.on('result', (row) => {
      if (settled || !Array.isArray(row)) return;
      encoder.push(row as (Buffer | null)[]);
      rowDone();
    });
    query.on('error', fail);
    query.on('end', () => {
      if (settled) return;
      if (part !== q.parts.length - 1) return fail(new Error(`The query for "${describe()}" returned ${part + 1} result sets for ${q.parts.length} statements.`));
      write(() => {
        settled = true;
        // Only now is the encoder free: its last batch is written and the result read to the end.
        releaseEncoder(encoder);
        resolve(rows);
      }, true);
    });
  });
}

interface BulkOptions {
  encoder: WasmRowEncoder;
  columns(): number;
  flushAt: number;
  onRows(rows: number): void;
  /** Writes out what the encoder holds, then calls `then` (unless the chunk failed). */
  flush(then: () => void): void;
  fail(e: unknown): void;
  settled(): boolean;
  describe(): string;
}

/**
 * The fast row path, for a connection on a packet socket (mysql/packet-socket.ts): once a result's
 * rows have begun, its socket chunks go to the encoder as they are read, all their row packets in
 * one call into the WebAssembly module, instead of one packet at a time through mysql2 and this
 * module's row state (about 0.3 µs a row). At the first packet that is not an ordinary row (the
 * end of the rows, an error, a row of 16 MB or more) mysql2 gets the rest, told the sequence id
 * to expect, and reads on as if it had seen every packet. Returns the switch, or undefined when
 * the connection is not on a packet socket (or mysql2 no longer keeps `sequenceId`).
 */
function bulkRows(raw: RawConnection, o: BulkOptions): { start(): void; stop(): void } | undefined {
  const framer = framerOf(raw.stream);
  if (!framer || typeof raw.sequenceId !== 'number') return undefined;
  const socket = raw.stream as { pause(): void; resume(): void };
  // Chunks read but not yet encoded (kept while the socket is paused for a write); `at` is where
  // the first one resumes.
  const queue: Buffer[] = [];
  let at = 0;
  let writing = false;
  let paused = false;

  const hand = () => {
    // mysql2 reads the rest: the end-of-rows packet (and whatever follows) or a long row.
    framer.undivert();
    const rest = [queue[0].subarray(at), ...queue.slice(1)];
    queue.length = 0;
    at = 0;
    raw.sequenceId = rest[0][3];
    if (paused) {
      paused = false;
      socket.resume();
    }
    for (const c of rest) framer.pass(c);
  };
  const pump = () => {
    while (queue.length > 0) {
      if (o.settled()) return;
      let r;
      try {
        r = o.encoder.pushRows(queue[0], at, o.columns(), o.flushAt);
      } catch (e) {
        // fail() also ends the divert.
        return o.fail(new Error(`A row of "${o.describe()}" could not be read: ${(e as Error).message}.`));
      }
      o.onRows(r.rows);
      bulkRowCount += r.rows;
      at = r.next;
      if (r.stop === 'not-a-row') return hand();
      if (r.stop === 'chunk-done') {
        queue.shift();
        at = 0;
        continue;
      }
      // The encoder is full: no read until it is written (the queued chunks stay valid till then).
      writing = true;
      if (!paused) {
        paused = true;
        socket.pause();
      }
      return o.flush(() => {
        writing = false;
        pump();
      });
    }
    if (paused) {
      paused = false;
      socket.resume();
    }
  };
  const sink = (chunk: Buffer) => {
    queue.push(chunk);
    if (!writing) pump();
  };
  return {
    start() {
      if (!framer.diverted) framer.divert(sink);
    },
    stop() {
      framer.undivert();
    },
  };
}
