// Published backups as workflow artifacts (@actions/artifact): `publish: NAME` uploads a backup directory,
// `artifact: NAME` downloads one — from this run, or from another run (or repository) with a token.
// Unlike the cache functions, these throw (typed errors); the run decides what is fatal: after an initialize,
// service trouble is a warning (src/action/run.ts), a wrong name or a foreign artifact is an error.
// The artifact is named like the backup and holds the backup directory's files at its root.
import { DefaultArtifactClient, ArtifactNotFoundError, type FindOptions } from '@actions/artifact';
import { type DownloadOptions, type PublishResult, sourceOf } from './artifact-source.js';
import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupName } from '../core/backup-name.js';
import { errorMessage, IntegrityError, NotFoundError, OlympiaError } from '../core/errors.js';
import { expandGlobs } from '../core/glob.js';

const SERVICE_HINT = 'Artifacts work inside a GitHub Actions job on github.com. If the service had a hiccup, re-run the job.';

export type { DownloadOptions, PublishResult };

/** Uploads every file of the backup directory `dir` as the artifact `name`. */
export async function publishBackup(dir: string, name: BackupName, retentionDays?: number): Promise<PublishResult> {
  const relative = await expandGlobs(dir, ['**']);
  if (relative.length === 0) throw new NotFoundError(`The backup directory ${dir} holds no files to publish.`, 'Dump the backup first.');
  const client = new DefaultArtifactClient();
  try {
    const { id, size } = await client.uploadArtifact(
      name,
      relative.map((f) => join(dir, f)),
      dir,
      retentionDays === undefined ? {} : { retentionDays },
    );
    if (id === undefined) throw new Error('the service returned no artifact ID');
    return { id, size: size ?? 0 };
  } catch (e) {
    throw new OlympiaError(`Publishing the backup "${name}" as a workflow artifact failed: ${errorMessage(e)}`, { hint: SERVICE_HINT, cause: e });
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Downloads the published backup `name` into `<backupDir>/<name>/` and returns that path. The download goes
 * to a temporary sibling first; an existing backup of that name is replaced only once the download is
 * complete and holds a manifest.
 */
export async function downloadBackup(name: BackupName, backupDir: string, options: DownloadOptions = {}, log: (message: string) => void = () => undefined): Promise<string> {
  const source = sourceOf(name, options);
  const target = join(backupDir, name);
  const staging = join(backupDir, `.download-${name}-${randomBytes(4).toString('hex')}`);
  const client = new DefaultArtifactClient();
  const find: FindOptions = source.findBy ? { findBy: source.findBy } : {};
  try {
    let artifact;
    try {
      ({ artifact } = await client.getArtifact(name, find));
    } catch (e) {
      if (e instanceof ArtifactNotFoundError || (e as Error)?.name === 'ArtifactNotFoundError') {
        throw new NotFoundError(
          `No published backup "${name}" was found in ${source.describe}.`,
          source.crossRun
            ? 'Check the run ID and that the artifact has not expired (see retention-days).'
            : 'Publish it earlier in this run, or name the run that published it: RUN_ID/NAME.',
        );
      }
      throw e;
    }
    await mkdir(staging, { recursive: true });
    const { digestMismatch } = await client.downloadArtifact(artifact.id, { ...find, path: staging, ...(artifact.digest ? { expectedHash: artifact.digest } : {}) });
    if (digestMismatch)
      throw new IntegrityError(
        `The downloaded backup "${name}" does not match the digest recorded when it was published.`,
        'Run the job again; if it persists, publish the backup again.',
      );
    if (!(await exists(join(staging, 'manifest.json')))) {
      throw new IntegrityError(
        `The artifact "${name}" from ${source.describe} holds no manifest.json, so it is not an olympia-data backup.`,
        'Publish backups with the publish input of this action.',
      );
    }
    if (await exists(target)) {
      log(`Replacing the local backup ${target} with the published one.`);
      const old = `${staging}.old`;
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(staging, target);
    }
    return target;
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (e instanceof OlympiaError) throw e;
    throw new OlympiaError(`Downloading the backup "${name}" from ${source.describe} failed: ${errorMessage(e)}`, { hint: SERVICE_HINT, cause: e });
  }
}
