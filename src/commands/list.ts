// `olympia-data list`: the backups in the backup directory, each with what its manifest says.
import { totalRows } from '../backup/manifest.js';
import type { BackupInfo, BackupKind } from '../backup/store.js';
import type { BackupName } from '../core/backup-name.js';
import { migrationHash } from '../core/migration-hash.js';
import type { Context } from './context.js';

export interface ListedBackup {
  name: string;
  kind: BackupKind;
  /** The manifest's creation time; '' without one. */
  created: string;
  /** Bytes on disk. */
  size: number;
  tables: number | null;
  rows: number | null;
  /** False for a directory whose manifest cannot be read. */
  valid: boolean;
  /** The migrations the backup was dumped after (its manifest's hash); null when not recorded. */
  migrationHash: string | null;
  /** That hash is the checkout's (its migration and seed files as they are now). */
  current: boolean;
}

function describe(b: BackupInfo, currentHash?: string): ListedBackup {
  return {
    name: b.name,
    kind: b.kind,
    created: b.manifest?.createdAt ?? '',
    size: b.size,
    tables: b.manifest?.tables.length ?? null,
    rows: b.manifest ? totalRows(b.manifest) : null,
    valid: b.kind === 'addons-server' || Boolean(b.manifest),
    migrationHash: b.manifest?.migrationHash ?? null,
    current: currentHash !== undefined && b.manifest?.migrationHash === currentHash,
  };
}

export async function listBackups(ctx: Pick<Context, 'store' | 'config'>): Promise<ListedBackup[]> {
  const current = (await migrationHash(ctx.config.projectDir, ctx.config.hashGlobs)).hash;
  return (await ctx.store.list()).map((b) => describe(b, current));
}

/** One backup, as `list` shows it, with its path; undefined when there is none of that name. */
export async function findBackup(ctx: Pick<Context, 'store'>, name: BackupName): Promise<(ListedBackup & { path: string }) | undefined> {
  if (!(await ctx.store.has(name))) return undefined;
  const b = await ctx.store.find(name);
  return { ...describe(b), path: b.path };
}
