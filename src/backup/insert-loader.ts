// The fallback when the server has local_infile off (a stock mysql:8.0): read our LOAD DATA text
// files back into rows and send them as multi-row INSERTs. Slower than LOAD DATA, but it needs no
// server setting, so a load works against any MySQL.
import { createReadStream } from 'node:fs';
import type { Connection } from '../mysql/connect.js';
import { quoteIdent } from '../mysql/connect.js';

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const UNESCAPE: Record<number, number> = { 0x30: 0x00, 0x62: 0x08, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x5a: 0x1a };

/** How a column's value is written in SQL. */
export type ColumnKind = 'text' | 'binary' | 'bit';

/**
 * Incremental parser of the LOAD DATA text format (TAB between fields, LF between rows, backslash
 * escapes, \N for NULL). Feed chunks; complete rows come out.
 */
export class LoadDataParser {
  private field: number[] = [];
  private row: (Buffer | null)[] = [];
  private escaped = false;
  private nullCandidate = false;

  push(chunk: Buffer, onRow: (row: (Buffer | null)[]) => void): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.escaped) {
        this.escaped = false;
        if (b === 0x4e && this.field.length === 0) {
          this.nullCandidate = true;
          continue;
        }
        this.field.push(UNESCAPE[b] ?? b);
        continue;
      }
      if (b === BACKSLASH) {
        this.escaped = true;
        this.nullCandidate = false;
        continue;
      }
      if (b === TAB || b === LF) {
        this.row.push(this.nullCandidate ? null : Buffer.from(this.field));
        this.field = [];
        this.nullCandidate = false;
        if (b === LF) {
          onRow(this.row);
          this.row = [];
        }
        continue;
      }
      this.nullCandidate = false;
      this.field.push(b);
    }
  }

  /** Call at the end of input; a file always ends with LF, so anything pending means truncation. */
  end(): boolean {
    return this.field.length === 0 && this.row.length === 0 && !this.escaped && !this.nullCandidate;
  }
}

const QUOTE_ESCAPES: Record<number, string> = { 0x00: '\\0', 0x0a: '\\n', 0x0d: '\\r', 0x1a: '\\Z', 0x27: "\\'", 0x5c: '\\\\' };

/** A SQL literal for a value; binary columns get the _binary introducer so no charset check applies. */
export function sqlLiteral(value: Buffer | null, kind: ColumnKind): string {
  if (value === null) return 'NULL';
  if (kind === 'bit') return /^\d+$/.test(value.toString('latin1')) ? value.toString('latin1') : 'NULL';
  if (kind === 'binary') return value.length === 0 ? "_binary''" : `_binary X'${value.toString('hex')}'`;
  let out = "'";
  let start = 0;
  const text = value.toString('utf8');
  for (let i = 0; i < text.length; i++) {
    const esc = QUOTE_ESCAPES[text.charCodeAt(i)];
    if (esc) {
      out += text.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + text.slice(start) + "'";
}

const BINARY_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

export async function columnKinds(conn: Connection, table: string, columns: string[], bitColumns: string[]): Promise<ColumnKind[]> {
  const [rows] = await conn.query(`SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, [table]);
  const types = new Map((rows as { name: string; type: string }[]).map((r) => [r.name, String(r.type).toLowerCase()]));
  const bits = new Set(bitColumns);
  return columns.map((c) => (bits.has(c) ? 'bit' : BINARY_TYPES.has(types.get(c) ?? '') ? 'binary' : 'text'));
}

/** Inserts every row of one data file; returns the row count. */
export async function insertFile(conn: Connection, table: string, columns: string[], kinds: ColumnKind[], path: string, maxStatementBytes = 4 << 20): Promise<number> {
  const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  const parser = new LoadDataParser();
  let batch: string[] = [];
  let batchBytes = 0;
  let rows = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await conn.query(head + batch.join(','));
    batch = [];
    batchBytes = 0;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const pending: string[] = [];
    parser.push(chunk as Buffer, (row) => {
      if (row.length !== columns.length) throw new Error(`a row has ${row.length} fields, the table ${columns.length}`);
      pending.push('(' + row.map((v, i) => sqlLiteral(v, kinds[i])).join(',') + ')');
    });
    for (const tuple of pending) {
      batch.push(tuple);
      batchBytes += tuple.length;
      rows++;
      if (batchBytes >= maxStatementBytes) await flush();
    }
  }
  if (!parser.end()) throw new Error('the file ends in the middle of a row');
  await flush();
  return rows;
}
