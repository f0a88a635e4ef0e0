// The storage directory (uploaded files) travels with the database: copied into <backup>/storage/
// on dump, checksummed, and swapped back in whole on load.
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Reporter } from '../core/reporter.js';
import type { FileEntry } from './manifest.js';
import { HashingWriter } from './hashing-writer.js';

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

async function copyFile(from: string, to: string): Promise<{ size: number; sha256: string }> {
  await mkdir(dirname(to), { recursive: true });
  const w = await HashingWriter.create(to);
  try {
    for await (const chunk of createReadStream(from, { highWaterMark: 1 << 20 })) await w.write(chunk as Buffer);
    return await w.finish();
  } catch (e) {
    await w.discard();
    throw e;
  }
}

/** Copies storageDir into backupDir/storage; a missing storage dir is an empty snapshot. */
export async function snapshotStorage(storageDir: string, backupDir: string, reporter: Reporter): Promise<FileEntry[]> {
  try {
    if (!(await stat(storageDir)).isDirectory()) throw new Error(`${storageDir} is not a directory`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const files: FileEntry[] = [];
  for await (const file of walk(storageDir, reporter)) {
    const rel = ['storage', ...relative(storageDir, file).split(sep)].join('/');
    const { size, sha256 } = await copyFile(file, join(backupDir, ...rel.split('/')));
    files.push({ path: rel, size, sha256 });
  }
  return files;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Prepares new storage contents next to the live storage dir, ready to swap in. Nothing live
 * changes until `swap()`; `discard()` removes the staged copy.
 */
export async function stageStorage(storageDir: string, fill: (stagedDir: string) => Promise<void>): Promise<StagedStorage> {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged = `${storageDir}.olympia-new-${tag}`;
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
      const hadOld = await exists(storageDir);
      if (hadOld) await rename(storageDir, old);
      await rename(staged, storageDir);
      if (hadOld) await rm(old, { recursive: true, force: true });
    },
    discard: () => rm(staged, { recursive: true, force: true }),
  };
}

export interface StagedStorage {
  swap: () => Promise<void>;
  discard: () => Promise<void>;
}

/** Fills a staged storage dir from a backup's storage/ files. */
export function copyBackupStorage(backupDir: string, files: FileEntry[]): (stagedDir: string) => Promise<void> {
  return async (staged) => {
    for (const f of files) await copyFile(join(backupDir, ...f.path.split('/')), join(staged, ...f.path.split('/').slice(1)));
  };
}
