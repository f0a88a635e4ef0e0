// `olympia-data load`: a named backup (this tool's format or addons-server's) becomes the database.
import type { BackupName } from '../core/backup-name.js';
import { load, type LoadResult } from '../load/load-backup.js';
import { type Context, requireTarget } from './context.js';

export interface LoadRequest {
  name: BackupName;
  /** The caller holds the database's lock already (a plan step of initialize or seed). */
  lockHeld?: boolean;
}

export function loadBackup(ctx: Context, request: LoadRequest): Promise<LoadResult> {
  return load({
    target: requireTarget(ctx),
    store: ctx.store,
    name: request.name,
    storageDir: ctx.storageDir,
    jobs: ctx.jobs,
    reporter: ctx.reporter,
    lockTimeoutS: ctx.lockTimeoutS,
    lockHeld: request.lockHeld,
  });
}
