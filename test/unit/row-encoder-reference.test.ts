// The encoder's fast paths (native scans of long fields, the dense-binary fallback) must write
// exactly what the plain definition of the format says, for every kind of field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../../src/mysql/row-encoder.js';

const ESC: Record<number, string> = { 0x5c: '\\\\', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x00: '\\0' };

function reference(rows: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [];
  for (const row of rows) {
    row.forEach((f, i) => {
      if (f === null) parts.push(Buffer.from('\\N'));
      else for (const b of f) parts.push(ESC[b] !== undefined ? Buffer.from(ESC[b], 'latin1') : Buffer.from([b]));
      parts.push(Buffer.from(i === row.length - 1 ? '\n' : '\t'));
    });
  }
  return Buffer.concat(parts);
}

/** A deterministic generator, so a failure is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('fields of every length and special-byte density encode as the format defines', () => {
  const rand = rng(42);
  const rows: (Buffer | null)[][] = [];
  for (let r = 0; r < 300; r++) {
    const row: (Buffer | null)[] = [];
    for (let f = 0; f < 4; f++) {
      if (rand() < 0.05) {
        row.push(null);
        continue;
      }
      const len = [0, 1, 47, 255, 256, 257, 1000, 5000, 70000][Math.floor(rand() * 9)];
      const density = [0, 0.0005, 0.01, 0.2, 1][Math.floor(rand() * 5)];
      const field = Buffer.alloc(len);
      for (let i = 0; i < len; i++) {
        field[i] = rand() < density ? [0x5c, 0x09, 0x0a, 0x0d, 0x00][Math.floor(rand() * 5)] : 0x20 + Math.floor(rand() * 0x5f) + (rand() < 0.1 ? 0x80 : 0);
      }
      row.push(field);
    }
    rows.push(row);
  }
  const enc = new RowEncoder(64);
  for (const row of rows) enc.push(row);
  assert.ok(enc.take().equals(reference(rows)));
});
