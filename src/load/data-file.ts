// Opening and reading a backup's data files during a load. Verify has checked them, but the backup's
// directory is not ours: a file may become a link, a FIFO or another file between that check and the
// read, so each is opened again without following a link, read only if it is a regular file of the
// size verified, and no further than that size.
import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../core/errors.js';
import { openRegularFile } from '../core/safe-fs.js';

/**
 * The reads for a data file of `bytes`: a MB at most, and no bigger than the file. Reading allocates
 * that much (a read stream, each time), and hundreds of small files read a MB at a time made the
 * garbage collector run every few files.
 */
export function readSize(bytes: number): number {
  return Math.min(1 << 20, Math.max(4 << 10, bytes));
}

const CHANGED_HINT = 'Something changed the backup while it was loading: verify it and load it again.';

/** The data file at `path`, open for reading; refused when it is not a regular file of `bytes` (any more). */
export async function openDataFile(path: string, bytes: number): Promise<FileHandle> {
  const opened = await openRegularFile(path);
  if (typeof opened === 'string') throw new IntegrityError(`${path} is ${opened} now, not the regular file that was verified; it was not read.`, CHANGED_HINT);
  const { size } = await opened.stat().catch(async (e: unknown) => {
    await opened.close().catch(() => undefined);
    throw e;
  });
  if (size !== bytes) {
    await opened.close().catch(() => undefined);
    throw new IntegrityError(`${path} holds ${size} bytes now, not the ${bytes} that were verified; it was not read.`, CHANGED_HINT);
  }
  return opened;
}
