import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOAD_DATA_FORMAT, RowEncoder } from '../../src/mysql/row-encoder.js';

function encode(...rows: (Buffer | null)[][]): Buffer {
  const e = new RowEncoder(4);
  for (const r of rows) e.push(r);
  return e.take();
}

const b = (s: string) => Buffer.from(s, 'utf8');

/** Reads the format back the way LOAD DATA does with the clause in LOAD_DATA_FORMAT. */
function decode(data: Buffer): (Buffer | null)[][] {
  const rows: (Buffer | null)[][] = [];
  let row: (Buffer | null)[] = [];
  let field: number[] = [];
  let isNull = false;
  const endField = () => {
    row.push(isNull ? null : Buffer.from(field));
    field = [];
    isNull = false;
  };
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    if (c === 0x5c) {
      const n = data[++i];
      if (n === 0x4e && field.length === 0) isNull = true;
      else field.push({ 0x30: 0, 0x74: 9, 0x6e: 10, 0x72: 13, 0x62: 8, 0x5a: 26 }[n] ?? n);
    } else if (c === 0x09) endField();
    else if (c === 0x0a) {
      endField();
      rows.push(row);
      row = [];
    } else field.push(c);
  }
  assert.equal(field.length, 0, 'the data ends with a complete line');
  return rows;
}

describe('RowEncoder (LOAD DATA text format)', () => {
  test('fields by TAB, rows by LF', () => {
    assert.equal(encode([b('1'), b('a')], [b('2'), b('b')]).toString(), '1\ta\n2\tb\n');
  });

  test('NULL is \\N, the empty string is nothing, the text "\\N" is escaped', () => {
    assert.equal(encode([null, b(''), b('\\N'), b('N')]).toString(), '\\N\t\t\\\\N\tN\n');
    assert.deepEqual(decode(encode([null, b(''), b('\\N')])), [[null, b(''), b('\\N')]]);
  });

  test('every special byte is escaped: backslash, TAB, LF, CR, NUL', () => {
    assert.equal(encode([Buffer.from([0x5c, 0x09, 0x0a, 0x0d, 0x00])]).toString('latin1'), '\\\\\\t\\n\\r\\0\n');
    assert.equal(encode([b('trailing\\')]).toString(), 'trailing\\\\\n');
  });

  test('all 256 byte values and utf8mb4 text round-trip exactly', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const text = b('emoji 🦊 𝄞 "quotes" \'single\' `tick` Ω');
    const rows = [
      [all, text, null],
      [Buffer.alloc(0), Buffer.from(all).reverse(), b('\t\n\\')],
    ];
    assert.deepEqual(decode(encode(...rows)), rows);
  });

  test('fields without special bytes are copied as they are', () => {
    const big = Buffer.alloc(3 << 20, 0x41);
    const out = encode([big, b('x')]);
    assert.equal(out.length, big.length + 3);
    assert.ok(out.subarray(0, big.length).equals(big));
  });

  test('take() hands out the bytes and starts over; the buffer grows as needed', () => {
    const e = new RowEncoder(2);
    e.push([b('hello'), b('world')]);
    assert.equal(e.length, 12);
    const first = e.take();
    assert.equal(e.length, 0);
    e.push([b('x')]);
    assert.equal(first.toString(), 'hello\tworld\n', 'a taken batch is not overwritten by later rows');
    assert.equal(e.take().toString(), 'x\n');
  });

  test('the LOAD DATA clause reads the same format, as bytes', () => {
    assert.match(LOAD_DATA_FORMAT, /CHARACTER SET binary/);
    assert.match(LOAD_DATA_FORMAT, /FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'/);
  });
});
