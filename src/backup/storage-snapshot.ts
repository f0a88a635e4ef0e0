// The storage directory (uploaded files) travels with the database: copied into <backup>/storage/
// on dump, checksummed, and swapped back in whole on load.
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Reporter } from '../core/reporter.js';
import type { FileEntry } from './manifest.js';
import { HashingWriter } from './hashing-writer.js';
import { pathExists, pidAlive } from '../core/fs-checks.js';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import { makeDir, makeDirsBelow, openRegularFile, PRIVATE_DIR, PRIVATE_FILE } from '../core/safe-fs.js';

/** Modes of loaded storage: the app serving the uploads must read them (a backup's own copy is private). */
const STORAGE_FILE = 0o644;
const STORAGE_DIR = 0o755;

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

/** Where copies go: below `root`, new directories and files with exactly these modes. */
interface CopyTarget {
  root: string;
  dirMode: number;
  fileMode: number;
  sync: boolean;
  /** Directories known to exist below root. */
  made: Set<string>;
  /** The error for a source that is not a regular file (`kind` says what it is). */
  refuse: (from: string, kind: string) => Error;
}

/** Copies `from` (never through a link, only a regular file) to `parts` below the target's root. */
async function copyFile(from: string, parts: string[], t: CopyTarget): Promise<{ size: number; sha256: string }> {
  const source = await openRegularFile(from);
  if (typeof source === 'string') throw t.refuse(from, source);
  try {
    await makeDirsBelow(t.root, parts.slice(0, -1), t.dirMode, t.made);
    const w = await HashingWriter.create(join(t.root, ...parts), t.fileMode);
    try {
      for await (const chunk of source.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) await w.write(chunk as Buffer);
      return await w.finish({ sync: t.sync });
    } catch (e) {
      await w.discard();
      throw e;
    }
  } finally {
    await source.close().catch(() => undefined);
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
  const target: CopyTarget = {
    root: backupDir,
    dirMode: PRIVATE_DIR,
    fileMode: PRIVATE_FILE,
    sync: opts.sync,
    made: new Set(),
    refuse: (from, kind) => new OlympiaError(`Cannot back up ${from}: it became ${kind} while the dump ran.`, { hint: 'Run the dump again.' }),
  };
  for await (const file of walk(storageDir, reporter)) {
    const parts = ['storage', ...relative(storageDir, file).split(sep)];
    const { size, sha256 } = await copyFile(file, parts, target);
    files.push({ path: parts.join('/'), size, sha256 });
  }
  return files;
}

/**
 * Cleans what a killed load left next to the storage dir before its swap began: staged copies are
 * removed (a killed swap is finished by the load's journal first), and a previous storage dir moved
 * aside with no replacement is put back.
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

/** Where a load's storage swap happens: the live dir, the staged copy, and where the old one goes meanwhile. */
export interface StoragePaths {
  dir: string;
  staged: string;
  aside: string;
}

/**
 * Prepares new storage contents next to the live storage dir, ready to swap in with
 * finishStorageSwap. Nothing live changes here; `discard()` removes the staged copy. The staged dir
 * is the owner's alone while it fills, then gets the live dir's mode (0755 without one).
 */
export async function stageStorage(storageDir: string, fill: (stagedDir: string) => Promise<void>): Promise<StagedStorage> {
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // Absolute: the load's journal keeps these for a recovery that may run from another directory.
  const dir = resolve(storageDir);
  const paths = { dir, staged: `${dir}.olympia-new-${tag}`, aside: `${dir}.olympia-old-${tag}` };
  await recoverStorage(dir);
  await mkdir(dirname(dir), { recursive: true });
  try {
    await makeDir(paths.staged, PRIVATE_DIR);
    await fill(paths.staged);
    const live = await stat(dir).catch(() => undefined);
    await chmod(paths.staged, live?.isDirectory() ? live.mode & 0o7777 : STORAGE_DIR);
  } catch (e) {
    await rm(paths.staged, { recursive: true, force: true });
    throw e;
  }
  return { paths, discard: () => rm(paths.staged, { recursive: true, force: true }) };
}

export interface StagedStorage {
  paths: StoragePaths;
  discard: () => Promise<void>;
}

/**
 * Swaps a staged storage dir in: live → aside, staged → live, aside removed. Idempotent, so a
 * recovery can run it again from wherever a killed run stopped (the load's journal says it must).
 */
export async function finishStorageSwap(p: StoragePaths): Promise<void> {
  if (await pathExists(p.staged)) {
    const live = await pathExists(p.dir);
    if (live && (await pathExists(p.aside))) {
      throw new OlympiaError(`Cannot swap the loaded storage into ${p.dir}: both it and ${p.aside} exist, which no olympia-data run leaves.`, {
        hint: `Keep whichever holds the files you want at ${p.dir}, remove the other and ${p.staged}, and run the command again.`,
      });
    }
    if (live) await rename(p.dir, p.aside);
    await rename(p.staged, p.dir);
  }
  await rm(p.aside, { recursive: true, force: true });
}

/**
 * Fills a staged storage dir from a backup's storage/ files, synced: the swap deletes the old ones.
 * A source is opened without following a link and must be a regular file (verifyBackup has checked
 * the directories above it); the copies are readable by the app serving them.
 */
export function copyBackupStorage(backupDir: string, files: FileEntry[]): (stagedDir: string) => Promise<void> {
  return async (staged) => {
    const target: CopyTarget = {
      root: staged,
      dirMode: STORAGE_DIR,
      fileMode: STORAGE_FILE,
      sync: true,
      made: new Set(),
      refuse: (from, kind) =>
        new IntegrityError(
          `${from} is ${kind}; olympia-data loads only regular files from a backup. Nothing was changed.`,
          'The backup is damaged or was tampered with: dump it again, or load another backup.',
        ),
    };
    for (const f of files) await copyFile(join(backupDir, ...f.path.split('/')), f.path.split('/').slice(1), target);
  };
}
