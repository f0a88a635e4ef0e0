// Where a published backup is to come from, decided from the inputs alone (this run, or another run or
// repository with a token), so a run refuses an impossible reference before it starts anything.
import type { BackupName } from '../core/backup-name.js';
import { UsageError } from '../core/errors.js';
import { Inputs } from './constants.js';

export interface PublishResult {
  id: number;
  size: number;
}

export interface DownloadOptions {
  /** Needed to read another run's artifacts (a token with actions:read on `repository`). */
  githubToken?: string;
  /** The workflow run that published the backup; unset or GITHUB_RUN_ID = this run. */
  workflowRunId?: number;
  /** `owner/repo` the run belongs to; unset = GITHUB_REPOSITORY. */
  repository?: string;
}

interface Source {
  crossRun: boolean;
  describe: string;
  findBy?: { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string };
}

export function sourceOf(name: BackupName, options: DownloadOptions): Source {
  const thisRepo = process.env.GITHUB_REPOSITORY;
  const repository = options.repository ?? thisRepo;
  const otherRepo = options.repository !== undefined && options.repository !== thisRepo;
  const otherRun = options.workflowRunId !== undefined && String(options.workflowRunId) !== process.env.GITHUB_RUN_ID;
  if (!otherRepo && !otherRun) return { crossRun: false, describe: 'this workflow run' };
  const where = `workflow run ${options.workflowRunId ?? '?'} of ${repository ?? 'this repository'}`;
  if (options.workflowRunId === undefined) {
    throw new UsageError(`The backup "${name}" is to come from ${repository}, but no workflow run is named.`, `Set the ${Inputs.Artifact} input to OWNER/REPO/RUN_ID/NAME.`);
  }
  if (!options.githubToken) {
    throw new UsageError(
      `Downloading the backup "${name}" from ${where} needs the ${Inputs.GithubToken} input.`,
      `Set ${Inputs.GithubToken} to a token with actions:read permission on ${repository ?? 'the repository'} (in the same repository, \${{ github.token }} will do).`,
    );
  }
  const [repositoryOwner, repositoryName] = (repository ?? '').split('/');
  if (!repositoryOwner || !repositoryName)
    throw new UsageError(
      `Cannot tell which repository to download the backup "${name}" from: GITHUB_REPOSITORY is not set.`,
      `Set the ${Inputs.Artifact} input to OWNER/REPO/RUN_ID/NAME.`,
    );
  return { crossRun: true, describe: where, findBy: { token: options.githubToken, workflowRunId: options.workflowRunId, repositoryOwner, repositoryName } };
}

/**
 * Throws the UsageError a download would (e.g. a backup from another run without a token), so a run can
 * refuse such input before it starts services or touches the database.
 */
export function checkDownloadSource(name: BackupName, options: DownloadOptions = {}): void {
  sourceOf(name, options);
}
