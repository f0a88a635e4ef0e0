// A TCP socket for a dump connection that reads into one reused buffer instead of a new 64 KB
// Buffer per read. A gigabyte through ordinary sockets is ~16,000 such Buffers, and the memory they
// hold outside the JavaScript heap makes V8 run a full garbage collection every few dozen MB.
//
// mysql2 reads the socket's 'data' events, and its parser keeps views into a chunk across events
// when a packet is cut between reads (and the rows a query returns may hold views too). So this
// socket only ever emits whole packets: a packet cut between reads is completed in a side buffer
// first. What stays safe to reuse, and why:
//   - the read buffer and the side buffers are only written during a read, and a connection that
//     mysql2 pauses (it then keeps the rest of a chunk's packets for later) stops reading;
//   - the two side buffers take turns, so completing the next packet never overwrites the one
//     just emitted;
//   - until `zeroCopy()` is called, every emitted chunk is a fresh copy: the handshake keeps views
//     (the auth scramble), and so would rows returned as Buffers, so only a connection whose
//     results are consumed as they arrive (the dump's row encoder) should switch;
//   - a packet of the maximum length (a row of 16 MB or more arrives as several) is always copied,
//     because mysql2 holds its parts until the last one.
import { connect, type Socket } from 'node:net';

const HEADER = 4;
const MAX_PAYLOAD = 0xffffff;
const READ_SIZE = 64 << 10;

/** Splits a byte stream into runs of whole packets; `emit` gets each run (see the header comment). */
export class PacketFramer {
  private side = [Buffer.allocUnsafe(READ_SIZE), Buffer.allocUnsafe(READ_SIZE)];
  private turn = 0;
  /** Bytes of a cut packet, kept in side[turn]. */
  private held = 0;
  private reuse = false;
  /** Where runs of packets go instead of mysql2: `sink` during this read, `next` from the next one. */
  private sink: ((chunk: Buffer) => void) | undefined;
  private next: ((chunk: Buffer) => void) | undefined;

  constructor(private readonly emit: (chunk: Buffer) => void) {}

  /**
   * From the next read until `undivert`, runs of whole packets go to `sink` instead of mysql2
   * (zero-copy must be on): the dump's row encoder reads a result's rows straight from the socket's
   * chunks this way. A run is a view that stays valid until the next read, so the sink may keep it
   * while the socket is paused; it hands mysql2 what it does not take with `pass`.
   *
   * Not before the next read: what is left of this one belongs to mysql2, which may be paused with
   * packets of it queued (and then the socket reads nothing until it has handled them).
   */
  divert(sink: (chunk: Buffer) => void): void {
    if (!this.reuse) throw new Error('PacketFramer.divert needs zeroCopy() first');
    this.next = sink;
  }

  /** At once: what is left of this read goes to mysql2 too. */
  undivert(): void {
    this.sink = this.next = undefined;
  }

  get diverted(): boolean {
    return this.next !== undefined;
  }

  /** Gives mysql2 whole packets a sink did not take (a copy: mysql2 may keep views of them). */
  pass(chunk: Buffer): void {
    if (chunk.length > 0) this.emit(Buffer.from(chunk));
  }

  /** From now on, emitted chunks may be views into buffers that later reads overwrite. */
  zeroCopy(): void {
    this.reuse = true;
  }

  private out(chunk: Buffer, hasMaxPacket: boolean): void {
    if (this.sink) return this.sink(chunk);
    this.emit(this.reuse && !hasMaxPacket ? chunk : Buffer.from(chunk));
  }

  /** Takes bytes [0, n) of `buf` (valid only during this call). */
  push(buf: Buffer, n: number): void {
    this.sink = this.next;
    let at = 0;
    if (this.held > 0) {
      at = this.complete(buf, n);
      if (at < 0) return;
    }
    // Whole packets from here on go out as one view; the cut one at the end is held.
    let p = at;
    let hasMax = false;
    while (n - p >= HEADER) {
      const len = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16);
      if (p + HEADER + len > n) break;
      if (len === MAX_PAYLOAD) hasMax = true;
      p += HEADER + len;
    }
    if (p > at) this.out(buf.subarray(at, p), hasMax);
    if (p < n) this.append(buf, p, n);
  }

  /** Adds to the held packet; returns where whole packets resume in `buf`, or -1 if it needs more. */
  private complete(buf: Buffer, n: number): number {
    let at = 0;
    if (this.held < HEADER) {
      const take = Math.min(HEADER - this.held, n);
      this.append(buf, 0, take);
      at = take;
      if (this.held < HEADER) return -1;
    }
    const side = this.side[this.turn];
    const total = HEADER + (side[0] | (side[1] << 8) | (side[2] << 16));
    const take = Math.min(total - this.held, n - at);
    this.append(buf, at, at + take);
    at += take;
    if (this.held < total) return -1;
    const packet = this.side[this.turn].subarray(0, total);
    // The next cut packet goes to the other side buffer, so this one stays as emitted.
    this.turn ^= 1;
    this.held = 0;
    this.out(packet, total - HEADER === MAX_PAYLOAD);
    return at;
  }

  private append(buf: Buffer, from: number, to: number): void {
    let side = this.side[this.turn];
    const need = this.held + (to - from);
    if (need > side.length) {
      let size = side.length * 2;
      while (size < need) size *= 2;
      const grown = Buffer.allocUnsafe(size);
      side.copy(grown, 0, 0, this.held);
      this.side[this.turn] = side = grown;
    }
    buf.copy(side, this.held, from, to);
    this.held = need;
  }
}

const framers = new WeakMap<Socket, PacketFramer>();

/** The framer of a socket made by `packetSocket`, if it is one. */
export function framerOf(socket: unknown): PacketFramer | undefined {
  return framers.get(socket as Socket);
}

/** A socket to host:port whose 'data' events carry whole packets (see the header comment). */
export function packetSocket(host: string, port: number): { socket: Socket; framer: PacketFramer } {
  let socket!: Socket;
  const framer = new PacketFramer((chunk) => socket.emit('data', chunk));
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  socket = connect({
    host,
    port,
    onread: {
      buffer,
      callback: (n) => {
        framer.push(buffer, n);
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  framers.set(socket, framer);
  return { socket, framer };
}
