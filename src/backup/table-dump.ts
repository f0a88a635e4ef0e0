// Streams one chunk of one table into a LOAD DATA text file. Rows arrive as raw bytes (typeCast off)
// and go to disk in ~1 MB batches, so memory stays flat whatever the table size.
import type { Connection } from '../mysql/connect.js';
import { RowEncoder } from '../mysql/row-encoder.js';
import { HashingWriter } from './hashing-writer.js';

export interface ChunkQuery {
  sql: string;
  file: string;
  onRows?: (rows: number, bytes: number) => void;
  /** Average row size in bytes (an estimate), to bound the rows read ahead by bytes, not by count. */
  avgRowBytes?: number;
}

// Rows the stream may read ahead while a batch is written: many small rows keep the socket busy,
// but 512 rows of a 1 MB BLOB would be 512 MB, so the read-ahead is capped at about 8 MB.
const READ_AHEAD_BYTES = 8 << 20;

export function readAheadRows(avgRowBytes: number | undefined): number {
  if (!avgRowBytes || !Number.isFinite(avgRowBytes) || avgRowBytes <= 0) return 64;
  return Math.max(2, Math.min(512, Math.floor(READ_AHEAD_BYTES / avgRowBytes)));
}

const FLUSH_AT = 1 << 20;

export async function dumpChunk(conn: Connection, q: ChunkQuery): Promise<{ rows: number; size: number; sha256: string }> {
  const writer = await HashingWriter.create(q.file);
  const encoder = new RowEncoder(FLUSH_AT + (64 << 10));
  let rows = 0;
  let reported = 0;
  try {
    // The callback-style connection under the promise wrapper exposes the row stream.
    const raw = (conn as unknown as { connection: { query: (o: object) => { stream: (o: object) => AsyncIterable<(Buffer | null)[]> } } }).connection;
    const stream = raw.query({ sql: q.sql, rowsAsArray: true, typeCast: false }).stream({ highWaterMark: readAheadRows(q.avgRowBytes) });
    for await (const row of stream) {
      encoder.push(row);
      rows++;
      if (encoder.length >= FLUSH_AT) {
        const bytes = encoder.length;
        await writer.write(encoder.drain());
        q.onRows?.(rows - reported, bytes);
        reported = rows;
      }
    }
    const bytes = encoder.length;
    await writer.write(encoder.drain());
    q.onRows?.(rows - reported, bytes);
    const { size, sha256 } = await writer.finish();
    return { rows, size, sha256 };
  } catch (e) {
    await writer.discard();
    throw e;
  }
}
