// `olympia-data verify <name>`: every file of a backup against its manifest's size and sha256.
import type { BackupName } from '../core/backup-name.js';
import { UsageError } from '../core/errors.js';
import { verifyBackup, type VerifyResult } from '../backup/verify.js';
import type { Context } from './context.js';

export type { VerifyResult };

/** The result lists every problem; the caller decides how to report them (integrityError). */
export async function verifyCommand(ctx: Pick<Context, 'store' | 'jobs'>, name: BackupName): Promise<VerifyResult> {
  const b = await ctx.store.find(name);
  if (!b.manifest) throw new UsageError(`"${name}" is an addons-server backup; it has no manifest to verify against.`);
  return verifyBackup(b.path, b.manifest, ctx.jobs);
}

export { integrityError } from '../backup/verify.js';
