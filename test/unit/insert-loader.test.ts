import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadDataParser, sqlLiteral } from '../../src/load/insert-loader.js';
import { RowEncoder } from '../../src/mysql/row-encoder.js';

const rows: (Buffer | null)[][] = [
  [Buffer.from('plain'), null, Buffer.from('')],
  [Buffer.from('tab\there\nnew\rcr\\back'), Buffer.from([0, 1, 2, 0x5c, 0x4e]), Buffer.from('\\N')],
  [Buffer.from('N'), Buffer.from('🦊'), null],
];

test('the parser reads back exactly what the encoder wrote, whatever the chunking', () => {
  const enc = new RowEncoder(16);
  for (const r of rows) enc.push(r);
  const bytes = enc.take();
  for (const size of [1, 2, 3, 7, bytes.length]) {
    const parser = new LoadDataParser();
    const out: (Buffer | null)[][] = [];
    for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size), (r) => out.push(r));
    assert.ok(parser.end(), 'nothing left over');
    assert.deepEqual(out, rows, `chunks of ${size}`);
  }
});

test('a file cut in the middle of a row is noticed', () => {
  const parser = new LoadDataParser();
  parser.push(Buffer.from('a\tb'), () => assert.fail('no complete row'));
  assert.equal(parser.end(), false);
});

test('literals: bytes as hex, JSON converted, numbers quoted, NULL bare', () => {
  assert.equal(sqlLiteral(null, 'bytes'), 'NULL');
  assert.equal(sqlLiteral(Buffer.from([0xe9, 0x27]), 'bytes'), "X'e927'");
  assert.equal(sqlLiteral(Buffer.from(''), 'bytes'), "''");
  assert.equal(sqlLiteral(Buffer.from('{"a":1}'), 'json'), "CONVERT(X'7b2261223a317d' USING utf8mb4)");
  assert.equal(sqlLiteral(Buffer.from('12.50'), 'plain'), "'12.50'");
  assert.equal(sqlLiteral(Buffer.from("it's\\"), 'plain'), "'it\\'s\\\\'");
  assert.equal(sqlLiteral(Buffer.from('641'), 'bit'), '641');
});
