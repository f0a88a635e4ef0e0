// `olympia-data load`: a named backup (this tool's format or addons-server's) becomes the database,
// and the search index follows it, as addons-server's `data_load` reindexes.
import type { BackupName } from '../core/backup-name.js';
import { UsageError } from '../core/errors.js';
import type { Connection } from '../mysql/connect.js';
import { load, type LoadResult } from '../load/load-backup.js';
import { type Context, requireTarget } from './context.js';
import { withInitializeLock } from './initialize.js';
import { hasIndexing, index, indexExists, noteDataChange } from './project-steps.js';

export interface LoadRequest {
  name: BackupName;
  /** The caller's connection that holds the database's lock (a plan step of initialize or seed, which index themselves). */
  lockedConnection?: Connection;
}

/** The load alone: a step of a plan, which decides about the index itself. */
export async function loadBackup(ctx: Context, request: LoadRequest): Promise<LoadResult> {
  const target = requireTarget(ctx);
  return load({
    target,
    store: ctx.store,
    name: request.name,
    storageDir: ctx.storageDir,
    jobs: ctx.jobs,
    reporter: ctx.reporter,
    lockTimeoutS: ctx.lockTimeoutS,
    enableLocalInfile: ctx.enableLocalInfile,
    lockedConnection: request.lockedConnection,
    // Just before the swap: should the load die after it, the next initialize still knows the index is behind.
    beforeSwap: () => noteDataChange(ctx, target),
  });
}

export interface LoadCommandResult extends LoadResult {
  /** The index was rebuilt from the loaded data. */
  indexed: boolean;
  indexDetail?: string;
}

/** `load`: the backup, then the index from it (unless skipIndex or the project has none), under the database's lock. */
export async function loadCommand(ctx: Context, request: { name: BackupName; skipIndex?: boolean }): Promise<LoadCommandResult> {
  const target = requireTarget(ctx);
  const indexing = !request.skipIndex && hasIndexing(ctx);
  return withInitializeLock(ctx, target, 'the load', async (locked) => {
    // An unreachable Elasticsearch fails the load before the data is replaced, not after.
    if (indexing) await indexExists(ctx);
    const loaded = await loadBackup(ctx, { name: request.name, lockedConnection: locked });
    if (!indexing) return { ...loaded, indexed: false };
    const end = ctx.reporter.step?.('Build the search index');
    try {
      const built = await index(ctx, target);
      return { ...loaded, indexed: true, indexDetail: built.detail };
    } finally {
      end?.();
    }
  });
}

/** `reindex`: rebuild the search index from the database as it is. */
export async function reindexCommand(ctx: Context): Promise<{ detail: string }> {
  const target = requireTarget(ctx);
  if (!hasIndexing(ctx))
    throw new UsageError('The project defines no search index.', 'Add "index": {"definitions": [...]} or {"command": "..."} to olympia-data.json, or pass --index-command.');
  return withInitializeLock(ctx, target, 'reindex', async () => ({ detail: (await index(ctx, target)).detail }));
}
