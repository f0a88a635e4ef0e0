// The migration hash: what the cached `_init` backup depends on. Same migration (and seed) files and the
// same backup format → same hash → the cached `_init` can be reused.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_FORMAT_VERSION } from './format-version.js';
import { expandGlobs } from './glob.js';

export interface MigrationHash {
  /** sha256, lower-case hex. */
  hash: string;
  /** The hashed files, relative to the base directory, in hashing order. */
  files: string[];
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
  for (const file of files) {
    field(file);
    field(await readFile(join(baseDir, file)));
  }
  return { hash: hash.digest('hex'), files, empty: files.length === 0 };
}
