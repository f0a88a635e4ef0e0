// The WebAssembly encoder must write exactly the bytes the format defines (and the JavaScript
// encoder writes), whatever the field lengths around its 16-byte blocks, the escape density, the
// way rows share socket chunks, or how much its memory has to grow.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmRowEncoder } from '../../src/mysql/wasm-row-encoder.js';
import { randomField, referenceEncoding, rng, rowPacket } from '../support/rows.js';

type Row = (Buffer | null)[];

/** Packs rows into chunks of several packets each (4-byte headers between), as a socket delivers them. */
function chunked(rows: Row[], perChunk: number): { chunk: Buffer; start: number; end: number }[] {
  const out: { chunk: Buffer; start: number; end: number }[] = [];
  for (let i = 0; i < rows.length; i += perChunk) {
    const parts: Buffer[] = [];
    const spans: [number, number][] = [];
    let at = 0;
    for (const row of rows.slice(i, i + perChunk)) {
      const payload = rowPacket(row);
      parts.push(Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 7]), payload);
      spans.push([at + 4, at + 4 + payload.length]);
      at += 4 + payload.length;
    }
    // Bytes after the last packet that must not be read as part of it.
    const chunk = Buffer.concat([...parts, Buffer.from([0x5c, 0x09, 0xfe, 0xff])]);
    for (const [start, end] of spans) out.push({ chunk, start, end });
  }
  return out;
}

function encode(rows: Row[], perChunk: number, initialSize?: number): Buffer {
  const enc = new WasmRowEncoder(initialSize);
  const out: Buffer[] = [];
  for (const { chunk, start, end } of chunked(rows, perChunk)) {
    enc.pushTextRow(chunk, start, end);
    if (enc.length > 1 << 16) out.push(Buffer.from(enc.drain()));
  }
  out.push(Buffer.from(enc.drain()));
  return Buffer.concat(out);
}

describe('WasmRowEncoder', () => {
  test('every field length around the 16-byte blocks, with and without bytes to escape', () => {
    const rand = rng(7);
    const rows: Row[] = [];
    for (let len = 0; len <= 70; len++) {
      for (const density of [0, 0.05, 1]) rows.push([randomField(rand, len, density), Buffer.from(String(len)), null]);
    }
    // A special byte at each position of a block.
    for (let at = 0; at < 34; at++) {
      for (const special of [0x00, 0x09, 0x0a, 0x0d, 0x5c]) {
        const f = Buffer.alloc(34, 0x61);
        f[at] = special;
        rows.push([f]);
      }
    }
    assert.ok(encode(rows, 5).equals(referenceEncoding(rows)));
  });

  test('random rows of every size and density, one or many to a chunk', () => {
    const rand = rng(42);
    const rows: Row[] = [];
    for (let r = 0; r < 400; r++) {
      const row: Row = [];
      const width = 1 + Math.floor(rand() * 6);
      for (let f = 0; f < width; f++) {
        if (rand() < 0.08) {
          row.push(null);
          continue;
        }
        const len = [0, 1, 15, 16, 17, 47, 250, 251, 255, 256, 1000, 5000, 65535, 65536, 70000][Math.floor(rand() * 15)];
        row.push(randomField(rand, len, [0, 0.0005, 0.01, 0.2, 1][Math.floor(rand() * 5)]));
      }
      rows.push(row);
    }
    const expected = referenceEncoding(rows);
    for (const perChunk of [1, 3, 50]) assert.ok(encode(rows, perChunk, 4096).equals(expected), `${perChunk} rows per chunk`);
  });

  test('NULL-only rows (the widest output per input byte) and an empty string', () => {
    const rows: Row[] = [Array(300).fill(null), [Buffer.alloc(0)], [null, Buffer.alloc(0), null]];
    assert.ok(encode(rows, 2, 4096).equals(referenceEncoding(rows)));
  });

  test('a row bigger than its memory: 3- and 8-byte length prefixes, the memory grows', () => {
    const rand = rng(3);
    const rows: Row[] = [[Buffer.from('small')], [randomField(rand, 17 << 20, 0.01), Buffer.from('after')], [Buffer.from('small again')]];
    assert.ok(encode(rows, 1, 4096).equals(referenceEncoding(rows)));
  });

  test('rows handed over as arrays (mysql2 own row path) mix in, in order', () => {
    const rows: Row[] = [[Buffer.from('a\tb')], [null, Buffer.from('c')], [Buffer.from('d\\')]];
    const enc = new WasmRowEncoder();
    const [p0, , p2] = chunked(rows, 1);
    enc.pushTextRow(p0.chunk, p0.start, p0.end);
    enc.push(rows[1]);
    enc.pushTextRow(p2.chunk, p2.start, p2.end);
    assert.ok(Buffer.from(enc.drain()).equals(referenceEncoding(rows)));
  });

  test('returns the field count, so a row of the wrong width is caught', () => {
    const enc = new WasmRowEncoder();
    const p = rowPacket([Buffer.from('1'), null, Buffer.from('x')]);
    assert.equal(enc.pushTextRow(p, 0, p.length), 3);
  });

  test('a malformed packet is refused, not written', () => {
    const enc = new WasmRowEncoder();
    const p = rowPacket([Buffer.from('hello')]);
    assert.throws(() => enc.pushTextRow(p, 0, p.length - 1), /runs past the end/);
    const bad = Buffer.from([0xff, 1, 2]);
    assert.throws(() => enc.pushTextRow(bad, 0, bad.length), /unknown field length prefix/);
    const huge = Buffer.from([0xfe, 0, 0, 0, 0x80, 0, 0, 0, 0]);
    assert.throws(() => enc.pushTextRow(huge, 0, huge.length), /runs past the end/);
    assert.equal(enc.length, 0);
  });
});

/** Row packets with their headers, one after another, as a socket chunk holds them. */
function packets(rows: Row[], seq = 1): Buffer {
  return Buffer.concat(rows.map((row, i) => header(rowPacket(row), seq + i)));
}

function header(payload: Buffer, seq: number): Buffer {
  return Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, seq & 0xff]), payload]);
}

const EOF_PACKET = header(Buffer.from([0xfe, 0, 0, 0x22, 0]), 9);

describe('WasmRowEncoder.pushRows (whole socket chunks)', () => {
  test('encodes every row of a chunk and stops at the end-of-rows packet, where mysql2 takes over', () => {
    const rand = rng(11);
    const rows: Row[] = [];
    for (let r = 0; r < 300; r++) rows.push([randomField(rand, Math.floor(rand() * 300), 0.05), rand() < 0.1 ? null : Buffer.from(String(r)), randomField(rand, 3, 1)]);
    const rowBytes = packets(rows);
    const chunk = Buffer.concat([rowBytes, EOF_PACKET, header(Buffer.from([0x03, 0x64, 0x65, 0x66]), 1)]);
    const enc = new WasmRowEncoder(4096);
    const r = enc.pushRows(chunk, 0, 3, 1 << 30);
    assert.deepEqual(r, { next: rowBytes.length, rows: 300, stop: 'not-a-row' });
    assert.ok(Buffer.from(enc.drain()).equals(referenceEncoding(rows)));
  });

  test('stops once the output reaches the flush mark and resumes where it stopped', () => {
    const rand = rng(5);
    const rows: Row[] = [];
    for (let r = 0; r < 500; r++) rows.push([randomField(rand, 1 + Math.floor(rand() * 2000), 0.01), null]);
    const chunk = packets(rows);
    const enc = new WasmRowEncoder(4096);
    const out: Buffer[] = [];
    let at = 0;
    let total = 0;
    let flushes = 0;
    for (;;) {
      const r = enc.pushRows(chunk, at, 2, 16 << 10);
      total += r.rows;
      at = r.next;
      if (r.stop === 'chunk-done') break;
      assert.equal(r.stop, 'flush');
      assert.ok(enc.length >= 16 << 10);
      flushes++;
      out.push(Buffer.from(enc.drain()));
    }
    out.push(Buffer.from(enc.drain()));
    assert.equal(at, chunk.length);
    assert.equal(total, 500);
    assert.ok(flushes > 10, `${flushes} flushes`);
    assert.ok(Buffer.concat(out).equals(referenceEncoding(rows)));
  });

  test('a chunk bigger than its memory, rows far bigger than its output: the memory grows', () => {
    const rand = rng(9);
    const rows: Row[] = [[Buffer.from('a')], [randomField(rand, 300_000, 1)], [randomField(rand, 70_000, 0)], [Buffer.from('z')]];
    const chunk = packets(rows);
    const enc = new WasmRowEncoder(4096);
    const r = enc.pushRows(chunk, 0, 1, 1 << 30);
    assert.deepEqual(r, { next: chunk.length, rows: 4, stop: 'chunk-done' });
    assert.ok(Buffer.from(enc.drain()).equals(referenceEncoding(rows)));
  });

  test('hands back an error packet, an empty packet and the first part of a row of 16 MB or more', () => {
    const before = packets([[Buffer.from('x')], [Buffer.from('y')]]);
    const error = header(Buffer.from([0xff, 0x15, 0x04, 0x23, 0x37, 0x30, 0x31, 0x30, 0x30]), 3);
    const empty = header(Buffer.alloc(0), 3);
    const long = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 3, 0xfd, 0xff, 0xff, 0xff]), Buffer.alloc(64)]);
    for (const [what, next] of [
      ['error', error],
      ['empty', empty],
      ['long', long],
    ] as const) {
      const enc = new WasmRowEncoder();
      const r = enc.pushRows(Buffer.concat([before, next]), 0, 1, 1 << 30);
      assert.deepEqual(r, { next: before.length, rows: 2, stop: 'not-a-row' }, what);
      assert.equal(Buffer.from(enc.drain()).toString(), 'x\ny\n', what);
    }
  });

  test('a row of another width, or a malformed one, is refused', () => {
    const enc = new WasmRowEncoder();
    assert.throws(() => enc.pushRows(packets([[Buffer.from('a'), Buffer.from('b')], [Buffer.from('c')]]), 0, 2, 1 << 30), /not the 2 columns/);
    const cut = header(rowPacket([Buffer.from('hello')]).subarray(0, 4), 1);
    assert.throws(() => new WasmRowEncoder().pushRows(cut, 0, 1, 1 << 30), /runs past the end/);
  });

  test('after reset, an encoder reused for another result copies its chunks afresh', () => {
    const enc = new WasmRowEncoder(4096);
    const chunk = packets([[Buffer.from('first')]]);
    enc.pushRows(chunk, 0, 1, 1 << 30);
    assert.equal(Buffer.from(enc.drain()).toString(), 'first\n');
    enc.reset();
    // The same read buffer, refilled by a later read.
    packets([[Buffer.from('again')]]).copy(chunk);
    enc.pushRows(chunk, 0, 1, 1 << 30);
    assert.equal(Buffer.from(enc.drain()).toString(), 'again\n');
  });
});
