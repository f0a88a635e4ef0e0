// Streams one chunk of one table into a LOAD DATA text file. Rows arrive as raw bytes (typeCast off)
// and go to disk in ~1 MB batches, so memory stays flat whatever the table size.
import type { Connection } from '../mysql/connect.js';
import { RowEncoder } from '../mysql/row-encoder.js';
import { HashingWriter } from './hashing-writer.js';

export interface ChunkQuery {
  sql: string;
  file: string;
  onRows?: (rows: number, bytes: number) => void;
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
    const stream = raw.query({ sql: q.sql, rowsAsArray: true, typeCast: false }).stream({ highWaterMark: 512 });
    for await (const row of stream) {
      encoder.push(row);
      rows++;
      if (encoder.length >= FLUSH_AT) {
        const bytes = encoder.length;
        await writer.write(encoder.take());
        q.onRows?.(rows - reported, bytes);
        reported = rows;
      }
    }
    const bytes = encoder.length;
    await writer.write(encoder.take());
    q.onRows?.(rows - reported, bytes);
    const { size, sha256 } = await writer.finish();
    return { rows, size, sha256 };
  } catch (e) {
    await writer.discard();
    throw e;
  }
}
