// A dump worker thread: one dump session (dump-session.ts) whose messages travel over the thread's
// port. This module is the entry of its own small bundle (dist/**/dump-worker.js), so a thread does
// not load the whole CLI or action. The thread boots before it knows its server (dump-threads.ts):
// its first message, 'open', starts the session.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ROLE, type FromWorker, type ToThread, type WorkerInit } from './dump-protocol.js';
import { type DumpSession, startDumpSession } from './dump-session.js';

if (!isMainThread && (workerData as WorkerInit | undefined)?.role === ROLE) {
  const port = parentPort!;
  let session: DumpSession | undefined;
  port.on('message', (m: ToThread) => {
    // Once finished, closing the port lets the thread exit: nothing else keeps it alive.
    if (m.type === 'open')
      session = startDumpSession(
        m.target,
        (r: FromWorker) => port.postMessage(r),
        () => port.close(),
      );
    else session?.post(m);
  });
}
