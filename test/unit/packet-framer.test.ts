// The dump socket's framer must hand mysql2 exactly the packets the server sent, whole, however the
// reads cut them, and never a view into a buffer it will reuse while that could still be held.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketFramer } from '../../src/mysql/packet-socket.js';
import { rng } from '../support/rows.js';

function packet(len: number, seq: number, fill: (i: number) => number): Buffer {
  const p = Buffer.alloc(4 + len);
  p.writeUIntLE(len, 0, 3);
  p[3] = seq & 0xff;
  for (let i = 0; i < len; i++) p[4 + i] = fill(i);
  return p;
}

/** Feeds `stream` through one reused read buffer, cut at the given sizes; returns what came out. */
function frame(stream: Buffer, cuts: () => number, zeroCopy: boolean): { chunks: Buffer[]; copies: Buffer[] } {
  const chunks: Buffer[] = [];
  const copies: Buffer[] = [];
  const framer = new PacketFramer((c) => {
    chunks.push(c);
    copies.push(Buffer.from(c));
  });
  if (zeroCopy) framer.zeroCopy();
  const read = Buffer.alloc(64 << 10);
  for (let at = 0; at < stream.length;) {
    const n = Math.min(cuts(), stream.length - at, read.length);
    stream.copy(read, 0, at, at + n);
    const before = chunks.length;
    framer.push(read, n);
    // Until the next read, everything this read emitted must still hold what it held when emitted
    // (mysql2 keeps the packets it has not handled yet when it pauses, and stops reading).
    for (let i = before; i < chunks.length; i++) assert.ok(chunks[i].equals(copies[i]), `chunk ${i} was overwritten before the next read`);
    read.fill(0xee); // what the next read does to a view kept by mistake
    at += n;
  }
  return { chunks, copies };
}

/** Splits the emitted bytes back into packets, checking each chunk holds whole packets only. */
function packets(chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) {
    let p = 0;
    while (p < c.length) {
      const len = c.readUIntLE(p, 3);
      assert.ok(p + 4 + len <= c.length, 'a chunk ends with a whole packet');
      out.push(c.subarray(p, p + 4 + len));
      p += 4 + len;
    }
  }
  return out;
}

describe('PacketFramer', () => {
  const rand = rng(11);
  const sent = Array.from({ length: 400 }, (_, i) => packet([0, 1, 3, 4, 250, 1000, 70_000][Math.floor(rand() * 7)], i, (j) => (i * 7 + j) & 0xff));
  const stream = Buffer.concat(sent);

  // Tiny reads over the first packets only (every byte a read of its own is slow to run).
  const head = sent.slice(0, 60);
  for (const [label, cuts, packetsSent] of [
    ['1-byte reads', () => 1, head],
    ['reads that cut inside headers and payloads', () => 1 + Math.floor(rand() * 9), head],
    ['random reads up to 64 KB', () => 1 + Math.floor(rand() * (64 << 10)), sent],
    ['full 64 KB reads', () => 64 << 10, sent],
  ] as const) {
    test(`${label}: the same packets, whole, in order`, () => {
      const { copies } = frame(Buffer.concat(packetsSent), cuts, true);
      const got = packets(copies);
      assert.equal(got.length, packetsSent.length);
      got.forEach((p, i) => assert.ok(p.equals(packetsSent[i]), `packet ${i}`));
    });
  }

  test('before zeroCopy() every chunk is a copy (the handshake keeps views)', () => {
    const { chunks, copies } = frame(stream, () => 700, false);
    chunks.forEach((c, i) => assert.ok(c.equals(copies[i]), `chunk ${i} unchanged after later reads`));
  });

  test('packets of the maximum length (a row of 16 MB or more) are always copies', () => {
    const big = [packet(0xffffff, 0, (j) => j & 0xff), packet(0xffffff, 1, (j) => (j * 3) & 0xff), packet(5, 2, () => 9)];
    const { chunks, copies } = frame(Buffer.concat(big), () => 64 << 10, true);
    assert.ok(packets(copies).every((p, i) => p.equals(big[i])));
    // mysql2 holds the parts of such a row until the last one: they must survive every later read.
    const parts = chunks.filter((c) => c.readUIntLE(0, 3) === 0xffffff);
    assert.equal(parts.length, 2);
    parts.forEach((c, i) => assert.ok(c.equals(big[i]), `part ${i} intact after all reads`));
  });

  test('while diverted, whole packets go to the sink; what it passes back reaches mysql2 as a copy', () => {
    const emitted: Buffer[] = [];
    const framer = new PacketFramer((c) => emitted.push(c));
    assert.throws(() => framer.divert(() => undefined), /zeroCopy/);
    framer.zeroCopy();
    const read = Buffer.alloc(64 << 10);
    const feed = (bytes: Buffer) => {
      bytes.copy(read);
      framer.push(read, bytes.length);
    };
    const diverted: Buffer[] = [];
    framer.divert((c) => {
      diverted.push(Buffer.from(c));
      // The sink keeps the rows and hands back the last packet (say, the end of the rows).
      framer.undivert();
      framer.pass(c.subarray(c.length - 9));
    });
    assert.ok(framer.diverted);
    // One read: two whole packets and the first half of a third.
    const a = packet(10, 1, () => 1);
    const b = packet(5, 2, () => 2);
    const c = packet(20, 3, () => 3);
    feed(Buffer.concat([a, b, c.subarray(0, 8)]));
    assert.equal(diverted.length, 1);
    assert.ok(diverted[0].equals(Buffer.concat([a, b])));
    assert.equal(emitted.length, 1);
    assert.ok(emitted[0].equals(b));
    assert.notEqual(emitted[0].buffer, read.buffer, 'a copy, not a view of the read buffer');
    assert.ok(!framer.diverted);
    // Undiverted: the rest of the cut packet goes to mysql2 as before.
    feed(c.subarray(8));
    assert.equal(emitted.length, 2);
    assert.ok(emitted[1].equals(c));
  });

  test('a divert asked for during a read starts with the next read (mysql2 may have queued the rest)', () => {
    const emitted: Buffer[] = [];
    const diverted: Buffer[] = [];
    const framer: PacketFramer = new PacketFramer((c) => {
      emitted.push(Buffer.from(c));
      framer.divert((d) => diverted.push(Buffer.from(d)));
    });
    framer.zeroCopy();
    const read = Buffer.alloc(64 << 10);
    const feed = (bytes: Buffer) => {
      bytes.copy(read);
      framer.push(read, bytes.length);
    };
    const a = packet(30, 1, () => 1);
    const b = packet(6, 2, () => 2);
    const c = packet(7, 3, () => 3);
    feed(a.subarray(0, 10));
    // This read completes the held packet (one run) and holds whole packets after it (another).
    feed(Buffer.concat([a.subarray(10), b]));
    assert.deepEqual(emitted, [a, b]);
    assert.equal(diverted.length, 0);
    feed(c);
    assert.deepEqual(diverted, [c]);
    assert.equal(emitted.length, 2);
  });
});
