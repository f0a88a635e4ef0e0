// The fallback when the server has local_infile off (a stock mysql:8.0): read our LOAD DATA text
// files back into rows and send them as multi-row INSERTs. Slower than LOAD DATA, but it needs no
// server setting, so a load works against any MySQL.
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import type { Connection } from '../mysql/connect.js';
import { quoteIdent } from '../mysql/connect.js';
import { retryOnDeadlock } from './deadlock-retry.js';

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const UNESCAPE: Record<number, number> = { 0x30: 0x00, 0x62: 0x08, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x5a: 0x1a };

/**
 * How a column's value is written in SQL. The files hold each column's bytes in its own character
 * set, so string and binary columns get binary strings (assigned byte for byte, see sqlLiteral); JSON
 * is converted from utf8mb4; numbers, dates and the like are ASCII and go as quoted strings.
 */
export type ColumnKind = 'bytes' | 'json' | 'bit' | 'plain';

/**
 * Incremental parser of the LOAD DATA text format (TAB between fields, LF between rows, backslash
 * escapes, \N for NULL). Feed chunks; complete rows come out. Rows without a backslash (most of them)
 * are cut with indexOf into views of the input, no byte copied; only a row with an escape is walked
 * byte by byte. A row's buffers are valid during its onRow call only.
 */
export class LoadDataParser {
  /** The start of a row the previous chunk ended in. */
  private carry: Buffer | null = null;

  /**
   * `onBlock`, when given, is offered the chunk's whole rows at once, buf[start, end) ending in LF;
   * when it declines (returns false), they come to `onRow` one by one.
   */
  push(chunk: Buffer, onRow: (row: (Buffer | null)[]) => void, onBlock?: (buf: Buffer, start: number, end: number) => boolean): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    let pos = 0;
    if (onBlock) {
      const last = buf.lastIndexOf(LF);
      if (last >= 0 && onBlock(buf, 0, last + 1)) pos = last + 1;
    }
    let backslash = buf.indexOf(BACKSLASH, pos);
    while (pos < buf.length) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) break;
      if (backslash !== -1 && backslash < pos) backslash = buf.indexOf(BACKSLASH, pos);
      if (backslash === -1 || backslash > lf) {
        onRow(plainRow(buf, pos, lf));
        pos = lf + 1;
        continue;
      }
      // An escape in this row: an escaped LF may even continue it past `lf`.
      const end = escapedRow(buf, pos, onRow);
      if (end < 0) break;
      pos = end;
    }
    // Copied: the caller may reuse its chunk, and a small tail should not pin a big buffer.
    this.carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
  }

  /** Call at the end of input; a file always ends with LF, so anything pending means truncation. */
  end(): boolean {
    return this.carry === null;
  }
}

/** The fields of buf[start, end), a row with no backslash. */
function plainRow(buf: Buffer, start: number, end: number): Buffer[] {
  const row: Buffer[] = [];
  let p = start;
  for (;;) {
    const tab = buf.indexOf(TAB, p);
    if (tab < 0 || tab >= end) {
      row.push(buf.subarray(p, end));
      return row;
    }
    row.push(buf.subarray(p, tab));
    p = tab + 1;
  }
}

/** Parses one row with escapes from `start`; returns the index after its LF, or -1 when buf ends first. */
function escapedRow(buf: Buffer, start: number, onRow: (row: (Buffer | null)[]) => void): number {
  const row: (Buffer | null)[] = [];
  let p = start;
  // The next TAB, LF and backslash at or after where the scan is (-1: none left in buf).
  let tab = buf.indexOf(TAB, p);
  let lf = buf.indexOf(LF, p);
  let bs = buf.indexOf(BACKSLASH, p);
  for (;;) {
    // The field runs to the next TAB or LF that no backslash escapes.
    let q = p;
    let escapes = false;
    for (;;) {
      if (tab !== -1 && tab < q) tab = buf.indexOf(TAB, q);
      if (lf !== -1 && lf < q) lf = buf.indexOf(LF, q);
      if (bs !== -1 && bs < q) bs = buf.indexOf(BACKSLASH, q);
      const stop = tab === -1 ? lf : lf === -1 ? tab : Math.min(tab, lf);
      if (stop === -1 && bs === -1) return -1;
      if (bs !== -1 && (stop === -1 || bs < stop)) {
        // An escape: the byte after the backslash is part of the field, whatever it is.
        escapes = true;
        q = bs + 2;
        if (q >= buf.length) return -1;
        continue;
      }
      q = stop;
      break;
    }
    row.push(escapes ? unescapeField(buf, p, q) : buf.subarray(p, q));
    if (buf[q] === LF) {
      onRow(row);
      return q + 1;
    }
    p = q + 1;
  }
}

/**
 * One field with escapes: \0 \b \n \r \t \Z are their bytes, any other escaped byte is itself, and
 * \N where nothing was written yet makes the field NULL unless bytes follow (as LOAD DATA reads it).
 */
function unescapeField(buf: Buffer, start: number, end: number): Buffer | null {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  let nullMark = false;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    nullMark = false;
    if (b !== BACKSLASH) {
      out[n++] = b;
      continue;
    }
    const e = buf[++i];
    if (e === 0x4e && n === 0) nullMark = true;
    else out[n++] = UNESCAPE[e] ?? e;
  }
  return nullMark ? null : out.subarray(0, n);
}

/** A string literal's body: backslash and quote escaped, and NUL, which some parsers stop at. */
function escaped(s: string): string {
  return s.replace(/[\\'\0]/g, (c) => (c === '\0' ? '\\0' : '\\' + c));
}

/** Whether bytes need escaping in a string literal: most values do not, and a search of the bytes is cheaper than the replace. */
function needsEscape(b: Buffer): boolean {
  return b.indexOf(0x5c) !== -1 || b.indexOf(0x27) !== -1 || b.indexOf(0) !== -1;
}

/**
 * A value's SQL. Bytes that are valid UTF-8 (most text, in any column) go as text (textLiteral); other
 * bytes go as hex, which the server assigns byte for byte.
 */
export function sqlLiteral(value: Buffer | null, kind: ColumnKind): string {
  if (value === null) return 'NULL';
  if (isUtf8(value)) return textLiteral(value.toString('utf8'), kind, isAscii(value), !needsEscape(value));
  switch (kind) {
    case 'bit':
      return 'NULL';
    case 'json':
      return `CONVERT(X'${value.toString('hex')}' USING utf8mb4)`;
    case 'plain':
    case 'bytes':
      return `X'${value.toString('hex')}'`;
  }
}

/**
 * The SQL of a value whose bytes are valid UTF-8, given as its text; `ascii` and `clean` (no
 * backslash, quote or NUL) spare checks the caller has made for many values at once. String and
 * binary values go as escaped `_binary` strings, which the connection sends as those same UTF-8
 * bytes and the server assigns byte for byte, as it would a hex literal, at half the size. Numbers,
 * dates and the like are ASCII and go as plain quoted strings (MariaDB's INET6 and UUID read a binary
 * string as their binary form); a non-ASCII one (a type this module does not know that holds bytes,
 * or a file that lies) goes byte for byte too.
 */
function textLiteral(s: string, kind: ColumnKind, ascii: boolean, clean: boolean): string {
  const body = clean ? s : escaped(s);
  switch (kind) {
    case 'bit':
      return /^\d+$/.test(s) ? s : 'NULL';
    case 'json':
      return "'" + body + "'";
    case 'plain':
      return ascii || !NON_ASCII.test(s) ? "'" + body + "'" : "_binary'" + body + "'";
    case 'bytes':
      return s === '' ? "''" : "_binary'" + body + "'";
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

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
 * The tuples of whole rows, buf[start, end), decoded once and cut as strings: the same SQL
 * sqlLiteral writes value by value, at a fraction of the cost. False (nothing added) when the rows
 * are not valid UTF-8 (their values then go one by one, some as hex), or when a backslash stands
 * right before a TAB or LF, which it may escape: only the row parser cuts such rows right.
 */
export function blockTuples(buf: Buffer, start: number, end: number, kinds: readonly ColumnKind[], out: string[]): boolean {
  const bytes = buf.subarray(start, end);
  if (!isUtf8(bytes)) return false;
  const s = bytes.toString('utf8');
  const backslashes = s.includes('\\');
  if (backslashes && (s.includes('\\\t') || s.includes('\\\n'))) return false;
  const ascii = isAscii(bytes);
  const mayEscape = s.includes("'") || s.includes('\0');
  const tuples: string[] = [];
  const rows = s.split('\n');
  rows.pop();
  for (const row of rows) {
    const fields = row.split('\t');
    if (fields.length !== kinds.length) throw new Error(`a row has ${fields.length} fields, the table ${kinds.length}`);
    let tuple = '(';
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) tuple += ',';
      const f = fields[i];
      if (backslashes && f.includes('\\')) {
        // NULL, or escapes: read as the row parser reads them.
        tuple += f === '\\N' ? 'NULL' : sqlLiteral(unescapeField(Buffer.from(f), 0, Buffer.byteLength(f)), kinds[i]);
        continue;
      }
      tuple += textLiteral(f, kinds[i], ascii, !(mayEscape && (f.includes("'") || f.includes('\0'))));
    }
    tuples.push(tuple + ')');
  }
  // Added only once every row is cut: a refused block leaves `out` as it was.
  for (const t of tuples) out.push(t);
  return true;
}

/** Inserts every row of one data file; returns the rows the server reports inserted. */
export async function insertFile(conn: Connection, table: string, columns: string[], kinds: ColumnKind[], path: string, maxStatementBytes = 4 << 20): Promise<number> {
  const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  const parser = new LoadDataParser();
  let batch: string[] = [];
  let batchBytes = 0;
  let inserted = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const sql = head + batch.join(',');
    const [result] = await retryOnDeadlock(() => conn.query(sql));
    inserted += Number((result as { affectedRows?: number }).affectedRows ?? 0);
    if ((result as { warningStatus?: number }).warningStatus) {
      const [w] = await conn.query('SHOW WARNINGS LIMIT 3');
      throw new Error((w as { Message: string }[]).map((x) => x.Message).join('; '));
    }
    batch = [];
    batchBytes = 0;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const pending: string[] = [];
    parser.push(
      chunk as Buffer,
      (row) => {
        if (row.length !== columns.length) throw new Error(`a row has ${row.length} fields, the table ${columns.length}`);
        pending.push('(' + row.map((v, i) => sqlLiteral(v, kinds[i])).join(',') + ')');
      },
      (buf, start, end) => blockTuples(buf, start, end, kinds, pending),
    );
    for (const tuple of pending) {
      batch.push(tuple);
      batchBytes += tuple.length;
      if (batchBytes >= maxStatementBytes) await flush();
    }
  }
  if (!parser.end()) throw new Error('the file ends in the middle of a row');
  await flush();
  return inserted;
}
