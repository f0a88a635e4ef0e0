// The dump's worker threads, started before they are needed. A thread takes a tenth of a second or
// two to boot (a new isolate, then mysql2), while the main thread is still loading or talking to
// the server; so a dump asks for its threads first thing (and the CLI even before it has loaded),
// and its connections take them, booted or nearly, once it knows how many it needs. A thread
// connects only when told where to (its first message), so starting one early costs no connection.
//
// Where a thread's code comes from: under tsx (tests, `node --import tsx`) it is dump-thread.ts,
// with tsx registered first; in a bundle, the small dump-worker.js that `npm run package` puts next
// to it, or else the bundle itself, whose entry only starts its main() on the main thread.
//
// This module stays light (no mysql2): the CLI imports it before everything else.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ROLE, type WorkerInit } from './dump-protocol.js';

/**
 * A file next to this module (or its bundle). Built from strings, not `new URL('./x', import.meta.url)`,
 * which ncc would take for an asset to copy into the bundle's directory.
 */
function sibling(name: string): string {
  const here = import.meta.url;
  return here.slice(0, here.lastIndexOf('/') + 1) + name;
}

let started = 0;

function spawn(): Worker {
  started++;
  const init: WorkerInit = { role: ROLE };
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const thread = sibling('dump-thread.ts');
    let tsx: string | undefined;
    try {
      tsx = import.meta.resolve('tsx/esm/api');
    } catch {
      // No tsx: rely on whatever loader the process runs with (its execArgv is inherited).
    }
    const boot = tsx ? `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(thread)}); })` : `import(${JSON.stringify(thread)})`;
    return new Worker(boot, { eval: true, workerData: init });
  }
  const small = new URL(sibling('dump-worker.js'));
  return new Worker(existsSync(fileURLToPath(small)) ? small : new URL(here), { workerData: init });
}

/** A thread nobody has taken yet. It does not keep the process alive, and its failure is no crash. */
interface Spare {
  worker: Worker;
  gone: boolean;
  onGone: () => void;
}

const spares: Spare[] = [];

/** Makes sure `count` threads are booting or idle, ready for `takeDumpThread`. */
export function prestartDumpThreads(count: number): void {
  for (let have = spareDumpThreads(); have < count; have++) {
    const worker = spawn();
    worker.unref();
    const spare: Spare = { worker, gone: false, onGone: () => (spare.gone = true) };
    worker.on('error', spare.onGone);
    worker.on('exit', spare.onGone);
    spares.push(spare);
  }
}

/**
 * A thread for one dump connection: a prestarted one when there is one still alive, else a new one.
 * The caller listens to it from now on; it keeps the process alive again.
 */
export function takeDumpThread(): Worker {
  for (let spare = spares.shift(); spare; spare = spares.shift()) {
    spare.worker.off('error', spare.onGone);
    spare.worker.off('exit', spare.onGone);
    if (spare.gone) continue;
    spare.worker.ref();
    return spare.worker;
  }
  return spawn();
}

/** Stops the prestarted threads nobody took (a dump needed fewer, or none ran). */
export async function releaseDumpThreads(): Promise<void> {
  const left = spares.splice(0);
  await Promise.all(
    left.map((s) =>
      s.worker.terminate().then(
        () => undefined,
        () => undefined,
      ),
    ),
  );
}

/** How many threads this process has started, prestarted or not (for tests). */
export function dumpThreadsStarted(): number {
  return started;
}

/** How many threads are prestarted and not yet taken (for tests). */
export function spareDumpThreads(): number {
  return spares.filter((s) => !s.gone).length;
}
