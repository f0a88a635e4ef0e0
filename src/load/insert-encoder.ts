// Turns a data file's rows (LOAD DATA text: TAB between fields, LF between rows, backslash escapes,
// \N for NULL) into the tuples of a multi-row INSERT, byte for byte: the values are never decoded
// into JavaScript strings and encoded back, which made the client, not the server, the slower side
// of a load by INSERTs.
//
// The SQL is what a careful writer of strings would produce: values whose bytes are valid UTF-8 go
// as escaped string literals (`_binary` where the bytes must be assigned as they are, see
// valueLiteral), other bytes as hex. The statement travels unconverted (mysql/query-bytes.ts), on a
// connection whose character set is utf8mb4, so the server reads exactly these bytes.
import { isUtf8 } from 'node:buffer';
import { STATEMENT_HEADROOM } from '../mysql/query-bytes.js';

/** How a column's value is written in SQL (insert-loader.ts kindsFromTypes). */
export type ColumnKind = 'bytes' | 'json' | 'bit' | 'plain';

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const QUOTE = 0x27;
const COMMA = 0x2c;
const OPEN = 0x28;
const CLOSE = 0x29;
const UNESCAPE: Record<number, number> = { 0x30: 0x00, 0x62: 0x08, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x5a: 0x1a };

/** What a value's bytes hold, found while scanning it. */
const ESCAPES = 1; // a backslash escape (the field is in file form)
const QUOTES = 2;
const NULS = 4;
const HIGH = 8; // a byte of 0x80 or more: maybe not UTF-8
const BACKSLASHES = 16; // a backslash as a value byte (after unescaping)

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NULL = ascii('NULL');
const BINARY = ascii('_binary');
const EMPTY = ascii("''");

/** A growing byte buffer: one statement being written. */
class ByteSink {
  buf: Buffer;
  length = 0;

  constructor(initial = 64 << 10) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  put(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    for (let i = 0; i < bytes.length; i++) this.buf[this.length++] = bytes[i];
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  text(s: string): void {
    this.ensure(Buffer.byteLength(s));
    this.length += this.buf.write(s, this.length);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
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

function flagsOf(v: Buffer): number {
  let flags = 0;
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (b === QUOTE) flags |= QUOTES;
    else if (b === BACKSLASH) flags |= BACKSLASHES;
    else if (b === 0) flags |= NULS;
    else if (b >= 0x80) flags |= HIGH;
  }
  return flags;
}

/** A string literal of src[start, end): quote, backslash and NUL (which some parsers stop at) escaped. */
function quoted(src: Buffer, start: number, end: number, flags: number, sink: ByteSink): void {
  sink.ensure(2 * (end - start) + 2);
  const out = sink.buf;
  let n = sink.length;
  out[n++] = QUOTE;
  if (flags & (QUOTES | NULS | BACKSLASHES)) {
    for (let i = start; i < end; i++) {
      const b = src[i];
      if (b === QUOTE || b === BACKSLASH) {
        out[n++] = BACKSLASH;
        out[n++] = b;
      } else if (b === 0) {
        out[n++] = BACKSLASH;
        out[n++] = 0x30;
      } else out[n++] = b;
    }
  } else if (end - start > 64) {
    n += src.copy(out, n, start, end);
  } else {
    for (let i = start; i < end; i++) out[n++] = src[i];
  }
  out[n++] = QUOTE;
  sink.length = n;
}

function isDigits(src: Buffer, start: number, end: number): boolean {
  if (end === start) return false;
  for (let i = start; i < end; i++) if (src[i] < 0x30 || src[i] > 0x39) return false;
  return true;
}

/**
 * The SQL of one value, src[start, end) without escapes. String and binary values go as `_binary`
 * strings, which the server assigns byte for byte (as it would a hex literal, at half the size).
 * Numbers, dates and the like are ASCII and go as plain quoted strings (MariaDB's INET6 and UUID read
 * a binary string as their binary form); a non-ASCII one (a type this module does not know that
 * holds bytes, or a file that lies) goes byte for byte too. JSON is text in utf8mb4. Bytes that are
 * not UTF-8 go as hex.
 */
function valueLiteral(src: Buffer, start: number, end: number, kind: ColumnKind, flags: number, sink: ByteSink): void {
  if (flags & HIGH && !isUtf8(src.subarray(start, end))) {
    const hex = src.toString('hex', start, end);
    if (kind === 'bit') sink.put(NULL);
    else if (kind === 'json') sink.text(`CONVERT(X'${hex}' USING utf8mb4)`);
    else sink.text(`X'${hex}'`);
    return;
  }
  switch (kind) {
    case 'bit':
      if (isDigits(src, start, end)) {
        sink.ensure(end - start);
        sink.length += src.copy(sink.buf, sink.length, start, end);
      } else sink.put(NULL);
      return;
    case 'json':
      return quoted(src, start, end, flags, sink);
    case 'plain':
      if (flags & HIGH) sink.put(BINARY);
      return quoted(src, start, end, flags, sink);
    case 'bytes':
      if (end === start) return sink.put(EMPTY);
      sink.put(BINARY);
      return quoted(src, start, end, flags, sink);
  }
}

/** The SQL of one field as the file holds it, buf[start, end). */
function fieldLiteral(buf: Buffer, start: number, end: number, kind: ColumnKind, flags: number, sink: ByteSink): void {
  if (!(flags & ESCAPES)) return valueLiteral(buf, start, end, kind, flags, sink);
  const value = unescapeField(buf, start, end);
  if (value === null) sink.put(NULL);
  else valueLiteral(value, 0, value.length, kind, flagsOf(value), sink);
}

/** Writes rows as `(v,v,…)` tuples, comma-separated, after whatever the sink holds from `first` on. */
class TupleEncoder {
  constructor(private readonly kinds: readonly ColumnKind[]) {}

  /**
   * Writes the whole rows of buf from `pos` on, until the sink holds `limit` bytes or more; returns
   * where the first row not written starts (a row the buffer ends in stays for the next call, with
   * more bytes). `first`: the sink's length before its first tuple, where no comma goes.
   */
  rows(buf: Buffer, pos: number, sink: ByteSink, first: number, limit: number): number {
    const kinds = this.kinds;
    const len = buf.length;
    while (pos < len && sink.length < limit) {
      const rowStart = sink.length;
      if (rowStart > first) sink.byte(COMMA);
      sink.byte(OPEN);
      let p = pos;
      let field = 0;
      let complete = false;
      for (;;) {
        let i = p;
        let flags = 0;
        while (i < len) {
          const b = buf[i];
          if (b === TAB || b === LF) break;
          if (b === BACKSLASH) {
            // The next byte is part of the field, whatever it is (an escaped TAB or LF too).
            flags |= ESCAPES;
            i += 2;
            continue;
          }
          if (b === QUOTE) flags |= QUOTES;
          else if (b === 0) flags |= NULS;
          else if (b >= 0x80) flags |= HIGH;
          i++;
        }
        if (i >= len) break;
        if (field < kinds.length) {
          if (field > 0) sink.byte(COMMA);
          fieldLiteral(buf, p, i, kinds[field], flags, sink);
        }
        field++;
        p = i + 1;
        if (buf[i] === LF) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        sink.length = rowStart;
        return pos;
      }
      if (field !== kinds.length) throw new Error(`a row has ${field} fields, the table ${kinds.length}`);
      sink.byte(CLOSE);
      pos = p;
    }
    return pos;
  }
}

/**
 * A data file's rows, fed in chunks of any size, as INSERT statements of about `maxStatementBytes`
 * each (a row more at most): each is STATEMENT_HEADROOM bytes, then `head`, then the tuples.
 */
export class InsertBuilder {
  private readonly encoder: TupleEncoder;
  private readonly first: number;
  private sink: ByteSink;
  /** The start of a row the previous chunk ended in. */
  private carry: Buffer | null = null;

  /** `sizeHint`: about how many bytes of SQL the file makes, to size the first buffer. */
  constructor(
    private readonly head: Buffer,
    kinds: readonly ColumnKind[],
    private readonly maxStatementBytes: number,
    private readonly sizeHint = 64 << 10,
  ) {
    this.encoder = new TupleEncoder(kinds);
    this.first = STATEMENT_HEADROOM + head.length;
    this.sink = this.begin();
  }

  private begin(): ByteSink {
    const sink = new ByteSink(Math.min(this.maxStatementBytes, this.sizeHint) + this.first + (4 << 10));
    sink.length = STATEMENT_HEADROOM;
    sink.put(this.head);
    return sink;
  }

  /** The statements the chunk completes. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const done: Buffer[] = [];
    let pos = 0;
    for (;;) {
      pos = this.encoder.rows(buf, pos, this.sink, this.first, this.maxStatementBytes);
      if (this.sink.length < this.maxStatementBytes) break;
      done.push(this.sink.bytes());
      this.sink = this.begin();
    }
    // Copied: the caller may reuse its chunk, and a small tail should not pin a big buffer.
    this.carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
    return done;
  }

  /** The last statement (undefined when no row is left for one); throws when the file ended inside a row. */
  end(): Buffer | undefined {
    if (this.carry) throw new Error('the file ends in the middle of a row');
    return this.sink.length > this.first ? this.sink.bytes() : undefined;
  }
}
