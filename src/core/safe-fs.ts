// Files on both sides of the trust boundary. A backup's files are opened without following links
// (and never a FIFO or device: those are refused before anything is read); what olympia-data
// creates gets exactly the mode asked for, whatever the process umask.
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Backups hold user data: their files and directories are the owner's alone. */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/**
 * Read-only, not through a symbolic link as the last component (ELOOP instead), and without
 * blocking on a FIFO (which fstat then refuses); regular files ignore O_NONBLOCK.
 */
export const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What a directory entry is, in words for messages ("a symbolic link"); undefined for a regular file. */
export function entryKind(s: Stats): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isSocket()) return 'a socket';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isCharacterDevice()) return 'a character device';
  return 'not a regular file';
}

/**
 * Opens a regular file for reading without following a link at `path` itself; anything else is
 * not opened (or closed at once) and comes back as words for a message ("a symbolic link").
 */
export async function openRegularFile(path: string): Promise<FileHandle | string> {
  let fh: FileHandle;
  try {
    fh = await open(path, READ_NO_FOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'a symbolic link';
    if (code === 'ENXIO') return 'a socket';
    throw e;
  }
  const kind = entryKind(
    await fh.stat().catch(async (e) => {
      await fh.close().catch(() => undefined);
      throw e;
    }),
  );
  if (kind === undefined) return fh;
  await fh.close().catch(() => undefined);
  return kind;
}

/** mkdir with exactly `mode`: mkdir applies the umask, the chmod after it does not. */
export async function makeDir(path: string, mode: number): Promise<void> {
  await mkdir(path, { mode });
  await chmod(path, mode);
}

/**
 * Creates the missing directories `parts` below `root` (which exists), each new one with exactly
 * `mode`; an existing part must be a directory, not a link to one. `made` remembers the directories
 * already there, so a caller creating many files does not ask again.
 */
export async function makeDirsBelow(root: string, parts: readonly string[], mode: number, made: Set<string> = new Set()): Promise<void> {
  let p = root;
  for (const part of parts) {
    p = join(p, part);
    if (made.has(p)) continue;
    try {
      await makeDir(p, mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!(await lstat(p)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${p} exists and is not a directory`), { code: 'ENOTDIR', path: p });
    }
    made.add(p);
  }
}
