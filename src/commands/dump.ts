// `olympia-data dump`: the project's database as a named backup in its backup directory.
import { type BackupName, timestampName } from '../core/backup-name.js';
import type { SyncMode } from '../core/durability.js';
import type { MigrationHash } from '../core/migration-hash.js';
import { dump, type DumpResult } from '../dump/dump-database.js';
import { recoverInterruptedLoad } from '../load/swap-journal.js';
import { type Context, requireTarget } from './context.js';

export interface DumpRequest {
  /** A timestamp name when absent. */
  name?: BackupName;
  /** Replace a backup of that name (atomically: the old one stays until the new one is whole). */
  force?: boolean;
  /** Target size of one data file. */
  chunkBytes?: number;
  sync?: SyncMode;
  /** Recorded in the manifest, so a later run can tell which migrations the backup holds. */
  migration?: Pick<MigrationHash, 'hash' | 'fileHashes'>;
}

export async function dumpBackup(ctx: Context, request: DumpRequest): Promise<DumpResult> {
  const target = requireTarget(ctx);
  // Never a snapshot of a load killed mid-swap (new tables, old views or triggers): finish it first.
  const conn = await ctx.clients.mysql(target, { database: null });
  try {
    await recoverInterruptedLoad(conn, target, { reporter: ctx.reporter, lockTimeoutS: ctx.lockTimeoutS });
  } finally {
    await conn.end().catch(() => undefined);
  }
  return dump({
    target,
    store: ctx.store,
    name: request.name ?? timestampName(),
    force: request.force,
    storageDir: ctx.storageDir,
    jobs: ctx.jobs,
    reporter: ctx.reporter,
    chunkBytes: request.chunkBytes,
    sync: request.sync,
    migrationHash: request.migration?.hash,
    migrationFiles: request.migration?.fileHashes,
  });
}
