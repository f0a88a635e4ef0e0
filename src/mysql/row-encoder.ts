// Encodes rows (as the text protocol delivers them: Buffer per field, null for NULL) into the format
// LOAD DATA reads with its defaults: fields by TAB, lines by LF, backslash escapes, \N for NULL.
// Bytes are written as they are, so binary and utf8mb4 round-trip exactly.

const TAB = 0x09;
const LF = 0x0a;
const BACKSLASH = 0x5c;
const NUL = 0x00;
const CR = 0x0d;

/** Bytes a field needs once escaped; the fast path for fields with nothing to escape. */
function escapedLength(field: Buffer): number {
  let extra = 0;
  for (let i = 0; i < field.length; i++) {
    const b = field[i];
    if (b === BACKSLASH || b === TAB || b === LF || b === NUL || b === CR) extra++;
  }
  return field.length + extra;
}

/**
 * Accumulates encoded rows in one growing buffer, so the writer does one write per batch
 * rather than one per field.
 */
export class RowEncoder {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  push(row: ReadonlyArray<Buffer | null>): void {
    for (let f = 0; f < row.length; f++) {
      const field = row[f];
      if (field === null) {
        this.reserve(3);
        this.buf[this.pos++] = BACKSLASH;
        this.buf[this.pos++] = 0x4e; // N
      } else {
        const need = escapedLength(field);
        this.reserve(need + 1);
        if (need === field.length) {
          field.copy(this.buf, this.pos);
          this.pos += field.length;
        } else {
          for (let i = 0; i < field.length; i++) {
            const b = field[i];
            switch (b) {
              case BACKSLASH: this.buf[this.pos++] = BACKSLASH; this.buf[this.pos++] = BACKSLASH; break;
              case TAB: this.buf[this.pos++] = BACKSLASH; this.buf[this.pos++] = 0x74; break; // \t
              case LF: this.buf[this.pos++] = BACKSLASH; this.buf[this.pos++] = 0x6e; break; // \n
              case CR: this.buf[this.pos++] = BACKSLASH; this.buf[this.pos++] = 0x72; break; // \r
              case NUL: this.buf[this.pos++] = BACKSLASH; this.buf[this.pos++] = 0x30; break; // \0
              default: this.buf[this.pos++] = b;
            }
          }
        }
      }
      this.reserve(1);
      this.buf[this.pos++] = f === row.length - 1 ? LF : TAB;
    }
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
