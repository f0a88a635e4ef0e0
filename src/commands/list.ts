// `olympia-data list`: the backups in the backup directory, each with what its manifest says.
import { totalRows } from '../backup/manifest.js';
import type { BackupKind } from '../backup/store.js';
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
}

export async function listBackups(ctx: Pick<Context, 'store'>): Promise<ListedBackup[]> {
  return (await ctx.store.list()).map((b) => ({
    name: b.name,
    kind: b.kind,
    created: b.manifest?.createdAt ?? '',
    size: b.size,
    tables: b.manifest?.tables.length ?? null,
    rows: b.manifest ? totalRows(b.manifest) : null,
    valid: b.kind === 'addons-server' || Boolean(b.manifest),
  }));
}
