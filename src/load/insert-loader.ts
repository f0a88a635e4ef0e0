// The fallback when the server has local_infile off (a stock mysql:8.0): read our LOAD DATA text
// files back into rows and send them as multi-row INSERTs. Slower than LOAD DATA, but it needs no
// server setting, so a load works against any MySQL.
import type { Connection } from '../mysql/connect.js';
import { quoteIdent } from '../mysql/connect.js';
import { type BytesResult, queryBytes } from '../mysql/query-bytes.js';
import { retryOnDeadlock } from './deadlock-retry.js';
import { openDataFile, readSize } from './data-file.js';
import { type ColumnKind, InsertBuilder } from './insert-encoder.js';

export type { ColumnKind } from './insert-encoder.js';

// String and binary types, and the spatial ones: a geometry travels as its internal bytes, which a
// quoted string would mangle.
const BYTE_TYPES = new Set([
  ...['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob'],
  ...['geometry', 'point', 'linestring', 'polygon', 'multipoint', 'multilinestring', 'multipolygon', 'geometrycollection', 'geomcollection'],
]);

/** Each column's kind from its type (as information_schema's DATA_TYPE names it); undefined when a column has none. */
export function kindsFromTypes(columns: readonly string[], bitColumns: readonly string[], types: ReadonlyMap<string, string>): ColumnKind[] | undefined {
  const bits = new Set(bitColumns);
  const kinds: ColumnKind[] = [];
  for (const c of columns) {
    const type = types.get(c)?.toLowerCase();
    if (type === undefined) return undefined;
    kinds.push(bits.has(c) ? 'bit' : type === 'json' ? 'json' : BYTE_TYPES.has(type) ? 'bytes' : 'plain');
  }
  return kinds;
}

export async function columnKinds(conn: Connection, table: string, columns: string[], bitColumns: string[]): Promise<ColumnKind[]> {
  const [rows] = await conn.query(`SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table]);
  const types = new Map((rows as { name: string; type: string }[]).map((r) => [r.name, String(r.type)]));
  // A column the server does not list (it always should) goes as a quoted string.
  return kindsFromTypes(columns, bitColumns, new Map(columns.map((c) => [c, types.get(c) ?? '']))) ?? [];
}

/**
 * One data file's rows as multi-row INSERT statements, built one statement ahead of the connection
 * that sends them: the client builds the next while the server runs the current one.
 */
export class InsertStatements {
  private readonly builder: InsertBuilder;
  private readonly statements: AsyncGenerator<Buffer, void>;
  private ahead?: Promise<IteratorResult<Buffer, void>>;

  constructor(file: InsertFile) {
    const head = Buffer.from(`INSERT INTO ${quoteIdent(file.table)} (${file.columns.map(quoteIdent).join(', ')}) VALUES `);
    // Quotes and `_binary` make the SQL about a fifth longer than the file.
    this.builder = new InsertBuilder(head, file.kinds, file.maxStatementBytes, Math.ceil(file.bytes * 1.25), file.maxRowBytes);
    this.statements = build(file, this.builder);
  }

  /** A statement the server has run: its memory may hold a later one. */
  sent(statement: Buffer): void {
    this.builder.recycle(statement);
  }

  /** The next statement, with the one after it already building; undefined once the rows are all out. */
  async next(): Promise<Buffer | undefined> {
    const r = await (this.ahead ?? this.statements.next());
    if (r.done) return undefined;
    this.ahead = this.statements.next();
    // Seen by the next call; after a failure, close() ends the building without it.
    this.ahead.catch(() => undefined);
    return r.value;
  }

  /** Stops building and closes the file. */
  async close(): Promise<void> {
    await this.ahead?.catch(() => undefined);
    await this.statements.return(undefined);
  }
}

export interface InsertFile {
  table: string;
  columns: readonly string[];
  kinds: readonly ColumnKind[];
  path: string;
  /** The file's size, to size the statements' buffers. */
  bytes: number;
  /** The most SQL one statement carries (a row more, at most). */
  maxStatementBytes: number;
  /** The longest row to take: no statement the server refuses is built, however long a row the file holds. */
  maxRowBytes: number;
}

async function* build({ path, bytes }: InsertFile, builder: InsertBuilder): AsyncGenerator<Buffer, void> {
  const size = readSize(bytes);
  // Two buffers, reused: the next read fills one while the other's bytes are turned into SQL.
  const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
  const file = await openDataFile(path, bytes);
  let reading: Promise<{ bytesRead: number }> | undefined;
  // Never past the size verified, should the file grow meanwhile.
  let left = bytes;
  const read = (into: Buffer) => file.read(into, 0, Math.min(size, left), null);
  try {
    let turn = 0;
    reading = read(buffers[turn]);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      left -= bytesRead;
      const chunk = buffers[turn].subarray(0, bytesRead);
      turn ^= 1;
      reading = read(buffers[turn]);
      // push() is done with the chunk when it returns (it copies the unfinished row it keeps).
      yield* builder.push(chunk);
    }
  } finally {
    await reading?.catch(() => undefined);
    await file.close();
  }
  const last = builder.end();
  if (last) yield last;
}

/** How a statement built as bytes reaches the server (mysql/query-bytes.ts; a test records it instead). */
export type SendBytes = (conn: Connection, statement: Buffer) => Promise<BytesResult>;

export async function insertRows(conn: Connection, statements: InsertStatements, send: SendBytes = queryBytes): Promise<number> {
  let inserted = 0;
  try {
    for (let sql = await statements.next(); sql !== undefined; sql = await statements.next()) {
      const statement = sql;
      const result = await retryOnDeadlock(() => send(conn, statement));
      statements.sent(statement);
      inserted += Number(result.affectedRows ?? 0);
      if (result.warningStatus) {
        const [w] = await conn.query('SHOW WARNINGS LIMIT 3');
        throw new Error((w as { Message: string }[]).map((x) => x.Message).join('; '));
      }
    }
  } finally {
    await statements.close();
  }
  return inserted;
}
