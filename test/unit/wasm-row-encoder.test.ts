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
