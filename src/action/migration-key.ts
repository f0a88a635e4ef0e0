// What the cached `_init` depends on: the files of the `migrations` globs plus the seed definition files,
// hashed with the backup format (src/core/migration-hash.ts), and the cache key built from that hash.
import type { ProjectConfig } from '../core/config.js';
import { initCacheKey } from '../core/cache-key.js';
import { type MigrationFile, migrationHash } from '../core/migration-hash.js';

/**
 * The globs to hash: the `migrations` input (plus the seed files, which shape `_init` as much as the
 * migrations do), or else the project config's hash globs (its migrations dir and seed files).
 */
export function hashGlobs(config: Pick<ProjectConfig, 'hashGlobs' | 'seed'>, migrations: readonly string[]): string[] {
  if (migrations.length === 0) return [...config.hashGlobs];
  return [...new Set([...migrations, ...config.seed.files])];
}

export interface MigrationKey {
  hash: string;
  key: string;
  /** The server part of the key, if any (core/cache-key.ts). */
  server?: string;
  /** Hashed files, relative to the project dir. */
  files: string[];
  /** Each file's own sha256. */
  fileHashes: MigrationFile[];
  /** No glob matched a file. */
  empty: boolean;
}

/** Hashes the files of `globs` under the project dir; the same computation the engine records in a dumped `_init`. */
export async function migrationKey(projectDir: string, globs: readonly string[], prefix: string, server?: string): Promise<MigrationKey> {
  const h = await migrationHash(projectDir, globs);
  return { hash: h.hash, key: initCacheKey({ prefix, server, migrationHash: h.hash }), server, files: h.files, fileHashes: h.fileHashes, empty: h.empty };
}
