// The backup directory: <root>/<name>/ with manifest.json written last. New backups are built in a
// hidden temporary sibling and renamed into place, so no reader ever sees half a backup under the
// real name; a per-name lock file keeps two writers apart. A backup holds user data: what the store
// creates is the owner's alone (directories 0700, files 0600), whatever the umask.
import { link, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BackupName } from '../core/backup-name.js';
import { LockedError, NotFoundError, OlympiaError, UsageError } from '../core/errors.js';
import { MANIFEST_FILE, type Manifest, totalBytes, validateManifest } from './manifest.js';
import { pathExists, pidAlive } from '../core/fs-checks.js';
import { makeDir, PRIVATE_DIR, PRIVATE_FILE } from '../core/safe-fs.js';

/** This tool's own format (a manifest and its data files), or addons-server's `db.sql` (+ storage.tar). */
export type BackupKind = 'olympia-data' | 'addons-server';

export interface BackupInfo {
  name: string;
  kind: BackupKind;
  path: string;
  manifest?: Manifest;
  /** Bytes on disk of the data and storage files. */
  size: number;
}

export function fsError(action: string, path: string, e: unknown): OlympiaError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied (or a read-only filesystem)'
      : code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'ENOTDIR'
          ? 'a part of the path is a file, not a directory'
          : (e as Error).message;
  const hint = code === 'ENOSPC' ? 'Free some space or choose another --backup-dir.' : 'Choose a writable --backup-dir.';
  return new OlympiaError(`Cannot ${action} ${path}: ${why}.`, { hint, cause: e });
}

/**
 * mkdir -p that reports the real cause: Node's recursive mkdir says ENOENT where a level cannot be
 * made (e.g. on a read-only filesystem), so on ENOENT the missing levels are made one by one.
 */
async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: PRIVATE_DIR });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const missing: string[] = [];
    for (let p = path; !(await pathExists(p)) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
    for (const p of missing) await mkdir(p, { mode: PRIVATE_DIR });
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name))).size;
  }
  return total;
}

export class BackupStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  path(name: BackupName): string {
    return join(this.root, name);
  }

  /** The names of the backups present (a manifest or an addons-server db.sql), without reading them. */
  async names(): Promise<{ name: string; kind: BackupKind; path: string }[]> {
    let entries: string[];
    try {
      entries = (await readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fsError('read the backup directory', this.root, e);
    }
    const out: { name: string; kind: BackupKind; path: string }[] = [];
    for (const name of entries.sort()) {
      const path = join(this.root, name);
      if (await pathExists(join(path, MANIFEST_FILE))) out.push({ name, kind: 'olympia-data', path });
      else if (await pathExists(join(path, 'db.sql'))) out.push({ name, kind: 'addons-server', path });
    }
    return out;
  }

  /** Every backup with its manifest (when readable) and size: the manifest's files, as `find` and `load` count it; on disk otherwise. */
  async list(): Promise<BackupInfo[]> {
    const out: BackupInfo[] = [];
    for (const b of await this.names()) {
      const manifest = b.kind === 'olympia-data' ? await this.readManifestAt(b.path).catch(() => undefined) : undefined;
      out.push({ ...b, manifest, size: manifest ? totalBytes(manifest) : await dirSize(b.path) });
    }
    return out;
  }

  private async readManifestAt(dir: string): Promise<Manifest> {
    const file = join(dir, MANIFEST_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new NotFoundError(`${file} is missing: this is not a complete backup.`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return validateManifest(undefined, `${file} (invalid JSON: ${(e as Error).message})`);
    }
    return validateManifest(raw, file);
  }

  /** Finds a backup for reading; a missing one is an error listing the backups that exist. */
  async find(name: BackupName): Promise<BackupInfo> {
    await this.recover(name);
    const path = this.path(name);
    if (await pathExists(join(path, MANIFEST_FILE))) {
      const manifest = await this.readManifestAt(path);
      return { name, kind: 'olympia-data', path, manifest, size: totalBytes(manifest) };
    }
    if (await pathExists(join(path, 'db.sql'))) return { name, kind: 'addons-server', path, size: await dirSize(path) };
    const names = (await this.names()).map((b) => b.name);
    const what = (await pathExists(path)) ? `${path} has no ${MANIFEST_FILE} (an unfinished or foreign directory)` : `There is no backup named "${name}" in ${this.root}`;
    throw new NotFoundError(`${what}.`, names.length ? `Existing backups: ${names.join(', ')}.` : 'There are no backups yet: run `olympia-data dump` first.');
  }

  async has(name: BackupName): Promise<boolean> {
    await this.recover(name);
    return (await pathExists(join(this.path(name), MANIFEST_FILE))) || (await pathExists(join(this.path(name), 'db.sql')));
  }

  /**
   * Cleans what interrupted writers left behind for this name: temporary directories of dead
   * processes, and a replaced backup whose successor never got renamed in (it is put back).
   */
  private async recover(name: BackupName): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    const prefix = `.${name}.`;
    for (const entry of entries) {
      if (!entry.startsWith(prefix)) continue;
      // Exactly our own pattern: `.a.` is also the prefix of `.a.tmp-5-x.lock`, backup "a.tmp-5-x"'s lock.
      const m = /^(tmp|old)-(\d+)-[0-9a-f]{8}$/.exec(entry.slice(prefix.length));
      if (!m || pidAlive(Number(m[2]))) continue;
      const leftover = join(this.root, entry);
      if (m[1] === 'old' && !(await pathExists(join(this.path(name), MANIFEST_FILE))) && (await pathExists(join(leftover, MANIFEST_FILE)))) {
        await rm(this.path(name), { recursive: true, force: true });
        await rename(leftover, this.path(name));
      } else {
        await rm(leftover, { recursive: true, force: true });
      }
    }
  }

  private async lock(name: BackupName): Promise<() => Promise<void>> {
    const file = join(this.root, `.${name}.lock`);
    const scratch = () => join(this.root, `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      // The lock appears atomically with its owner's pid in it (written aside, then hard-linked), so
      // nobody ever sees an empty lock file and mistakes a slow owner for a dead one.
      const mine = scratch();
      try {
        await writeFile(mine, String(process.pid), { mode: PRIVATE_FILE });
        await link(mine, file);
        return async () => {
          await rm(file, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError('create a lock file in', this.root, e);
      } finally {
        await rm(mine, { force: true }).catch(() => undefined);
      }
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (holder && pidAlive(holder)) {
        throw new LockedError(`Another olympia-data process (pid ${holder}) is writing the backup "${name}".`, `Wait for it to finish, or remove ${file} if that process is gone.`);
      }
      // A dead owner's lock: move it aside (atomic), so of several processes finding it only one
      // removes it; a live lock taken over in between goes back.
      const aside = scratch();
      if (
        await rename(file, aside).then(
          () => true,
          () => false,
        )
      ) {
        const moved = Number((await readFile(aside, 'utf8').catch(() => '')).trim());
        if (moved && moved !== holder && pidAlive(moved)) await link(aside, file).catch(() => undefined);
        await rm(aside, { force: true });
      }
    }
    throw new LockedError(`Could not take the lock for backup "${name}" (${file}).`);
  }

  /** Starts writing a backup: takes the name's lock and makes a temporary directory. */
  async beginWrite(name: BackupName, opts: { force: boolean }): Promise<PendingBackup> {
    try {
      await makeDirectory(this.root);
    } catch (e) {
      throw fsError('create the backup directory', this.root, e);
    }
    const unlock = await this.lock(name);
    try {
      await this.recover(name);
      const exists = await pathExists(this.path(name));
      if (!opts.force && exists) {
        throw new UsageError(
          `A backup named "${name}" already exists at ${this.path(name)}.`,
          'Pass --force to replace it (the old one is kept until the new one is complete), or choose another --name.',
        );
      }
      const tmp = join(this.root, `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        await makeDir(tmp, PRIVATE_DIR);
      } catch (e) {
        throw fsError('write to the backup directory', this.root, e);
      }
      return new PendingBackup(this, name, tmp, unlock, exists);
    } catch (e) {
      await unlock();
      throw e;
    }
  }

  async remove(name: BackupName): Promise<boolean> {
    const path = this.path(name);
    if (!(await pathExists(path))) return false;
    const unlock = await this.lock(name);
    try {
      const doomed = join(this.root, `.${name}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
      await rename(path, doomed);
      await rm(doomed, { recursive: true, force: true });
      return true;
    } finally {
      await unlock();
    }
  }
}

export class PendingBackup {
  private done = false;
  constructor(
    private readonly store: BackupStore,
    readonly name: BackupName,
    /** The temporary directory the backup is written into. */
    readonly dir: string,
    private readonly unlock: () => Promise<void>,
    /** A backup of that name exists: committing this one deletes it. */
    readonly replaces: boolean,
  ) {}

  /** Writes the manifest and renames the backup into place, replacing an older one only now. */
  async commit(manifest: Manifest): Promise<string> {
    const target = this.store.path(this.name);
    try {
      const tmpManifest = join(this.dir, `.${MANIFEST_FILE}.tmp`);
      const fh = await open(tmpManifest, 'w', PRIVATE_FILE);
      await fh.chmod(PRIVATE_FILE);
      await fh.writeFile(JSON.stringify(manifest, null, 2) + '\n');
      await fh.sync();
      await fh.close();
      await rename(tmpManifest, join(this.dir, MANIFEST_FILE));
      if (await pathExists(target)) {
        const old = join(this.store.root, `.${this.name}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
        await rename(target, old);
        await rename(this.dir, target);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(this.dir, target);
      }
    } catch (e) {
      await this.abort();
      throw e instanceof OlympiaError ? e : fsError('finish the backup in', this.store.root, e);
    }
    this.done = true;
    await this.unlock();
    return target;
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    await this.unlock();
  }
}
