import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockTuples, type ColumnKind, kindsFromTypes, LoadDataParser, sqlLiteral } from '../../src/load/insert-loader.js';
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

/** The format read one byte at a time: the reference the fast parser must always agree with. */
function referenceParse(bytes: Buffer): { rows: (Buffer | null)[][]; complete: boolean } {
  const UNESCAPE: Record<number, number> = { 0x30: 0x00, 0x62: 0x08, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x5a: 0x1a };
  const rows: (Buffer | null)[][] = [];
  let row: (Buffer | null)[] = [];
  let field: number[] = [];
  let escaped = false;
  let nullCandidate = false;
  for (const b of bytes) {
    if (escaped) {
      escaped = false;
      if (b === 0x4e && field.length === 0) {
        nullCandidate = true;
        continue;
      }
      field.push(UNESCAPE[b] ?? b);
    } else if (b === 0x5c) {
      escaped = true;
      nullCandidate = false;
    } else if (b === 0x09 || b === 0x0a) {
      row.push(nullCandidate ? null : Buffer.from(field));
      field = [];
      nullCandidate = false;
      if (b === 0x0a) {
        rows.push(row);
        row = [];
      }
    } else {
      nullCandidate = false;
      field.push(b);
    }
  }
  return { rows, complete: field.length === 0 && row.length === 0 && !escaped && !nullCandidate };
}

test('the fast parser agrees with a byte-at-a-time reading on random input in random chunks', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [0x09, 0x0a, 0x5c, 0x4e, 0x6e, 0x74, 0x30, 0x41, 0x42, 0xf0, 0x9f, 0x00];
  for (let trial = 0; trial < 3000; trial++) {
    const bytes = Buffer.from(Array.from({ length: rand(120) }, () => (rand(3) === 0 ? alphabet[rand(alphabet.length)] : 0x61 + rand(3))));
    const want = referenceParse(bytes);
    const parser = new LoadDataParser();
    const got: (Buffer | null)[][] = [];
    for (let i = 0; i < bytes.length;) {
      const size = 1 + rand(40);
      // Rows are views of the chunk: copy them, as a consumer that keeps them must.
      parser.push(bytes.subarray(i, i + size), (r) => got.push(r.map((v) => (v === null ? null : Buffer.from(v)))));
      i += size;
    }
    assert.deepEqual(got, want.rows, `trial ${trial}: ${bytes.toString('hex')}`);
    assert.equal(parser.end(), want.complete, `trial ${trial}: completeness`);
  }
});

test('rows taken a block at a time give the same SQL as rows taken value by value', () => {
  // xorshift32: every bit of it varies, which the low bits of a power-of-two LCG do not.
  let seed = 777;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const kinds: ColumnKind[] = ['plain', 'bytes', 'json', 'bit'];
  // Quotes, NULs, NULL marks, escapes (an escaped backslash may end a field, right before its TAB;
  // a TAB or LF may be escaped itself, which our files never do but a LOAD DATA reader accepts),
  // multi-byte UTF-8 (é, 🎉), a byte that is never UTF-8 (ff).
  const pieces = ["'", '\0', '\\N', '\\t', '\\n', '\\0', '\\\\', '\\\t', '\\\n', 'é', '🎉', '12', 'ab', '', '0'].map((p) => Buffer.from(p));
  pieces.push(Buffer.from([0xff]));
  const tuples = (bytes: Buffer, blocks: boolean, sizes: number[]) => {
    const out: string[] = [];
    const parser = new LoadDataParser();
    let k = 0;
    for (let i = 0; i < bytes.length;) {
      const size = sizes[k++ % sizes.length];
      parser.push(
        bytes.subarray(i, i + size),
        (row) => out.push('(' + row.map((v, c) => sqlLiteral(v, kinds[c])).join(',') + ')'),
        blocks ? (buf, start, end) => blockTuples(buf, start, end, kinds, out) && ++taken > 0 : undefined,
      );
      i += size;
    }
    assert.ok(parser.end());
    return out;
  };
  let taken = 0;
  for (let trial = 0; trial < 2000; trial++) {
    const lines: Buffer[] = [];
    for (let r = rand(12); r > 0; r--) {
      const fields = kinds.map(() => Buffer.concat(Array.from({ length: rand(4) }, () => (rand(4) === 0 ? pieces[rand(pieces.length)] : Buffer.from('x')))));
      lines.push(Buffer.concat([...fields.flatMap((f, i) => (i ? [Buffer.from('\t'), f] : [f])), Buffer.from('\n')]));
    }
    const bytes = Buffer.concat(lines);
    const sizes = Array.from({ length: 5 }, () => 1 + rand(60));
    const want = tuples(bytes, false, sizes);
    const got = tuples(bytes, true, sizes);
    assert.deepEqual(got, want, `trial ${trial}: ${bytes.toString('hex')}`);
  }
  assert.ok(taken > 1000, `many rows were taken a block at a time (${taken} blocks)`);
});

test('a block of rows with the wrong number of fields is refused', () => {
  assert.throws(() => blockTuples(Buffer.from('1\t2\n'), 0, 4, ['plain'], []), /a row has 2 fields, the table 1/);
});

test('escape sequences around \\N read as LOAD DATA reads them', () => {
  for (const text of ['\\N\t\\N\\N\n', '\\Nab\tx\\N\n', '\\\\\\N\t\\\n\n', '\\N\\\\N\n']) {
    const parser = new LoadDataParser();
    const got: (Buffer | null)[][] = [];
    parser.push(Buffer.from(text), (r) => got.push(r.map((v) => (v === null ? null : Buffer.from(v)))));
    assert.deepEqual(got, referenceParse(Buffer.from(text)).rows, JSON.stringify(text));
  }
});

test('a file cut in the middle of a row is noticed', () => {
  const parser = new LoadDataParser();
  parser.push(Buffer.from('a\tb'), () => assert.fail('no complete row'));
  assert.equal(parser.end(), false);
});

test('literals: UTF-8 bytes as escaped _binary strings, other bytes as hex, numbers quoted, NULL bare', () => {
  assert.equal(sqlLiteral(null, 'bytes'), 'NULL');
  // Latin-1 é and a quote: not UTF-8, so hex, byte for byte.
  assert.equal(sqlLiteral(Buffer.from([0xe9, 0x27]), 'bytes'), "X'e927'");
  assert.equal(sqlLiteral(Buffer.from(''), 'bytes'), "''");
  assert.equal(sqlLiteral(Buffer.from("it's a \\ and a \0 in é 🎉"), 'bytes'), "_binary'it\\'s a \\\\ and a \\0 in é 🎉'");
  assert.equal(sqlLiteral(Buffer.from('{"a":"x\'y"}'), 'json'), '\'{"a":"x\\\'y"}\'');
  assert.equal(sqlLiteral(Buffer.from([0x7b, 0xff, 0x7d]), 'json'), "CONVERT(X'7bff7d' USING utf8mb4)");
  assert.equal(sqlLiteral(Buffer.from('12.50'), 'plain'), "'12.50'");
  assert.equal(sqlLiteral(Buffer.from("it's\\"), 'plain'), "'it\\'s\\\\'");
  assert.equal(sqlLiteral(Buffer.from('641'), 'bit'), '641');
  // A column of a type taken for ASCII that holds other bytes: they go byte for byte, not re-encoded.
  assert.equal(sqlLiteral(Buffer.from([0x31, 0xf8]), 'plain'), "X'31f8'");
  assert.equal(sqlLiteral(Buffer.from('é'), 'plain'), "_binary'é'");
});

test('kindsFromTypes: bits, JSON, bytes for string and binary types, plain for the rest; undefined when a column has no type', () => {
  const types = new Map([
    ['id', 'int'],
    ['name', 'varchar'],
    ['doc', 'json'],
    ['flag', 'bit'],
    ['blob', 'longblob'],
    ['state', 'enum'],
    ['at', 'datetime'],
    ['where', 'point'],
  ]);
  assert.deepEqual(kindsFromTypes(['id', 'name', 'doc', 'flag', 'blob', 'state', 'at', 'where'], ['flag'], types), [
    'plain',
    'bytes',
    'json',
    'bit',
    'bytes',
    'bytes',
    'plain',
    'bytes',
  ]);
  assert.equal(kindsFromTypes(['id', 'missing'], [], types), undefined);
});
