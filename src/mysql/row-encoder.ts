// Encodes rows (as the text protocol delivers them: Buffer per field, null for NULL) into the format
// LOAD DATA reads with its defaults: fields by TAB, lines by LF, backslash escapes, \N for NULL.
// Bytes are written as they are, so binary and utf8mb4 round-trip exactly.
//
// The dump's hot path encodes row packets in WebAssembly (wasm-row-encoder.ts); this encoder takes
// rows that arrive as Buffer arrays, which mysql2 only hands over if it ever bypasses that path.

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const LETTER_N = 0x4e;

/** For each byte: 0 when it is written as is, else the letter that follows the backslash. */
const ESCAPE = new Uint8Array(256);
ESCAPE[BACKSLASH] = BACKSLASH;
ESCAPE[TAB] = 0x74; // \t
ESCAPE[LF] = 0x6e; // \n
ESCAPE[0x0d] = 0x72; // CR → \r
ESCAPE[0x00] = 0x30; // NUL → \0

/** Writes `src` escaped into dst at pos and returns the new position; the caller reserved 2 × length. */
function escapeInto(dst: Buffer, pos: number, src: Buffer): number {
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    const e = ESCAPE[b];
    if (e === 0) {
      dst[pos++] = b;
    } else {
      dst[pos++] = BACKSLASH;
      dst[pos++] = e;
    }
  }
  return pos;
}

/**
 * Accumulates encoded rows in one growing buffer, so the writer does one write per batch
 * rather than one per field.
 */
export class RowEncoder {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize));
  }

  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes after `pos` and returns the (possibly new) buffer. */
  private grow(pos: number, n: number): Buffer {
    let size = this.buf.length * 2;
    while (size < pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, pos);
    this.buf = next;
    return next;
  }

  push(row: ReadonlyArray<Buffer | null>): void {
    let buf = this.buf;
    let pos = this.pos;
    const last = row.length - 1;
    for (let f = 0; f <= last; f++) {
      const field = row[f];
      const len = field === null ? 2 : field.length;
      if (pos + 2 * len + 1 > buf.length) buf = this.grow(pos, 2 * len + 1);
      if (field === null) {
        buf[pos++] = BACKSLASH;
        buf[pos++] = LETTER_N;
      } else {
        pos = escapeInto(buf, pos, field);
      }
      buf[pos++] = f === last ? LF : TAB;
    }
    this.pos = pos;
  }

  /**
   * The encoded bytes without copying them, and a fresh start: the view is only valid until the next
   * push, so the caller writes it out first (saves a copy per batch, and the garbage it makes).
   */
  drain(): Buffer {
    const view = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return view;
  }

  /** Hands out the encoded bytes (a copy) and starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/** The LOAD DATA clause matching RowEncoder's output. */
export const LOAD_DATA_FORMAT = "CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'";
