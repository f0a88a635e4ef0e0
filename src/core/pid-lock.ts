// A lock file holding its owner's pid, for work that several processes may start at once (starting
// a local server, unpacking a distribution). A file left by a dead process is taken over.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LockedError } from './errors.js';
import { pidAlive } from './fs-checks.js';

/** Runs `fn` holding the lock at `path`; `what` names the work in the message of a timeout. */
export async function withPidLock<T>(path: string, timeoutMs: number, what: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      // An empty file is a holder between creating and writing it: give it time.
      if (holder > 0 && !pidAlive(holder)) await rm(path, { force: true });
      else if (Date.now() > deadline)
        throw new LockedError(`Another process (pid ${holder || 'unknown'}) is ${what} (lock ${path}).`, 'Wait for it, or delete the lock file when no such process runs.');
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
