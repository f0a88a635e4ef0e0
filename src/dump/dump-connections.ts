// The dump's connections: two on the main thread (dump/chunk-plan.ts says why) and the others in
// worker threads, one each, so a big `--jobs N` encodes, hashes and writes on several cores. Chunk
// tasks go out biggest first to whichever connection is idle; each connection runs a dump session
// (dump-session.ts). The threads come from dump-threads.ts.
import type { Worker } from 'node:worker_threads';
import { DUMP_CONNECTIONS_ON_MAIN_THREAD } from './chunk-plan.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { type ChunkResult, type ChunkTask, type FromWorker, reviveError, type ToThread, type ToWorker } from './dump-protocol.js';
import { startDumpSession } from './dump-session.js';
import { takeDumpThread } from './dump-threads.js';

// In a bundle without its dump-worker.js beside it, threads run the bundle itself: it must hold the thread's code.
import './dump-thread.js';

export type { ChunkResult, ChunkTask } from './dump-protocol.js';

/** One dump connection, in a thread or on this one, as the pool sees it. */
interface Slot {
  post(m: ToWorker): void;
  /** Stops it at once, connection and all (after a failure). */
  terminate(): Promise<void>;
  /** Settles once it has gone: its thread exited, or its session closed. */
  gone: Promise<void>;
  /** Its snapshot has started: it may take tasks. */
  ready: boolean;
  /** Said 'finished': its going is expected. */
  finished: boolean;
}

type Events = { message: (m: FromWorker) => void; crash: (e: Error) => void };

function threadSlot(target: MysqlTarget, on: Events): Slot {
  const worker: Worker = takeDumpThread();
  worker.postMessage({ type: 'open', target } satisfies ToThread);
  let gone!: () => void;
  const slot: Slot = {
    post: (m) => worker.postMessage(m),
    terminate: () =>
      worker.terminate().then(
        () => undefined,
        () => undefined,
      ),
    gone: new Promise<void>((r) => (gone = r)),
    ready: false,
    finished: false,
  };
  worker.on('message', on.message);
  worker.on('error', on.crash);
  worker.on('exit', (code) => {
    gone();
    if (!slot.finished) on.crash(new Error(`A dump worker thread stopped unexpectedly (exit code ${code}).`));
  });
  return slot;
}

/** A session on this thread: the main thread only hands out tasks, so it can serve connections too. */
function localSlot(target: MysqlTarget, on: Events): Slot {
  let gone!: () => void;
  // Answers arrive on a later turn, as a thread's messages would.
  const session = startDumpSession(
    target,
    (m) => setImmediate(() => on.message(m)),
    () => setImmediate(gone),
  );
  return {
    post: (m) => session.post(m),
    terminate: async () => {
      session.destroy();
      gone();
    },
    gone: new Promise<void>((r) => (gone = r)),
    ready: false,
    finished: false,
  };
}

/**
 * `count` dump connections: up to two on this thread, the others in as many worker threads. Use: `start`
 * → `startSnapshots` while the caller holds the global read lock → `run` (it may begin before every
 * snapshot has started: each connection takes tasks once its own has) → `finish`; `terminate` on
 * any failure.
 */
export class DumpConnections {
  private slots: Slot[] = [];
  private failure?: Error;
  private listeners = new Set<(slot: Slot, m: FromWorker) => void>();
  private onFailure = new Set<(e: Error) => void>();
  /** Set once the connections were stopped, so their going is not a failure. */
  private stopping = false;

  private constructor() {}

  get size(): number {
    return this.slots.length;
  }

  /**
   * Starts the connections (and threads). They open in the background: a failure to connect
   * surfaces through the calls that follow.
   */
  static start(target: MysqlTarget, count: number): DumpConnections {
    const pool = new DumpConnections();
    pool.grow(target, count);
    return pool;
  }

  /** Starts `count` more connections, as `start` does: before `startSnapshots`. */
  grow(target: MysqlTarget, count: number): void {
    for (let i = 0; i < count; i++) {
      const events: Events = {
        message: (m) => {
          if (m.type === 'finished') slot.finished = true;
          if (m.type === 'snapshot-started') slot.ready = true;
          if (m.type === 'failed') this.fail(reviveError(m.error));
          else this.listeners.forEach((l) => l(slot, m));
        },
        crash: (e) => {
          if (!this.stopping) this.fail(e);
        },
      };
      const slot: Slot = this.slots.length < DUMP_CONNECTIONS_ON_MAIN_THREAD ? localSlot(target, events) : threadSlot(target, events);
      this.slots.push(slot);
    }
  }

  /**
   * Every connection starts its consistent snapshot as soon as it is open (those on this thread
   * first; a thread takes longer to start); resolves when all have.
   */
  startSnapshots(wideWrites: boolean): Promise<void> {
    return this.all('snapshot-started', (slot) => slot.post({ type: 'snapshot', wideWrites }));
  }

  /**
   * Runs the tasks in the given order, each on the next idle worker; resolves with the results in
   * task order (one per part of each), or rejects on the first failure (running tasks are not waited for: terminate).
   */
  run(tasks: readonly ChunkTask[], onRows: (taskIndex: number, part: number, rows: number, bytes: number) => void): Promise<ChunkResult[][]> {
    const results = new Array<ChunkResult[]>(tasks.length);
    let next = 0;
    let finished = 0;
    return new Promise<ChunkResult[][]>((resolve, reject) => {
      const dispatch = (slot: Slot) => {
        if (next >= tasks.length) return;
        const id = next++;
        slot.post({ type: 'task', id, task: tasks[id] });
      };
      const listener = (slot: Slot, m: FromWorker) => {
        if (m.type === 'progress') onRows(m.id, m.part, m.rows, m.bytes);
        else if (m.type === 'snapshot-started') dispatch(slot);
        else if (m.type === 'done') {
          results[m.id] = m.results;
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
      for (const slot of this.slots) if (slot.ready) dispatch(slot);
    });
  }

  /**
   * Waits until every file the connections wrote is closed, and synced where its task asked
   * (rejects if one cannot be written out); then they commit their snapshots and close, and the
   * threads exit.
   */
  async finish(): Promise<void> {
    await this.all('finished', (slot) => slot.post({ type: 'finish' }));
    await Promise.all(this.slots.map((s) => s.gone));
  }

  /** Stops every connection and thread at once; for failures. */
  async terminate(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((s) => s.terminate()));
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.onFailure.forEach((l) => l(e));
  }

  /** Sends with `kick` to every worker and resolves when each has answered `type`. */
  private all(type: 'snapshot-started' | 'finished', kick: (slot: Slot) => void): Promise<void> {
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
