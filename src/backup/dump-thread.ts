// A dump worker thread: opens its own connection and, when told to (the main thread holds FLUSH
// TABLES WITH READ LOCK by then), starts its consistent snapshot. Then it takes chunk tasks one at a
// time, writes their files and answers with rows, size and sha256; progress and errors travel back
// as messages. This module is the entry of its own small bundle (dist/**/dump-worker.js), so a
// thread does not load the whole CLI or action.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connect, type Connection } from '../mysql/connect.js';
import { dumpChunk } from './table-dump.js';
import { type FromWorker, ROLE, serializeError, type ToWorker, type WorkerInit } from './dump-protocol.js';

const PROGRESS_EVERY_MS = 200;

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
