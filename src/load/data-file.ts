// Opening and reading a backup's data files during a load. Verify has checked them, but the backup's
// directory is not ours: a file may become a link or a FIFO between that check and the read, so each
// is opened again without following a link, and read only if it is a regular file.
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

/** The data file at `path`, open for reading; refused when it is not a regular file (any more). */
export async function openDataFile(path: string): Promise<FileHandle> {
  const opened = await openRegularFile(path);
  if (typeof opened === 'string') {
    throw new IntegrityError(
      `${path} is ${opened} now, not the regular file that was verified; it was not read.`,
      'Something changed the backup while it was loading: verify it and load it again.',
    );
  }
  return opened;
}
