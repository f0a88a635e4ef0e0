// The storage directory (uploaded files) travels with the database: copied into <backup>/storage/
// on dump, checksummed, and swapped back in whole on load.
import { createReadStream, renameSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Reporter } from '../core/reporter.js';
import type { FileEntry } from './manifest.js';
import { HashingWriter } from './hashing-writer.js';
import { pathExists, pidAlive } from '../core/fs-checks.js';

async function* walk(dir: string, reporter: Reporter): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, reporter);
    else if (e.isFile()) yield p;
    else reporter.warn(`Skipping ${p}: only regular files and directories are backed up.`);
  }
}

async function copyFile(from: string, to: string, opts: { sync: boolean }): Promise<{ size: number; sha256: string }> {
  await mkdir(dirname(to), { recursive: true });
  const w = await HashingWriter.create(to);
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) await w.write(chunk as Buffer);
    return await w.finish(opts);
  } catch (e) {
    await w.discard();
    throw e;
  }
}

/**
 * Copies storageDir into backupDir/storage, each file synced to disk with `sync`; a missing
 * storage dir is an empty snapshot.
 */
export async function snapshotStorage(storageDir: string, backupDir: string, reporter: Reporter, opts: { sync: boolean }): Promise<FileEntry[]> {
  try {
    if (!(await stat(storageDir)).isDirectory()) throw new Error(`${storageDir} is not a directory`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files: FileEntry[] = [];
  for await (const file of walk(storageDir, reporter)) {
    const rel = ['storage', ...relative(storageDir, file).split(sep)].join('/');
    const { size, sha256 } = await copyFile(file, join(backupDir, ...rel.split('/')), opts);
    files.push({ path: rel, size, sha256 });
  }
  return files;
}

/**
 * Cleans what a killed load left next to the storage dir: staged copies are removed, and a
 * previous storage dir that was moved aside but never replaced is put back.
 */
async function recoverStorage(storageDir: string): Promise<void> {
  const parent = dirname(storageDir);
  const prefix = `${basename(storageDir)}.olympia-`;
  const entries = await readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    const m = entry.startsWith(prefix) ? /^(new|old)-(\d+)-[0-9a-f]{8}$/.exec(entry.slice(prefix.length)) : null;
    if (!m || pidAlive(Number(m[2]))) continue;
    const leftover = join(parent, entry);
    if (m[1] === 'old' && !(await pathExists(storageDir))) await rename(leftover, storageDir);
    else await rm(leftover, { recursive: true, force: true });
  }
}

/**
 * Prepares new storage contents next to the live storage dir, ready to swap in. Nothing live
 * changes until `swap()`; `discard()` removes the staged copy.
 */
export async function stageStorage(storageDir: string, fill: (stagedDir: string) => Promise<void>): Promise<StagedStorage> {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged = `${storageDir}.olympia-new-${tag}`;
  await recoverStorage(storageDir);
  await mkdir(staged, { recursive: true });
  try {
    await fill(staged);
  } catch (e) {
    await rm(staged, { recursive: true, force: true });
    throw e;
  }
  return {
    swap: async () => {
      const old = `${storageDir}.olympia-old-${tag}`;
      const hadOld = await pathExists(storageDir);
      // Two renames, back to back in one turn: a process killed between them leaves the old dir
      // aside, and the next load puts it back (recoverStorage). Awaiting each in the thread pool
      // would widen that window to a round trip.
      if (hadOld) renameSync(storageDir, old);
      renameSync(staged, storageDir);
      if (hadOld) await rm(old, { recursive: true, force: true });
    },
    discard: () => rm(staged, { recursive: true, force: true }),
  };
}

export interface StagedStorage {
  swap: () => Promise<void>;
  discard: () => Promise<void>;
}

/** Fills a staged storage dir from a backup's storage/ files, synced: the swap deletes the old ones. */
export function copyBackupStorage(backupDir: string, files: FileEntry[]): (stagedDir: string) => Promise<void> {
  return async (staged) => {
    for (const f of files) await copyFile(join(backupDir, ...f.path.split('/')), join(staged, ...f.path.split('/').slice(1)), { sync: true });
  };
}
