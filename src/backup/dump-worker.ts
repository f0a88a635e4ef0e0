// Dump connections in worker threads, so `--jobs N` encodes, hashes and writes on N cores.
//
// Each worker opens its own connection and, when told to (the main thread holds FLUSH TABLES WITH READ
// LOCK by then), starts its consistent snapshot. Then it takes chunk tasks one at a time from the main
// thread (which hands out the biggest first), writes their files and answers with rows, size and
// sha256; progress and errors travel back as messages.
//
// Where the worker's code comes from: under tsx (tests, `node --import tsx`) this module is a .ts file,
// and the worker registers tsx before importing it; in an ncc bundle, import.meta.url is the bundle
// itself, so the worker runs the whole bundle, whose entry only starts its main() on the main thread.
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { ConnectionError, ExitCode, HookError, IntegrityError, LockedError, NotFoundError, OlympiaError, UsageError } from '../core/errors.js';
import { connect, type Connection } from '../mysql/connect.js';
import type { MysqlTarget } from '../mysql/connection-url.js';
import { dumpChunk } from './table-dump.js';

const ROLE = 'olympia-dump-worker';
const PROGRESS_EVERY_MS = 200;

export interface ChunkTask {
  sql: string;
  /** Absolute path of the file to create. */
  file: string;
}

export interface ChunkResult {
  rows: number;
  size: number;
  sha256: string;
}

interface WorkerInit {
  role: typeof ROLE;
  target: MysqlTarget;
}

type ToWorker = { type: 'snapshot' } | { type: 'task'; id: number; task: ChunkTask } | { type: 'finish' };
type FromWorker =
  | { type: 'connected' }
  | { type: 'snapshot-started' }
  | { type: 'progress'; id: number; rows: number; bytes: number }
  | { type: 'done'; id: number; result: ChunkResult }
  | { type: 'failed'; error: SerializedError };

// ---- errors across the thread boundary: class, hint and the fields callers look at survive ----

interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  props: Record<string, string | number | undefined>;
  olympia?: { exitCode: ExitCode; hint?: string };
  cause?: { message: string; code?: string };
}

const ERROR_PROPS = ['code', 'errno', 'syscall', 'path', 'sqlState', 'sqlMessage'] as const;
const OLYMPIA_CLASSES: Record<string, new (message: string, hint?: string) => OlympiaError> = { ConnectionError, UsageError, NotFoundError, IntegrityError, LockedError, HookError };

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const props: SerializedError['props'] = {};
  for (const k of ERROR_PROPS) {
    const v = (err as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') props[k] = v;
  }
  const cause = err.cause as { message?: string; code?: string } | undefined;
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    props,
    olympia: err instanceof OlympiaError ? { exitCode: err.exitCode, hint: err.hint } : undefined,
    cause: cause && typeof cause === 'object' ? { message: String(cause.message ?? ''), code: cause.code } : undefined,
  };
}

export function reviveError(s: SerializedError): Error {
  const cause = s.cause ? Object.assign(new Error(s.cause.message), s.cause.code ? { code: s.cause.code } : {}) : undefined;
  let err: Error;
  if (s.olympia) {
    const Known = OLYMPIA_CLASSES[s.name];
    err = Known ? new Known(s.message, s.olympia.hint) : new OlympiaError(s.message, { hint: s.olympia.hint, exitCode: s.olympia.exitCode });
    if (cause) Object.defineProperty(err, 'cause', { value: cause, configurable: true, writable: true });
  } else {
    err = new Error(s.message, cause ? { cause } : undefined);
    err.name = s.name;
  }
  Object.assign(err, Object.fromEntries(Object.entries(s.props).filter(([, v]) => v !== undefined)));
  if (s.stack) err.stack = s.stack;
  return err;
}

// ---- the worker side ----

async function workerMain(init: WorkerInit, port: MessagePort): Promise<void> {
  const send = (m: FromWorker) => port.postMessage(m);
  let conn: Connection | undefined;
  // Messages are handled one at a time, in order: the main thread sends the next task only after
  // an answer, but 'finish' may follow a failure report.
  let queue = Promise.resolve();
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'snapshot') {
      await conn!.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn!.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      // Rows travel in each column's own character set, unconverted (see dump.ts).
      await conn!.query('SET character_set_results = binary');
      send({ type: 'snapshot-started' });
    } else if (m.type === 'task') {
      // Progress goes out a few times a second, not per 1 MB batch: each message costs both threads.
      let rows = 0;
      let bytes = 0;
      let sent = Date.now();
      const report = () => {
        if (rows > 0 || bytes > 0) send({ type: 'progress', id: m.id, rows, bytes });
        rows = bytes = 0;
        sent = Date.now();
      };
      const onRows = (r: number, b: number) => {
        rows += r;
        bytes += b;
        if (Date.now() - sent >= PROGRESS_EVERY_MS) report();
      };
      const result = await dumpChunk(conn!, { ...m.task, onRows });
      report();
      send({ type: 'done', id: m.id, result });
    } else {
      port.close();
      if (conn) {
        await conn.query('COMMIT').catch(() => undefined);
        await conn.end().catch(() => undefined);
      }
      // The main thread waits for the thread to exit; nothing is left to keep it alive.
    }
  };
  port.on('message', (m: ToWorker) => {
    queue = queue.then(() => handle(m)).catch((e: unknown) => send({ type: 'failed', error: serializeError(e) }));
  });
  try {
    conn = await connect(init.target);
    send({ type: 'connected' });
  } catch (e) {
    send({ type: 'failed', error: serializeError(e) });
  }
}

if (!isMainThread && (workerData as WorkerInit | undefined)?.role === ROLE) void workerMain(workerData as WorkerInit, parentPort!);

// ---- the main-thread side ----

/** How to start a thread that runs this module's worker side (see the header comment). */
function spawn(init: WorkerInit): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    let tsx: string | undefined;
    try {
      tsx = import.meta.resolve('tsx/esm/api');
    } catch {
      // No tsx: rely on whatever loader the process runs with (its execArgv is inherited).
    }
    const boot = tsx ? `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); })` : `import(${JSON.stringify(self)})`;
    return new Worker(boot, { eval: true, workerData: init });
  }
  return new Worker(new URL(self), { workerData: init });
}

interface Slot {
  worker: Worker;
  exited: boolean;
}

/**
 * `count` dump connections in as many threads. Use: `start` (connected) → `startSnapshots` while the
 * caller holds the global read lock → `run` → `finish`; `terminate` on any failure.
 */
export class DumpWorkers {
  private slots: Slot[] = [];
  private failure?: Error;
  private listeners = new Set<(slot: Slot, m: FromWorker) => void>();
  private onFailure = new Set<(e: Error) => void>();
  /** Set once the threads were told to exit, so their exit is not a failure. */
  private stopping = false;

  private constructor() {}

  get size(): number {
    return this.slots.length;
  }

  /** Starts the threads; resolves once each has its connection open. */
  static async start(target: MysqlTarget, count: number): Promise<DumpWorkers> {
    const pool = new DumpWorkers();
    for (let i = 0; i < count; i++) {
      const slot: Slot = { worker: spawn({ role: ROLE, target }), exited: false };
      slot.worker.on('message', (m: FromWorker) => (m.type === 'failed' ? pool.fail(reviveError(m.error)) : pool.listeners.forEach((l) => l(slot, m))));
      slot.worker.on('error', (e) => pool.fail(e));
      slot.worker.on('exit', (code) => {
        slot.exited = true;
        if (!pool.stopping) pool.fail(new Error(`A dump worker thread stopped unexpectedly (exit code ${code}).`));
      });
      pool.slots.push(slot);
    }
    try {
      await pool.all('connected', () => undefined);
    } catch (e) {
      await pool.terminate();
      throw e;
    }
    return pool;
  }

  /** Every connection starts its consistent snapshot; resolves when all have. */
  startSnapshots(): Promise<void> {
    return this.all('snapshot-started', (slot) => slot.worker.postMessage({ type: 'snapshot' } satisfies ToWorker));
  }

  /**
   * Runs the tasks in the given order, each on the next idle worker; resolves with the results in
   * task order, or rejects on the first failure (running tasks are not waited for: terminate).
   */
  run(tasks: readonly ChunkTask[], onRows: (taskIndex: number, rows: number, bytes: number) => void): Promise<ChunkResult[]> {
    const results = new Array<ChunkResult>(tasks.length);
    let next = 0;
    let finished = 0;
    return new Promise<ChunkResult[]>((resolve, reject) => {
      const dispatch = (slot: Slot) => {
        if (next >= tasks.length) return;
        const id = next++;
        slot.worker.postMessage({ type: 'task', id, task: tasks[id] } satisfies ToWorker);
      };
      const listener = (slot: Slot, m: FromWorker) => {
        if (m.type === 'progress') onRows(m.id, m.rows, m.bytes);
        else if (m.type === 'done') {
          results[m.id] = m.result;
          if (++finished === tasks.length) {
            this.listeners.delete(listener);
            this.onFailure.delete(failed);
            resolve(results);
          } else dispatch(slot);
        }
      };
      const failed = (e: Error) => {
        this.listeners.delete(listener);
        this.onFailure.delete(failed);
        reject(e);
      };
      if (this.failure) return reject(this.failure);
      if (tasks.length === 0) return resolve(results);
      this.listeners.add(listener);
      this.onFailure.add(failed);
      for (const slot of this.slots) dispatch(slot);
    });
  }

  /** Commits the snapshots, closes the connections and waits for the threads to exit. */
  async finish(): Promise<void> {
    this.stopping = true;
    const exits = this.slots.filter((s) => !s.exited).map((s) => new Promise((done) => s.worker.once('exit', done)));
    for (const s of this.slots) if (!s.exited) s.worker.postMessage({ type: 'finish' } satisfies ToWorker);
    await Promise.all(exits);
  }

  /** Stops every thread at once (their connections close with them); for failures. */
  async terminate(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.onFailure.forEach((l) => l(e));
  }

  /** Sends with `kick` to every worker and resolves when each has answered `type`. */
  private all(type: 'connected' | 'snapshot-started', kick: (slot: Slot) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending = new Set(this.slots);
      const listener = (slot: Slot, m: FromWorker) => {
        if (m.type !== type) return;
        pending.delete(slot);
        if (pending.size === 0) {
          cleanup();
          resolve();
        }
      };
      const failed = (e: Error) => {
        cleanup();
        reject(e);
      };
      const cleanup = () => {
        this.listeners.delete(listener);
        this.onFailure.delete(failed);
      };
      if (this.failure) return reject(this.failure);
      this.listeners.add(listener);
      this.onFailure.add(failed);
      for (const slot of this.slots) kick(slot);
    });
  }
}
