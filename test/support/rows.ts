// Row helpers for the encoder tests: the plain definition of the LOAD DATA text format, the
// text-protocol packet a server sends for a row, and a seeded random generator.

const ESC: Record<number, number> = { 0x5c: 0x5c, 0x09: 0x74, 0x0a: 0x6e, 0x0d: 0x72, 0x00: 0x30 };

/** What the format says the rows look like, byte by byte, with no fast path. */
export function referenceEncoding(rows: (Buffer | null)[][]): Buffer {
  const out: number[] = [];
  for (const row of rows) {
    row.forEach((f, i) => {
      if (f === null) out.push(0x5c, 0x4e);
      else for (const b of f) ESC[b] !== undefined ? out.push(0x5c, ESC[b]) : out.push(b);
      out.push(i === row.length - 1 ? 0x0a : 0x09);
    });
  }
  return Buffer.from(out);
}

/** A text-protocol row payload, as the server sends it: length-encoded strings, 0xFB for NULL. */
export function rowPacket(fields: (Buffer | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    if (f === null) {
      parts.push(Buffer.from([0xfb]));
      continue;
    }
    const n = f.length;
    if (n < 0xfb) parts.push(Buffer.from([n]));
    else if (n < 1 << 16) parts.push(Buffer.from([0xfc, n & 0xff, n >> 8]));
    else if (n < 1 << 24) parts.push(Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, n >> 16]));
    else {
      const h = Buffer.alloc(9);
      h[0] = 0xfe;
      h.writeBigUInt64LE(BigInt(n), 1);
      parts.push(h);
    }
    parts.push(f);
  }
  return Buffer.concat(parts);
}

/** A deterministic generator, so a failure is reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A field of `len` bytes where about `density` of them need escaping; the rest are text or high bytes. */
export function randomField(rand: () => number, len: number, density: number): Buffer {
  const field = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    field[i] = rand() < density ? [0x5c, 0x09, 0x0a, 0x0d, 0x00][Math.floor(rand() * 5)] : 0x20 + Math.floor(rand() * 0x5f) + (rand() < 0.1 ? 0x80 : 0);
  }
  return field;
}
