import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ColumnKind, InsertBuilder } from '../../src/load/insert-encoder.js';
import { STATEMENT_HEADROOM } from '../../src/mysql/query-bytes.js';
import { RowEncoder } from '../../src/mysql/row-encoder.js';

const HEAD = 'INSERT INTO `t` VALUES ';

/** The statements' SQL (each without its headroom), for file bytes fed in chunks of the given sizes. */
function statements(bytes: Buffer, kinds: ColumnKind[], sizes: number[] = [bytes.length || 1], max = 1 << 20): Buffer[] {
  const b = new InsertBuilder(Buffer.from(HEAD), kinds, max);
  const out: Buffer[] = [];
  for (let i = 0, k = 0; i < bytes.length; i += sizes[k++ % sizes.length]) out.push(...b.push(bytes.subarray(i, i + sizes[k % sizes.length])));
  const last = b.end();
  if (last) out.push(last);
  // Every statement carries rows: none is its head alone.
  for (const s of out) assert.ok(s.length > STATEMENT_HEADROOM + HEAD.length + 2, `a statement of ${s.length} bytes`);
  return out.map((s) => s.subarray(STATEMENT_HEADROOM));
}

// The reference: the file read one byte at a time, then each value written as a string literal.
// Slow and plain, so it is easy to check by eye; the builder must always agree with it.
function referenceRows(bytes: Buffer): (Buffer | null)[][] {
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
  return rows;
}

function referenceLiteral(v: Buffer | null, kind: ColumnKind): string {
  if (v === null) return 'NULL';
  const hex = v.toString('hex');
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(v);
  } catch {
    return kind === 'bit' ? 'NULL' : kind === 'json' ? `CONVERT(X'${hex}' USING utf8mb4)` : `X'${hex}'`;
  }
  const body = "'" + text.replace(/[\\'\0]/g, (c) => (c === '\0' ? '\\0' : '\\' + c)) + "'";
  if (kind === 'bit') return /^\d+$/.test(text) ? text : 'NULL';
  if (kind === 'json') return body;
  if (kind === 'plain') return /^[\x00-\x7f]*$/.test(text) ? body : '_binary' + body;
  return text === '' ? "''" : '_binary' + body;
}

function referenceSql(bytes: Buffer, kinds: ColumnKind[]): string {
  return (
    HEAD +
    referenceRows(bytes)
      .map((r) => '(' + r.map((v, i) => referenceLiteral(v, kinds[i])).join(',') + ')')
      .join(',')
  );
}

test('rows written by the dump come back as the tuples of their values, whatever the chunking', () => {
  const rows: (Buffer | null)[][] = [
    [Buffer.from('plain'), null, Buffer.from('')],
    [Buffer.from('tab\there\nnew\rcr\\back'), Buffer.from([0, 1, 2, 0x5c, 0x4e]), Buffer.from('\\N')],
    [Buffer.from('N'), Buffer.from('🦊'), null],
  ];
  const enc = new RowEncoder(16);
  for (const r of rows) enc.push(r);
  const bytes = enc.take();
  // Control bytes go as they are inside a literal; backslash, quote and NUL are escaped.
  const want = HEAD + "(_binary'plain',NULL,''),(_binary'tab\there\nnew\rcr\\\\back',_binary'\\0\u0001\u0002\\\\N',_binary'\\\\N'),(_binary'N',_binary'🦊',NULL)";
  for (const size of [1, 2, 3, 7, bytes.length]) {
    assert.deepEqual(statements(bytes, ['bytes', 'bytes', 'bytes'], [size]), [Buffer.from(want)], `chunks of ${size}`);
  }
});

test('random files in random chunks give the SQL a byte-at-a-time reading and plain string literals give', () => {
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
  // multi-byte UTF-8 (é, 🎉), a byte that is never UTF-8 (ff), half of a UTF-8 character (c3).
  const pieces = ["'", '\0', '\\N', '\\t', '\\n', '\\0', '\\\\', '\\\t', '\\\n', '\\Z', '\\%', 'é', '🎉', '12', 'ab', '', '0'].map((p) => Buffer.from(p));
  pieces.push(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from('x'.repeat(100)));
  for (let trial = 0; trial < 3000; trial++) {
    const lines: Buffer[] = [];
    for (let r = rand(12); r > 0; r--) {
      const fields = kinds.map(() => Buffer.concat(Array.from({ length: rand(4) }, () => (rand(4) === 0 ? pieces[rand(pieces.length)] : Buffer.from('x')))));
      lines.push(Buffer.concat([...fields.flatMap((f, i) => (i ? [Buffer.from('\t'), f] : [f])), Buffer.from('\n')]));
    }
    const bytes = Buffer.concat(lines);
    const sizes = Array.from({ length: 5 }, () => 1 + rand(60));
    const got = statements(bytes, kinds, sizes);
    const want = referenceRows(bytes).length ? [Buffer.from(referenceSql(bytes, kinds))] : [];
    assert.deepEqual(
      got.map((s) => s.toString('latin1')),
      want.map((s) => s.toString('latin1')),
      `trial ${trial}: ${bytes.toString('hex')}`,
    );
  }
});

test('a file is cut into statements of about the size asked for, every row in exactly one', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `${i}\tname ${i} ${'é'.repeat(i % 7)}\n`).join('');
  const bytes = Buffer.from(lines);
  const got = statements(bytes, ['plain', 'bytes'], [333], 2000);
  assert.ok(got.length > 5, `several statements (${got.length})`);
  for (const s of got.slice(0, -1)) assert.ok(s.length + STATEMENT_HEADROOM >= 2000 && s.length < 2000 + 100, `size ${s.length}`);
  // Each statement is a complete INSERT; their tuples together are the file's rows, in order.
  const tuples = got
    .map((s) => s.toString('utf8'))
    .map((s) => {
      assert.ok(s.startsWith(HEAD) && s.endsWith(')'), s.slice(0, 40));
      return s.slice(HEAD.length);
    });
  assert.equal(HEAD + tuples.join(','), referenceSql(bytes, ['plain', 'bytes']));
});

test('a row with the wrong number of fields is refused, naming the counts', () => {
  assert.throws(() => statements(Buffer.from('1\t2\n'), ['plain']), /a row has 2 fields, the table 1/);
  assert.throws(() => statements(Buffer.from('1\n'), ['plain', 'plain']), /a row has 1 fields, the table 2/);
});

test('a file cut in the middle of a row is noticed', () => {
  const b = new InsertBuilder(Buffer.from(HEAD), ['plain', 'plain'], 1 << 20);
  assert.deepEqual(b.push(Buffer.from('a\tb\nc\td')), []);
  assert.throws(() => b.end(), /ends in the middle of a row/);
  // An escape as the last byte is cut too: the byte it escapes never came.
  const e = new InsertBuilder(Buffer.from(HEAD), ['plain'], 1 << 20);
  e.push(Buffer.from('a\\'));
  assert.throws(() => e.end(), /ends in the middle of a row/);
});

test('literals: UTF-8 bytes as escaped _binary strings, other bytes as hex, numbers quoted, NULL bare', () => {
  const one = (field: Buffer, kind: ColumnKind) => {
    const [s] = statements(Buffer.concat([field, Buffer.from('\n')]), [kind]);
    return s.subarray(HEAD.length + 1, s.length - 1).toString('utf8');
  };
  assert.equal(one(Buffer.from('\\N'), 'bytes'), 'NULL');
  // Latin-1 é and a quote: not UTF-8, so hex, byte for byte.
  assert.equal(one(Buffer.from([0xe9, 0x27]), 'bytes'), "X'e927'");
  assert.equal(one(Buffer.from(''), 'bytes'), "''");
  assert.equal(one(Buffer.from("it's a \\\\ and a \\0 in é 🎉"), 'bytes'), "_binary'it\\'s a \\\\ and a \\0 in é 🎉'");
  assert.equal(one(Buffer.from('{"a":"x\'y"}'), 'json'), '\'{"a":"x\\\'y"}\'');
  assert.equal(one(Buffer.from([0x7b, 0xff, 0x7d]), 'json'), "CONVERT(X'7bff7d' USING utf8mb4)");
  assert.equal(one(Buffer.from('12.50'), 'plain'), "'12.50'");
  assert.equal(one(Buffer.from("it's\\\\"), 'plain'), "'it\\'s\\\\'");
  assert.equal(one(Buffer.from('641'), 'bit'), '641');
  assert.equal(one(Buffer.from('1; DROP'), 'bit'), 'NULL');
  // A column of a type taken for ASCII that holds other bytes: they go byte for byte, not re-encoded.
  assert.equal(one(Buffer.from([0x31, 0xf8]), 'plain'), "X'31f8'");
  assert.equal(one(Buffer.from('é'), 'plain'), "_binary'é'");
  // A raw NUL (our files escape it) is escaped in SQL all the same.
  assert.equal(one(Buffer.from([0x61, 0x00, 0x62]), 'bytes'), "_binary'a\\0b'");
});

test('a statement given back once sent holds a later one, and every statement is still whole', () => {
  const lines = Array.from({ length: 400 }, (_, i) => `${i}\tname ${i} ${'é'.repeat(i % 5)}\n`).join('');
  const bytes = Buffer.from(lines);
  const b = new InsertBuilder(Buffer.from(HEAD), ['plain', 'bytes'], 800);
  const sent: string[] = [];
  const memories = new Set<ArrayBufferLike>();
  let reused = 0;
  const send = (s: Buffer) => {
    if (memories.has(s.buffer)) reused++;
    memories.add(s.buffer);
    // What the server read, before the memory is given back.
    sent.push(s.subarray(STATEMENT_HEADROOM).toString('utf8'));
    b.recycle(s);
  };
  for (let i = 0; i < bytes.length; i += 700) for (const s of b.push(bytes.subarray(i, i + 700))) send(s);
  const last = b.end();
  if (last) send(last);
  assert.ok(sent.length > 10 && reused > sent.length / 2, `memory reused (${reused} of ${sent.length} statements)`);
  assert.equal(HEAD + sent.map((s) => s.slice(HEAD.length)).join(','), referenceSql(bytes, ['plain', 'bytes']));
});

test('a row spanning many reads, with escaped line feeds and backslashes at their edges, comes out whole; an overlong one is refused', () => {
  // One field of 3,000 escaped LFs and backslashes (a crafted file; dumps write \n, not \ + LF).
  const row = Buffer.from('1\t' + '\\\n\\\\'.repeat(1000) + 'end\n2\tx\n');
  for (const size of [1, 2, 3, 5, 64, 1000]) {
    assert.deepEqual(statements(row, ['plain', 'bytes'], [size]), [Buffer.from(referenceSql(row, ['plain', 'bytes']))], `reads of ${size}`);
  }
  const b = new InsertBuilder(Buffer.from(HEAD), ['plain', 'bytes'], 1 << 20, 1024, 1000);
  assert.throws(() => {
    for (let i = 0; i < row.length; i += 100) b.push(row.subarray(i, i + 100));
  }, /a row is longer than 1000 bytes/);
});

test('a head as long as the statement limit (names from a hostile manifest) still gets one row per statement, and ends', () => {
  const rows = Buffer.from('1\tA\n2\tB\n3\tC\n');
  for (const max of [1, 10, HEAD.length + STATEMENT_HEADROOM, HEAD.length + STATEMENT_HEADROOM + 3]) {
    for (const sizes of [[rows.length], [1], [2, 5]]) {
      const out = statements(rows, ['plain', 'bytes'], sizes, max).map(String);
      assert.deepEqual(out, [`${HEAD}('1',_binary'A')`, `${HEAD}('2',_binary'B')`, `${HEAD}('3',_binary'C')`], `max ${max}, reads ${sizes}`);
    }
  }
});
