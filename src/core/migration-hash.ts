// The migration hash: what the cached `_init` backup depends on. Same migration (and seed) files and the
// same backup format → same hash → the cached `_init` can be reused.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_FORMAT_VERSION } from './format-version.js';
import { expandGlobs } from './glob.js';

export interface MigrationFile {
  path: string;
  sha256: string;
}

export interface MigrationHash {
  /** sha256, lower-case hex. */
  hash: string;
  /** The hashed files, relative to the base directory, in hashing order. */
  files: string[];
  /** Each file's own sha256, so a later run can tell which files changed (see compareMigrations). */
  fileHashes: MigrationFile[];
  /** No glob matched a file: the hash then only covers the format version, so the caller should warn. */
  empty: boolean;
}

/**
 * sha256 over the format version and, for each matched file in sorted order, its relative path and
 * content. Every field is length-prefixed, so moving bytes between a path and a content (or between
 * two files) always changes the hash.
 */
export async function migrationHash(baseDir: string, globs: readonly string[], formatVersion: number = BACKUP_FORMAT_VERSION): Promise<MigrationHash> {
  const files = await expandGlobs(baseDir, globs);
  const hash = createHash('sha256');
  const field = (data: Buffer | string): void => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field('olympia-data migration hash');
  field(String(formatVersion));
  field(String(files.length));
  const fileHashes: MigrationFile[] = [];
  for (const file of files) {
    const content = await readFile(join(baseDir, file));
    field(file);
    field(content);
    fileHashes.push({ path: file, sha256: createHash('sha256').update(content).digest('hex') });
  }
  return { hash: hash.digest('hex'), files, fileHashes, empty: files.length === 0 };
}

/**
 * How a backup made after `recorded` files relates to the checkout's `current` ones:
 * - `current`: the same files, the same contents;
 * - `behind`: the checkout only adds files that are not seed files (new migrations), so loading the backup
 *   and migrating gives what seeding would;
 * - `stale`: a recorded file changed or is gone, or a seed file was added: only a new seed gives the data
 *   this checkout describes;
 * - `unknown`: the backup recorded no files (made by an older olympia-data).
 */
export type MigrationFreshness = 'current' | 'behind' | 'stale' | 'unknown';

export function compareMigrations(recorded: readonly MigrationFile[] | undefined, current: readonly MigrationFile[], isSeedFile: (path: string) => boolean): MigrationFreshness {
  if (!recorded) return 'unknown';
  const now = new Map(current.map((f) => [f.path, f.sha256]));
  for (const f of recorded) if (now.get(f.path) !== f.sha256) return 'stale';
  const before = new Set(recorded.map((f) => f.path));
  const added = current.filter((f) => !before.has(f.path));
  if (added.some((f) => isSeedFile(f.path))) return 'stale';
  return added.length === 0 ? 'current' : 'behind';
}
