import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../../src/mysql/row-encoder.js';
import { rowPacket } from '../support/rows.js';

function viaArrays(rows: (Buffer | null)[][]): Buffer { const e = new RowEncoder(8); for (const r of rows) e.push(r); return e.take(); }
function viaPackets(rows: (Buffer | null)[][]): Buffer {
  const e = new RowEncoder(8);
  for (const r of rows) {
    const payload = rowPacket(r);
    const framed = Buffer.concat([Buffer.from([1, 2, 3, 4, 5]), payload, Buffer.from([9, 9])]); // bytes around the payload are not read
    assert.equal(e.pushTextRow(framed, 5, 5 + payload.length), r.length);
  }
  return e.take();
}

describe('RowEncoder.pushTextRow', () => {
  test('same bytes as push() for every length prefix, NULL, empty and special bytes', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const rand = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(Math.random() * 256)));
    const rows = [
      [Buffer.from('1'), null, Buffer.alloc(0), Buffer.from('a\tb\nc\\d\re\0f')],
      [null], [Buffer.alloc(0)], [Buffer.alloc(0), null],
      [all, rand(250), rand(251), rand(300), Buffer.from('x'.repeat(100) + '\n' + 'y'.repeat(100))],
      [rand(70_000), Buffer.from('tail')],
      [rand(17 << 20)],
    ];
    assert.deepEqual(viaPackets(rows), viaArrays(rows));
  });
  test('a field running past the packet is refused', () => {
    const e = new RowEncoder();
    const p = rowPacket([Buffer.from('hello')]);
    assert.throws(() => e.pushTextRow(p, 0, p.length - 1), /malformed row packet/);
  });
});
