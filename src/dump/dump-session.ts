// One dump connection's side of the conversation with the dump's main logic: it opens its
// connection and, when told to (the main thread holds FLUSH TABLES WITH READ LOCK by then), starts
// its consistent snapshot. Then it takes chunk tasks one at a time, writes their files and answers
// with rows, size and sha256; progress and errors go back as messages. It runs in a worker thread
// (dump-thread.ts) or, for one of the connections, on the main thread itself.
import { connect, type Connection } from '../mysql/connect.js';
import { type FromWorker, serializeError, type ToWorker } from './dump-protocol.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { dumpChunks } from './table-dump.js';
import { widenServerWrites } from '../mysql/server-write-buffer.js';

const PROGRESS_EVERY_MS = 200;

export interface DumpSession {
  /** Hands the session a message; they are handled one at a time, in order. */
  post(m: ToWorker): void;
  /** Closes the connection at once (after a failure elsewhere). */
  destroy(): void;
}

/** Starts a session: it connects at once and answers through `send`; `onDone` follows 'finish'. */
export function startDumpSession(target: MysqlTarget, send: (m: FromWorker) => void, onDone: () => void): DumpSession {
  let conn: Connection | undefined;
  // Messages are handled one at a time, in order: 'snapshot' and a first task may arrive before the
  // connection is open, and 'finish' may follow a failure report.
  let queue: Promise<void>;
  // Files written but maybe not yet closed (or synced): 'finish' waits for them, and a failure is
  // reported as soon as it happens.
  const files: Promise<void>[] = [];
  const fail = (e: unknown) => send({ type: 'failed', error: serializeError(e) });

  const handle = async (m: ToWorker): Promise<void> => {
    // Without a connection (its failure was reported) only 'finish' has work left.
    if (!conn && m.type !== 'finish') return;
    if (m.type === 'snapshot') {
      await conn!.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await conn!.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      // Rows travel in each column's own character set, unconverted (see dump.ts).
      await conn!.query('SET character_set_results = binary');
      send({ type: 'snapshot-started' });
      // After the answer: the global read lock need not wait for it. Tasks wait (messages go in order).
      if (m.wideWrites) await widenServerWrites(conn!);
    } else if (m.type === 'task') {
      // Progress goes out a few times a second, not per 1 MB batch: each message costs both sides.
      let pending: { part: number; rows: number; bytes: number } | undefined;
      let sent = Date.now();
      const report = () => {
        if (pending) send({ type: 'progress', id: m.id, ...pending });
        pending = undefined;
        sent = Date.now();
      };
      const onRows = (part: number, rows: number, bytes: number) => {
        if (rows === 0 && bytes === 0) return;
        if (pending && pending.part !== part) report();
        pending = pending ? { part, rows: pending.rows + rows, bytes: pending.bytes + bytes } : { part, rows, bytes };
        if (Date.now() - sent >= PROGRESS_EVERY_MS) report();
      };
      const { closed, results } = await dumpChunks(conn!, { ...m.task, onRows });
      files.push(closed);
      closed.catch(fail);
      report();
      send({ type: 'done', id: m.id, results });
    } else {
      await Promise.all(files);
      send({ type: 'finished' });
      if (conn) {
        await conn.query('COMMIT').catch(() => undefined);
        await conn.end().catch(() => undefined);
      }
      onDone();
    }
  };

  let destroyed = false;
  // Messages wait for the connection to open.
  // Only this program's SELECTs run here, several small ones to a query.
  queue = connect(target, { reuseReadBuffer: true, multipleStatements: true }).then(
    (c) => {
      // Stopped while it was opening: nothing may keep the process alive.
      if (destroyed) c.destroy();
      else conn = c;
    },
    (e: unknown) => {
      if (!destroyed) fail(e);
    },
  );
  return {
    post(m) {
      queue = queue.then(() => handle(m)).catch(fail);
    },
    destroy() {
      destroyed = true;
      conn?.destroy();
    },
  };
}
