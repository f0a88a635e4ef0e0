// A dump worker thread: one dump session (dump-session.ts) whose messages travel over the thread's
// port. This module is the entry of its own small bundle (dist/**/dump-worker.js), so a thread does
// not load the whole CLI or action.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROLE, type FromWorker, type ToWorker, type WorkerInit } from './dump-protocol.js';
import { startDumpSession } from './dump-session.js';

if (!isMainThread && (workerData as WorkerInit | undefined)?.role === ROLE) {
  const port = parentPort!;
  // Once finished, closing the port lets the thread exit: nothing else keeps it alive.
  const session = startDumpSession((workerData as WorkerInit).target, (m: FromWorker) => port.postMessage(m), () => port.close());
  port.on('message', (m: ToWorker) => session.post(m));
}
