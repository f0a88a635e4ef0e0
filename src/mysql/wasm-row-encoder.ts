// The dump's row encoder: text-protocol row packets to the LOAD DATA format (the one RowEncoder also
// writes), in WebAssembly (row-encoder.wat) because that is where the dump spends most of its CPU.
// Socket chunks are copied into the module's memory once each, rows are encoded there, and the
// output is handed out as a view.
import { ROW_ENCODER_WASM } from './row-encoder-wasm.js';
import { RowEncoder } from './row-encoder.js';

interface Exports {
  memory: WebAssembly.Memory;
  encodeRow(p: number, end: number, d: number): number;
  encodeRows(p: number, end: number, d: number, cap: number, flush: number, columns: number): number;
}

/** Why `pushRows` stopped: see its comment. */
export type RowsStop = 'chunk-done' | 'not-a-row' | 'flush';

const STOPS: RowsStop[] = ['chunk-done', 'not-a-row'];

const OUT = 4096;
/** Where the module leaves the field count of the last row, and what encodeRows leaves (i32s). */
const FIELDS = 256;
const STOPPED_AT = 260;
const ROWS = 264;
const WHY = 268;
const PAGE = 65536;
// Room the module may read past a packet's end or write past a row (a 16-byte vector, less one).
const SLACK = 64;

let compiled: WebAssembly.Module | undefined;
function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(ROW_ENCODER_WASM, 'base64'));
  return compiled;
}

/** The module's result, or the error its negative code means (`columns`: the width a row lacked). */
function checked(result: number, columns: number): number {
  if (result >= 0) return result;
  if (result === -3) throw new Error(`malformed row: not the ${columns} columns of its result`);
  throw new Error(result === -1 ? 'malformed row packet: unknown field length prefix' : 'malformed row packet: a field runs past the end of the packet');
}

/**
 * Memory layout: [OUT, OUT + outCap) holds encoded rows not yet drained, then the input chunk
 * at IN = OUT + outCap. Both grow on demand; the output stays in place when they do.
 */
export class WasmRowEncoder {
  private readonly wasm: Exports;
  private mem: Buffer;
  private outCap: number;
  private inCap: number;
  private pos = OUT;
  /** The socket chunk now copied at IN, so rows of the same chunk need no copy. */
  private chunk: Buffer | undefined;
  private readonly fallback = new RowEncoder(1 << 16);

  constructor(initialSize = 1 << 20) {
    this.wasm = new WebAssembly.Instance(wasmModule()).exports as unknown as Exports;
    this.outCap = Math.max(PAGE, initialSize);
    this.inCap = 1 << 17;
    this.mem = this.resize();
  }

  get length(): number {
    return this.pos - OUT;
  }

  /** Empties the encoder for another result (whose chunks are never the one it holds a copy of). */
  reset(): void {
    this.pos = OUT;
    this.chunk = undefined;
  }

  /** The module's memory, which only grows. */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  private get inStart(): number {
    return OUT + this.outCap;
  }

  /** Grows memory to fit the current capacities and returns a fresh view of it. */
  private resize(): Buffer {
    const need = this.inStart + this.inCap + SLACK;
    const have = this.wasm.memory.buffer.byteLength;
    if (need > have) this.wasm.memory.grow(Math.ceil((need - have) / PAGE));
    this.mem = Buffer.from(this.wasm.memory.buffer);
    this.chunk = undefined;
    return this.mem;
  }

  /**
   * Encodes one text-protocol row packet's payload (bytes [start, end) of `packet`) and returns the
   * number of fields; throws on a malformed payload rather than writing a wrong line.
   */
  pushTextRow(packet: Buffer, start: number, end: number): number {
    const payload = end - start;
    // Worst case: every byte escaped, or every field a NULL (1 byte in, 3 out).
    const room = 3 * payload + SLACK;
    if (this.pos + room > OUT + this.outCap) {
      while (this.pos + room > OUT + this.outCap) this.outCap *= 2;
      this.resize();
    }
    const inStart = this.copyIn(packet);
    this.pos = checked(this.wasm.encodeRow(inStart + start, inStart + end, this.pos), -1);
    return this.mem.readInt32LE(FIELDS);
  }

  /** Puts `chunk` at IN (growing the memory if need be) unless it is there already; returns IN. */
  private copyIn(chunk: Buffer): number {
    if (chunk.length > this.inCap) {
      while (chunk.length > this.inCap) this.inCap *= 2;
      this.resize();
    }
    if (chunk !== this.chunk) {
      chunk.copy(this.mem, this.inStart);
      this.chunk = chunk;
    }
    return this.inStart;
  }

  /**
   * Encodes the row packets (headers included) of `chunk` from `start` on, all in one call into
   * the module, until `length` reaches `flushAt` ('flush'), the chunk ends ('chunk-done'), or a
   * packet is not an ordinary row ('not-a-row': the end of the rows, an error, or one part of a
   * row of 16 MB or more). `next` is where it stopped; every row must have `columns` fields.
   */
  pushRows(chunk: Buffer, start: number, columns: number, flushAt: number): { next: number; rows: number; stop: RowsStop } {
    let at = start;
    let rows = 0;
    for (;;) {
      const inStart = this.copyIn(chunk);
      this.pos = checked(this.wasm.encodeRows(inStart + at, inStart + chunk.length, this.pos, OUT + this.outCap, OUT + flushAt, columns), columns);
      at = this.mem.readInt32LE(STOPPED_AT) - inStart;
      rows += this.mem.readInt32LE(ROWS);
      const why = this.mem.readInt32LE(WHY);
      if (why === 3 || (why === 2 && this.length >= flushAt)) return { next: at, rows, stop: 'flush' };
      if (why !== 2) return { next: at, rows, stop: STOPS[why] };
      // No room for the next row below the flush mark: grow (the output stays where it is).
      const len = chunk.readUIntLE(at, 3);
      while (this.pos + 3 * len + SLACK > OUT + this.outCap) this.outCap *= 2;
      this.resize();
    }
  }

  /** Rows as Buffer arrays (mysql2's own row path): encoded in JavaScript, then appended. */
  push(row: ReadonlyArray<Buffer | null>): void {
    this.fallback.push(row);
    this.append(this.fallback.drain());
  }

  private append(bytes: Buffer): void {
    if (this.pos + bytes.length > OUT + this.outCap) {
      while (this.pos + bytes.length > OUT + this.outCap) this.outCap *= 2;
      this.resize();
    }
    bytes.copy(this.mem, this.pos);
    this.pos += bytes.length;
  }

  /**
   * The encoded bytes without copying them, and a fresh start: the view is only valid until the
   * next push (which may overwrite or move the memory), so the caller writes it out first.
   */
  drain(): Buffer {
    const view = this.mem.subarray(OUT, this.pos);
    this.pos = OUT;
    return view;
  }
}
