// RowEncoder must write exactly what the plain definition of the format says, for every kind of field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../../src/mysql/row-encoder.js';
import { randomField, referenceEncoding, rng } from '../support/rows.js';

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
      row.push(randomField(rand, len, density));
    }
    rows.push(row);
  }
  const enc = new RowEncoder(64);
  for (const row of rows) enc.push(row);
  assert.ok(enc.take().equals(referenceEncoding(rows)));
});
