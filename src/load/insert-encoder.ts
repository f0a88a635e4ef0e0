// Turns a data file's rows (LOAD DATA text: TAB between fields, LF between rows, backslash escapes,
// \N for NULL) into the tuples of a multi-row INSERT, byte for byte: the values are never decoded
// into JavaScript strings and encoded back, which made the client, not the server, the slower side
// of a load by INSERTs.
//
// The SQL is what a careful writer of strings would produce: values whose bytes are valid UTF-8 go
// as escaped string literals (`_binary` where the bytes must be assigned as they are, see
// valueLiteral), other bytes as hex. The statement travels unconverted (mysql/query-bytes.ts), on a
// connection whose character set is utf8mb4, so the server reads exactly these bytes.
import { isAscii, isUtf8 } from 'node:buffer';
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

/** What a value's bytes hold, found while scanning it. */
const ESCAPES = 1; // a backslash escape (the field is in file form)
const QUOTES = 2;
const NULS = 4;
const HIGH = 8; // a byte of 0x80 or more: maybe not UTF-8
const BACKSLASHES = 16; // a backslash as a value byte (after unescaping)
const CHECKED = 64; // HIGH, and the bytes were found to be valid UTF-8
const NOT_UTF8 = 128; // HIGH, and the bytes are not UTF-8

/** Bytes of a value past which Node's own searches and copies beat a loop over each byte. */
const LONG = 64;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NULL = ascii('NULL');
const BINARY = ascii('_binary');
const EMPTY = ascii("''");
const CONVERT = ascii('CONVERT(');
const USING = ascii(' USING utf8mb4)');

/** A growing byte buffer: one statement being written. */
class ByteSink {
  buf: Buffer;
  length = 0;

  /** `reuse`: a buffer of an earlier statement, already sent, if one is big enough. */
  constructor(initial: number, reuse?: Buffer) {
    // Never from Node's shared pool: a statement's memory is its own, so it can be reused whole.
    this.buf = reuse && reuse.length >= initial ? reuse : Buffer.allocUnsafeSlow(initial);
  }

  ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.length + extra));
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

  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** What each byte means to the scan: 0 for most; a flag for the ones a value's literal cares about. */
const STOP = 32; // TAB or LF: the end of a field
const BYTE_CLASS = new Uint8Array(256);
for (let b = 0x80; b < 256; b++) BYTE_CLASS[b] = HIGH;
BYTE_CLASS[TAB] = STOP;
BYTE_CLASS[LF] = STOP;
BYTE_CLASS[BACKSLASH] = ESCAPES;
BYTE_CLASS[QUOTE] = QUOTES;
BYTE_CLASS[0] = NULS;

/** The byte each escape stands for: \0 \b \n \r \t \Z their control bytes, any other byte itself. */
const UNESCAPED = Uint8Array.from({ length: 256 }, (_, b) => b);
for (const [e, b] of [
  [0x30, 0x00],
  [0x62, 0x08],
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
  [0x5a, 0x1a],
])
  UNESCAPED[e] = b;

/** Where unescaped values are written: each is used up before the next is made. */
const scratch = Buffer.allocUnsafe(64 << 10);

/**
 * One field with escapes, in a buffer that the next call overwrites: \0 \b \n \r \t \Z are their
 * bytes, any other escaped byte is itself, and \N where nothing was written yet makes the field NULL
 * unless bytes follow (as LOAD DATA reads it).
 */
function unescapeField(buf: Buffer, start: number, end: number): Buffer | null {
  // A longer value gets its own buffer, so a huge one is not kept after it is written.
  const out = end - start <= scratch.length ? scratch : Buffer.allocUnsafe(end - start);
  let n = 0;
  let nullMark = false;
  let i = start;
  while (i < end) {
    // The run up to the next backslash goes in one copy.
    let bs = buf.indexOf(BACKSLASH, i);
    if (bs < 0 || bs >= end) bs = end;
    if (bs > i) {
      n += buf.copy(out, n, i, bs);
      nullMark = false;
    }
    if (bs >= end) break;
    const e = buf[bs + 1];
    if (e === 0x4e && n === 0) nullMark = true;
    else {
      out[n++] = UNESCAPED[e];
      nullMark = false;
    }
    i = bs + 2;
  }
  return nullMark ? null : out.subarray(0, n);
}

/** The flags of each byte of a value that has no escapes left: what its literal must take care of. */
const VALUE_CLASS = new Uint8Array(256);
for (let b = 0x80; b < 256; b++) VALUE_CLASS[b] = HIGH;
VALUE_CLASS[QUOTE] = QUOTES;
VALUE_CLASS[BACKSLASH] = BACKSLASHES;
VALUE_CLASS[0] = NULS;

function flagsOf(v: Buffer): number {
  let flags = 0;
  if (v.length <= LONG) {
    for (let i = 0; i < v.length; i++) flags |= VALUE_CLASS[v[i]];
    return flags;
  }
  if (!isAscii(v)) {
    // Bytes that are not UTF-8 go as hex, where quotes and backslashes need no care.
    if (!isUtf8(v)) return HIGH | NOT_UTF8;
    flags |= HIGH | CHECKED;
  }
  return flags | rangeFlags(v, 0, v.length);
}

/** QUOTES, BACKSLASHES and NULS of src[start, end), found by Node's searches. */
function rangeFlags(src: Buffer, start: number, end: number): number {
  const v = src.subarray(start, end);
  return (v.indexOf(QUOTE) >= 0 ? QUOTES : 0) | (v.indexOf(BACKSLASH) >= 0 ? BACKSLASHES : 0) | (v.indexOf(0) >= 0 ? NULS : 0);
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
  } else if (end - start > LONG) {
    n += src.copy(out, n, start, end);
  } else {
    for (let i = start; i < end; i++) out[n++] = src[i];
  }
  out[n++] = QUOTE;
  sink.length = n;
}

/** X'…': the bytes as hex. */
function hexLiteral(src: Buffer, start: number, end: number, sink: ByteSink): void {
  sink.ensure(2 * (end - start) + 3);
  sink.buf[sink.length++] = 0x58;
  sink.buf[sink.length++] = QUOTE;
  // Node's hex encoder is several times faster than a loop here, string and all.
  sink.length += sink.buf.write(src.toString('hex', start, end), sink.length, 'latin1');
  sink.buf[sink.length++] = QUOTE;
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
  if (flags & NOT_UTF8 || (flags & HIGH && !(flags & CHECKED) && !isUtf8(src.subarray(start, end)))) {
    if (kind === 'bit') return sink.put(NULL);
    if (kind === 'json') sink.put(CONVERT);
    hexLiteral(src, start, end, sink);
    if (kind === 'json') sink.put(USING);
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
   * Writes the whole rows of buf from `pos` on, until the sink holds `limit` bytes or more, but
   * always one row into an empty statement (its head alone may reach the limit); returns where the
   * first row not written starts (a row the buffer ends in stays for the next call, with more
   * bytes). `first`: the sink's length before its first tuple, where no comma goes.
   */
  rows(buf: Buffer, pos: number, sink: ByteSink, first: number, limit: number): number {
    const kinds = this.kinds;
    const len = buf.length;
    while (pos < len && (sink.length < limit || sink.length === first)) {
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
          const c = BYTE_CLASS[buf[i]];
          if (c === 0) {
            i++;
            continue;
          }
          if (c === STOP) break;
          if (c === ESCAPES) {
            // The next byte is part of the field, whatever it is (an escaped TAB or LF too).
            flags |= ESCAPES;
            i += 2;
            continue;
          }
          flags |= c;
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

/** The longest row a file may hold: MySQL's largest max_allowed_packet. */
const MAX_ROW_BYTES = 1 << 30;

/**
 * Where the row that buf continues ends: the index of its first LF that no backslash escapes, from
 * `from` on (-1 when there is none), and whether buf ends in a backslash awaiting its byte.
 */
function rowEnd(buf: Buffer, from: number): { end: number; escaped: boolean } {
  let i = from;
  let lf = buf.indexOf(LF, i);
  for (;;) {
    const bs = buf.indexOf(BACKSLASH, i);
    if (bs < 0 || (lf >= 0 && lf < bs)) return { end: lf, escaped: false };
    if (bs === buf.length - 1) return { end: -1, escaped: true };
    i = bs + 2;
    // An escaped LF is part of the row: look for the next one.
    if (lf >= 0 && lf < i) lf = buf.indexOf(LF, i);
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
  /** Buffers of statements the server has run, for the next ones. */
  private readonly spare: Buffer[] = [];
  /** The row the previous chunks ended in, in pieces (copied), and their length. */
  private carry: Buffer[] = [];
  private carried = 0;
  /** Whether those pieces end in a backslash whose escaped byte has not come yet. */
  private carryEscaped = false;

  /**
   * `sizeHint`: about how many bytes of SQL the file makes, to size the first buffer. `maxRowBytes`:
   * a longer row is refused (a file may hold anything; no server takes a statement over 1 GiB).
   */
  constructor(
    private readonly head: Buffer,
    kinds: readonly ColumnKind[],
    private readonly maxStatementBytes: number,
    private readonly sizeHint = 64 << 10,
    private readonly maxRowBytes = MAX_ROW_BYTES,
  ) {
    this.encoder = new TupleEncoder(kinds);
    this.first = STATEMENT_HEADROOM + head.length;
    this.sink = this.begin();
  }

  /** A statement's buffer as first made: a full statement, a row over, fits it most times. */
  private capacity(): number {
    return Math.min(this.maxStatementBytes, this.sizeHint) + this.first + (4 << 10);
  }

  private begin(): ByteSink {
    const sink = new ByteSink(this.capacity(), this.spare.pop());
    sink.length = STATEMENT_HEADROOM;
    sink.put(this.head);
    return sink;
  }

  /** The statements the chunk completes. */
  push(chunk: Buffer): Buffer[] {
    const done: Buffer[] = [];
    let pos = 0;
    if (this.carried > 0) {
      // Only this chunk is searched for the end of the carried row: each byte is read once, however
      // many chunks a row spans.
      const { end, escaped } = rowEnd(chunk, this.carryEscaped ? 1 : 0);
      if (end < 0) {
        this.keep(chunk, 0, escaped);
        return done;
      }
      const row = Buffer.concat([...this.carry, chunk.subarray(0, end + 1)]);
      this.carry = [];
      this.carried = 0;
      if (this.encode(row, 0, done) !== row.length) throw new Error('a row spanning reads could not be read whole');
      pos = end + 1;
    }
    pos = this.encode(chunk, pos, done);
    if (pos < chunk.length) this.keep(chunk, pos, rowEnd(chunk, pos).escaped);
    return done;
  }

  /** Keeps chunk[from…] as part of an unfinished row (copied: the caller may reuse its chunk). */
  private keep(chunk: Buffer, from: number, escaped: boolean): void {
    this.carried += chunk.length - from;
    if (this.carried > this.maxRowBytes) throw new Error(`a row is longer than ${this.maxRowBytes} bytes`);
    this.carry.push(Buffer.from(chunk.subarray(from)));
    this.carryEscaped = escaped;
  }

  /** Writes the whole rows of buf from `pos`, adding full statements to `done`; returns where it stopped. */
  private encode(buf: Buffer, pos: number, done: Buffer[]): number {
    for (;;) {
      pos = this.encoder.rows(buf, pos, this.sink, this.first, this.maxStatementBytes);
      // Not full, or no row in it yet (the buffer ran out first): it waits for more rows.
      if (this.sink.length < this.maxStatementBytes || this.sink.length === this.first) return pos;
      done.push(this.sink.bytes());
      this.sink = this.begin();
    }
  }

  /**
   * Gives back a statement the server has run (it has read every byte): its memory holds a later
   * statement, rather than a new buffer being allocated for each, which made the garbage collector
   * run every few statements.
   */
  recycle(statement: Buffer): void {
    // Not one grown for a huge row: it would hold that memory for the rest of the file.
    if (statement.byteOffset === 0 && this.spare.length < 2 && statement.buffer.byteLength <= 2 * this.capacity()) {
      this.spare.push(Buffer.from(statement.buffer));
    }
  }

  /** The last statement (undefined when no row is left for one); throws when the file ended inside a row. */
  end(): Buffer | undefined {
    if (this.carried > 0) throw new Error('the file ends in the middle of a row');
    return this.sink.length > this.first ? this.sink.bytes() : undefined;
  }
}
