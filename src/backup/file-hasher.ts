// sha256 of files on several threads. Hashing a backup is CPU work, bound by one core per stream,
// that otherwise keeps one core busy while the rest wait; verify and load run it before anything else.
// A backup is untrusted: a file is opened without following a link, and only a regular file is read.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { runPool } from '../core/run-pool.js';
import { READ_NO_FOLLOW } from '../core/safe-fs.js';

export type FileDigest = { sha256: string } | { error: NodeJS.ErrnoException };

// Plain JavaScript evaluated in each thread, so no bundle or loader is needed to start one.
const THREAD = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync, fstatSync, constants } = require('node:fs');
const buf = Buffer.allocUnsafe(1 << 20);
// As READ_NO_FOLLOW in core/safe-fs.ts: no link as the last component, no waiting on a FIFO.
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
parentPort.on('message', (path) => {
  let fd;
  try {
    fd = openSync(path, FLAGS);
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    const hash = createHash('sha256');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
    parentPort.postMessage({ sha256: hash.digest('hex') });
  } catch (e) {
    parentPort.postMessage({ error: { message: e.message, code: e.code } });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

// A small set is hashed on the main thread with blocking reads: per file, a handful of quick system
// calls cost less than the round trips through the thread pool that promise-based reads take.
function hashHere(path: string, buf: Buffer): FileDigest {
  let fd: number | undefined;
  try {
    fd = openSync(path, READ_NO_FOLLOW);
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    const hash = createHash('sha256');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
    return { sha256: hash.digest('hex') };
  } catch (e) {
    return { error: e as NodeJS.ErrnoException };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function hashOn(worker: Worker, path: string): Promise<FileDigest> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { sha256?: string; error?: { message: string; code?: string } }) => {
      worker.off('error', reject);
      resolve(m.sha256 !== undefined ? { sha256: m.sha256 } : { error: Object.assign(new Error(m.error!.message), { code: m.error!.code }) });
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(path);
  });
}

// Below this, starting threads costs more than it saves.
const THREADS_FROM_BYTES = 32 << 20;

/**
 * The sha256 of each file, in the order given (`size`, the expected size, only schedules the biggest
 * first). Up to `threads` threads for big sets, the main thread for small ones.
 */
export async function hashFiles(files: readonly { path: string; size: number }[], threads: number): Promise<FileDigest[]> {
  const order = files.map((f, i) => ({ ...f, i })).sort((a, b) => b.size - a.size);
  const total = files.reduce((n, f) => n + f.size, 0);
  const count = Math.min(Math.max(1, threads), files.length);
  const results = new Array<FileDigest>(files.length);
  if (count <= 1 || total < THREADS_FROM_BYTES) {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const f of order) results[f.i] = hashHere(f.path, buf);
    return results;
  }
  const workers = Array.from({ length: count }, () => new Worker(THREAD, { eval: true }));
  try {
    await runPool(workers, order, async (w, f) => void (results[f.i] = await hashOn(w, f.path)));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
