// Streams one chunk of one table into a LOAD DATA text file. Rows arrive as raw bytes (text protocol)
// and go to disk in ~1 MB batches; while a batch is written the connection is paused, so what is held
// in memory is one batch plus one row, whatever the table or row size.
import type { Connection } from '../mysql/connect.js';
import { WasmRowEncoder } from '../mysql/wasm-row-encoder.js';
import { HashingWriter } from './hashing-writer.js';

export interface ChunkQuery {
  sql: string;
  file: string;
  /** Wait for the file's data to be on disk before `closed` settles (see core/durability.ts). */
  sync: boolean;
  onRows?: (rows: number, bytes: number) => void;
}

const FLUSH_AT = 1 << 20;

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
}

/**
 * Writes one chunk's file. The result comes as soon as the rows are written; the file is closed (and
 * synced) in the background (`closed`), so the connection goes on with its next chunk meanwhile.
 */
export async function dumpChunk(conn: Connection, q: ChunkQuery): Promise<{ rows: number; size: number; sha256: string; closed: Promise<void> }> {
  const writer = await HashingWriter.create(q.file);
  try {
    const rows = await streamRows(conn, q, writer);
    return { rows, ...writer.closeInBackground({ sync: q.sync }) };
  } catch (e) {
    await writer.discard();
    throw e;
  }
}

/**
 * Runs the query and writes its rows. mysql2's own row path makes a Buffer per field and an array per
 * row before we copy the bytes again; instead the query's row state is replaced by one that encodes
 * each row packet in place. Should mysql2 ever stop routing rows through that state, rows arrive as
 * arrays on the 'result' event and take the slower, equivalent path.
 */
function streamRows(conn: Connection, q: ChunkQuery, writer: HashingWriter): Promise<number> {
  // The callback-style connection under the promise wrapper runs the query command.
  const raw = (conn as unknown as { connection: RawConnection }).connection;
  const encoder = new WasmRowEncoder(FLUSH_AT + (64 << 10));
  let rows = 0;
  let reported = 0;
  let columns = -1;
  let settled = false;

  return new Promise<number>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      // The rest of the result would never be read (the connection stays paused, or nobody wants
      // it): close the connection rather than leave it mid-result.
      raw.destroy();
      reject(e);
    };
    const write = (then: () => void) => {
      const bytes = encoder.length;
      const count = rows - reported;
      reported = rows;
      writer.write(encoder.drain()).then(() => {
        if (settled) return;
        q.onRows?.(count, bytes);
        then();
      }, fail);
    };
    const rowDone = () => {
      rows++;
      if (encoder.length >= FLUSH_AT) {
        // No packet is handled while paused, so the encoder's buffer is not touched during the write.
        raw.pause();
        write(() => raw.resume());
      }
    };

    const query = raw.query({ sql: q.sql, rowsAsArray: true, typeCast: false });
    const rowState = query.row;
    const encodeRow: State = function (packet, connection) {
      // After a failure the connection is being destroyed; whatever it still delivers is dropped.
      if (settled) return encodeRow;
      if (packet.isEOF()) return rowState.call(this, packet, connection);
      if (encoder.pushTextRow(packet.buffer, packet.offset, packet.end) !== columns) {
        throw new Error(`A row of "${q.sql.slice(0, 80)}" did not have the ${columns} columns of its result.`);
      }
      rowDone();
      return encodeRow;
    };
    query.row = encodeRow;
    query.on('fields', (fields) => {
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
      write(() => {
        settled = true;
        resolve(rows);
      });
    });
  });
}
