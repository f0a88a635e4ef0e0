// Encodes rows (as the text protocol delivers them: Buffer per field, null for NULL) into the format
// LOAD DATA reads with its defaults: fields by TAB, lines by LF, backslash escapes, \N for NULL.
// Bytes are written as they are, so binary and utf8mb4 round-trip exactly.
//
// This is the dump's hot loop (every byte of every row passes through it), hence the table lookup,
// the buffer and position kept in locals, and the room reserved once per field.

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

const SPECIALS = [BACKSLASH, TAB, LF, 0x0d, 0x00];
// Fields at least this long are searched with native memchr (Buffer#indexOf) per special byte.
const NATIVE_SCAN_MIN = 256;

/** The byte loop: fine for short fields and for binary data dense with special bytes. */
function escapeLoop(dst: Buffer, pos: number, src: Buffer, i: number, end: number): number {
  for (; i < end; i++) {
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
 * Long fields: copy the clean runs natively between the special bytes that native searches find.
 * Text rarely holds a special byte, so this moves most bytes at memcpy speed; when specials turn
 * out to be dense (binary data), the byte loop takes over.
 */
function escapeLong(dst: Buffer, pos: number, src: Buffer, start: number, end: number): number {
  const view = src.subarray(start, end);
  const n = end - start;
  const next = SPECIALS.map((b) => {
    const at = view.indexOf(b);
    return at < 0 ? n : at;
  });
  let i = 0;
  let found = 0;
  for (;;) {
    let k = 0;
    for (let j = 1; j < next.length; j++) if (next[j] < next[k]) k = j;
    const at = next[k];
    if (at > i) pos += view.copy(dst, pos, i, at);
    if (at >= n) return pos;
    dst[pos++] = BACKSLASH;
    dst[pos++] = ESCAPE[view[at]];
    i = at + 1;
    if (++found * 64 > i) return escapeLoop(dst, pos, view, i, n);
    const again = view.indexOf(SPECIALS[k], i);
    next[k] = again < 0 ? n : again;
  }
}

/**
 * Writes src[start, end) escaped into dst at pos and returns the new position. The caller has
 * reserved 2 × length bytes, the worst case.
 */
function escapeInto(dst: Buffer, pos: number, src: Buffer, start: number, end: number): number {
  if (end - start >= NATIVE_SCAN_MIN) return escapeLong(dst, pos, src, start, end);
  let i = start;
  // The clean prefix: most fields have nothing to escape at all.
  for (; i < end; i++) {
    const b = src[i];
    if (ESCAPE[b] !== 0) break;
    dst[pos++] = b;
  }
  return i === end ? pos : escapeLoop(dst, pos, src, i, end);
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
        pos = escapeInto(buf, pos, field, 0, len);
      }
      buf[pos++] = f === last ? LF : TAB;
    }
    this.pos = pos;
  }

  /**
   * Encodes one text-protocol row packet's payload (bytes [start, end) of `packet`): a
   * length-encoded string per field, 0xFB for NULL. Reads the fields in place, without a Buffer
   * object per field. Returns the number of fields; throws on a malformed payload rather than
   * writing a wrong line.
   */
  pushTextRow(packet: Buffer, start: number, end: number): number {
    let buf = this.buf;
    let pos = this.pos;
    let p = start;
    let fields = 0;
    while (p < end) {
      fields++;
      const lead = packet[p++];
      let len: number;
      if (lead < 0xfb) {
        len = lead;
      } else if (lead === 0xfb) {
        if (pos + 3 > buf.length) buf = this.grow(pos, 3);
        buf[pos++] = BACKSLASH;
        buf[pos++] = LETTER_N;
        buf[pos++] = p === end ? LF : TAB;
        continue;
      } else if (lead === 0xfc) {
        len = packet[p] | (packet[p + 1] << 8);
        p += 2;
      } else if (lead === 0xfd) {
        len = packet[p] | (packet[p + 1] << 8) | (packet[p + 2] << 16);
        p += 3;
      } else if (lead === 0xfe) {
        // 8 bytes; fields over 2^53 bytes cannot exist, so the high word only adds range.
        len = (packet[p] | (packet[p + 1] << 8) | (packet[p + 2] << 16)) + packet[p + 3] * 0x1000000 + (packet[p + 4] + packet[p + 5] * 0x100 + packet[p + 6] * 0x10000 + packet[p + 7] * 0x1000000) * 0x100000000;
        p += 8;
      } else {
        throw new Error(`malformed row packet: field length prefix 0x${lead.toString(16)}`);
      }
      const fieldEnd = p + len;
      if (fieldEnd > end) throw new Error('malformed row packet: a field runs past the end of the packet');
      if (pos + 2 * len + 1 > buf.length) buf = this.grow(pos, 2 * len + 1);
      pos = escapeInto(buf, pos, packet, p, fieldEnd);
      p = fieldEnd;
      buf[pos++] = p === end ? LF : TAB;
    }
    this.pos = pos;
    return fields;
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
