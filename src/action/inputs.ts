// Reads the action's inputs (INPUT_* env, through the runtime's io) into typed options. Every invalid value is a
// UsageError naming the input. Secrets are registered with the runner's masking before anything else happens, so
// no later log line or error can show them. Empty optional inputs are `undefined`: the project config
// (olympia-data.json) or the engine's defaults apply.
import { isAbsolute, resolve } from 'node:path';
import { parseBackupName, type BackupName } from '../core/backup-name.js';
import { DEFAULT_CACHE_KEY_PREFIX, validateCacheKeyPrefix, validateServerPart } from '../core/cache-key.js';
import { UsageError } from '../core/errors.js';
import { parseDatabaseUrl } from '../core/connection-url.js';
import { Commands, Inputs, ServiceModes, type Command, type ServiceMode } from './constants.js';
import { maskSecret } from './mask.js';
import type { ActionIO } from './runtime.js';

/** The part of the runner inputs are read from. */
export type InputSource = Pick<ActionIO, 'getInput' | 'getMultilineInput' | 'setSecret' | 'env'>;

/** A published backup to download: from this run, or from another run (and repository) with a token. */
export interface ArtifactRef {
  name: BackupName;
  /** The workflow run that published it; unset = this run. */
  workflowRunId?: number;
  /** `owner/repo`; unset = this repository. */
  repository?: string;
}

export interface ActionOptions {
  command: Command;
  clean: boolean;
  load?: BackupName;
  skipSeed: boolean;
  skipIndex: boolean;
  enableLocalInfile: boolean;
  services: ServiceMode;
  mysqlImage?: string;
  elasticsearchImage?: string;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  backupDir?: string;
  storageDir?: string;
  /** Globs hashed into the cache key; empty = the project config's hash globs. */
  migrations: string[];
  cache: boolean;
  cacheKeyPrefix: string;
  /** `auto` (the server's flavour and version), `none`, or a literal key part. */
  cacheKeyServer: string;
  /** More restore-keys prefixes, tried in order after the exact key (as in actions/cache). */
  restoreKeys: string[];
  lookupOnly: boolean;
  failOnCacheMiss: boolean;
  incremental: boolean;
  migrateCommand?: string;
  seedCommand?: string;
  indexCommand?: string;
  /** Absolute; relative inputs resolve against GITHUB_WORKSPACE. */
  workingDirectory: string;
  publish?: BackupName;
  retentionDays?: number;
  artifact?: ArtifactRef;
  githubToken?: string;
}

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

function optional(io: InputSource, name: Inputs): string | undefined {
  const value = io.getInput(name);
  return value === '' ? undefined : value;
}

/** core.getBooleanInput's YAML 1.2 core-schema values, with a default for an unset input. */
function boolean(io: InputSource, name: Inputs, fallback: boolean): boolean {
  const value = io.getInput(name);
  if (value === '') return fallback;
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  throw new UsageError(`The ${name} input must be true or false, not ${JSON.stringify(value)}.`, 'Booleans follow YAML 1.2: true, True, TRUE, false, False or FALSE.');
}

function oneOf<T extends string>(io: InputSource, name: Inputs, allowed: readonly T[], fallback: T): T {
  const value = io.getInput(name);
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`The ${name} input ${JSON.stringify(value)} is not known; it must be one of ${allowed.join(', ')}.`);
}

function backupName(name: Inputs, value: string): BackupName {
  try {
    return parseBackupName(value);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`The ${name} input: ${e.message}`, e.hint);
    throw e;
  }
}

/** `NAME`, `RUN_ID/NAME` (another run of this repository) or `OWNER/REPO/RUN_ID/NAME`. */
export function parseArtifactRef(value: string, name: Inputs = Inputs.Artifact): ArtifactRef {
  const parts = value.split('/');
  const forms = 'Use NAME (this run), RUN_ID/NAME (another run of this repository) or OWNER/REPO/RUN_ID/NAME.';
  if (parts.length !== 1 && parts.length !== 2 && parts.length !== 4) {
    throw new UsageError(`The ${name} input ${JSON.stringify(value)} is not a backup reference.`, forms);
  }
  const ref: ArtifactRef = { name: backupName(name, parts[parts.length - 1]) };
  if (parts.length >= 2) {
    const run = parts[parts.length - 2];
    if (!/^[1-9][0-9]{0,18}$/.test(run))
      throw new UsageError(
        `The ${name} input ${JSON.stringify(value)} names the run ${JSON.stringify(run)}, which is not a workflow run ID.`,
        `${forms} The run ID is the number in the run's URL (…/actions/runs/RUN_ID).`,
      );
    ref.workflowRunId = Number(run);
  }
  if (parts.length === 4) {
    const [owner, repo] = parts;
    if (!/^[A-Za-z0-9_.-]+$/.test(owner) || !/^[A-Za-z0-9_.-]+$/.test(repo))
      throw new UsageError(`The ${name} input ${JSON.stringify(value)} does not name a repository as OWNER/REPO.`, forms);
    ref.repository = `${owner}/${repo}`;
  }
  return ref;
}

function retentionDays(io: InputSource): number | undefined {
  const value = optional(io, Inputs.RetentionDays);
  if (value === undefined) return undefined;
  const days = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > 90) {
    throw new UsageError(
      `The ${Inputs.RetentionDays} input must be a whole number of days from 1 to 90, not ${JSON.stringify(value)}.`,
      "Leave it unset to use the repository's default retention.",
    );
  }
  return days;
}

/** The password of a URL (raw and decoded forms), also when the URL does not parse. */
function urlPasswords(url: string): string[] {
  const found: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) found.push(u.password, decodeURIComponent(u.password));
  } catch {
    // Up to the last "@": a password with an unencoded "@" is a common reason a URL fails to parse.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:(.*)@[^@]*$/i.exec(url);
    if (m?.[1]) found.push(m[1]);
  }
  return [...new Set(found)].filter((s) => s.length > 0);
}

/** Registers every secret an input carries with the runner's log masking. Call before anything is logged. */
export function maskSecretInputs(io: InputSource): void {
  for (const name of [Inputs.DatabaseUrl, Inputs.ElasticsearchUrl]) {
    const url = io.getInput(name);
    for (const secret of urlPasswords(url)) maskSecret(io, secret);
  }
  maskSecret(io, io.getInput(Inputs.GithubToken));
}

function databaseUrl(io: InputSource): string | undefined {
  const value = optional(io, Inputs.DatabaseUrl);
  if (value === undefined) return undefined;
  // An unparsable URL is not quoted at all: masking cannot find the password's end in it.
  if (!URL.canParse(value)) {
    throw new UsageError(
      `The ${Inputs.DatabaseUrl} input is not a valid URL.`,
      'Use the form mysql://user:password@host:3306/database; percent-encode "@", ":", "/" and spaces in the password (e.g. "@" as %40).',
    );
  }
  try {
    parseDatabaseUrl(value);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`The ${Inputs.DatabaseUrl} input: ${e.message}`, e.hint);
    throw e;
  }
  return value;
}

function elasticsearchUrl(io: InputSource): string | undefined {
  const value = optional(io, Inputs.ElasticsearchUrl);
  if (value === undefined) return undefined;
  let u: URL | undefined;
  try {
    u = new URL(value);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    throw new UsageError(
      `The ${Inputs.ElasticsearchUrl} input is not an http(s) URL.`,
      'Use the form http://localhost:9200 (credentials, if any, as http://user:password@host:9200).',
    );
  }
  return value;
}

function cacheKeyServer(io: InputSource): string {
  const value = optional(io, Inputs.CacheKeyServer) ?? 'auto';
  return value === 'auto' || value === 'none' ? value : validateServerPart(value, Inputs.CacheKeyServer);
}

function workingDirectory(io: InputSource): string {
  const workspace = io.env.GITHUB_WORKSPACE || process.cwd();
  const value = optional(io, Inputs.WorkingDirectory);
  if (value === undefined) return resolve(workspace);
  return isAbsolute(value) ? value : resolve(workspace, value);
}

/** Reads and validates every input. Throws a UsageError naming the first invalid input. */
export function readInputs(io: InputSource): ActionOptions {
  maskSecretInputs(io);
  const load = optional(io, Inputs.Load);
  const publish = optional(io, Inputs.Publish);
  const artifact = optional(io, Inputs.Artifact);
  const options: ActionOptions = {
    command: oneOf(io, Inputs.Command, Commands, 'initialize'),
    clean: boolean(io, Inputs.Clean, false),
    load: load === undefined ? undefined : backupName(Inputs.Load, load),
    skipSeed: boolean(io, Inputs.SkipSeed, false),
    skipIndex: boolean(io, Inputs.SkipIndex, false),
    enableLocalInfile: boolean(io, Inputs.EnableLocalInfile, false),
    services: oneOf(io, Inputs.Services, ServiceModes, 'docker'),
    mysqlImage: optional(io, Inputs.MysqlImage),
    elasticsearchImage: optional(io, Inputs.ElasticsearchImage),
    databaseUrl: databaseUrl(io),
    elasticsearchUrl: elasticsearchUrl(io),
    backupDir: optional(io, Inputs.BackupDir),
    storageDir: optional(io, Inputs.StorageDir),
    migrations: io.getMultilineInput(Inputs.Migrations).filter((line) => line !== '' && !line.startsWith('#')),
    cache: boolean(io, Inputs.Cache, true),
    cacheKeyPrefix: validateCacheKeyPrefix(optional(io, Inputs.CacheKeyPrefix) ?? DEFAULT_CACHE_KEY_PREFIX, Inputs.CacheKeyPrefix),
    cacheKeyServer: cacheKeyServer(io),
    restoreKeys: io.getMultilineInput(Inputs.RestoreKeys).filter((line) => line !== '' && !line.startsWith('#')),
    lookupOnly: boolean(io, Inputs.LookupOnly, false),
    failOnCacheMiss: boolean(io, Inputs.FailOnCacheMiss, false),
    incremental: boolean(io, Inputs.Incremental, false),
    migrateCommand: optional(io, Inputs.MigrateCommand),
    seedCommand: optional(io, Inputs.SeedCommand),
    indexCommand: optional(io, Inputs.IndexCommand),
    workingDirectory: workingDirectory(io),
    publish: publish === undefined ? undefined : backupName(Inputs.Publish, publish),
    retentionDays: retentionDays(io),
    artifact: artifact === undefined ? undefined : parseArtifactRef(artifact),
    githubToken: optional(io, Inputs.GithubToken),
  };
  for (const prefix of options.restoreKeys) validateCacheKeyPrefix(prefix, Inputs.RestoreKeys);
  if (options.lookupOnly && (options.load || options.artifact || options.publish)) {
    throw new UsageError(`${Inputs.LookupOnly} only looks _init up; it cannot be combined with ${Inputs.Load}, ${Inputs.Artifact} or ${Inputs.Publish}.`);
  }
  if (options.lookupOnly && options.command !== 'initialize') {
    throw new UsageError(
      `${Inputs.LookupOnly} only looks up the _init of command: initialize, not ${options.command}.`,
      `Remove ${Inputs.LookupOnly}, or use command: initialize.`,
    );
  }
  if ((options.lookupOnly || options.failOnCacheMiss) && !options.cache) {
    throw new UsageError(`${options.lookupOnly ? Inputs.LookupOnly : Inputs.FailOnCacheMiss} needs the cache, but cache is false.`, `Remove one of them.`);
  }
  if (options.load && options.artifact) {
    throw new UsageError(
      `The ${Inputs.Load} and ${Inputs.Artifact} inputs are both set; each names the backup to load.`,
      `Use ${Inputs.Load} for a backup in ${Inputs.BackupDir}, or ${Inputs.Artifact} for a published backup artifact.`,
    );
  }
  return options;
}
