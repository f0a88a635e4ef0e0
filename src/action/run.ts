// The action's orchestration: inputs → services → migration hash and cache key → restore `_init` →
// the command (initialize, seed, dump, load) → save `_init` → publish → outputs and job summary.
//
// Caching is an optimisation: cache trouble is a warning (src/action/cache.ts never throws) and the run
// seeds instead. Artifact *service* trouble during initialize is a warning too (initialize falls back to
// _init; a failed publish leaves the backup on disk and artifact-id empty); a wrong artifact reference,
// or any artifact trouble of `command: dump`/`load`, fails the run. Every failure ends as one error
// annotation (message and hint) after the outputs and the summary are written.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { INIT_BACKUP, timestampName, type BackupName } from '../core/backup-name.js';
import { initRestoreKeys, serverKeyPart } from '../core/cache-key.js';
import { loadConfig } from '../core/config.js';
import { errorMessage, IntegrityError, NotFoundError, OlympiaError, UsageError } from '../core/errors.js';
import { expandGlobs } from '../core/glob.js';
import { makeContext, type Context } from '../commands/context.js';
import type { InitializeResult } from '../commands/initialize.js';
import { hasIndexing } from '../commands/project-steps.js';
import { formatBytes } from '../core/format.js';
import { checkDownloadSource, type PublishResult } from './artifact-source.js';
import type { RestoreResult } from './cache-types.js';
import { Inputs, State, type Command } from './constants.js';
import { planActionSteps } from './action-plan.js';
import { type ActionRuntime, realRuntime } from './runtime.js';
import { readInputs, type ActionOptions } from './inputs.js';
import { hashGlobs, migrationKey, type MigrationKey } from './migration-key.js';
import { setOutputs, type RunRecord } from './outputs.js';
import { Phases } from './phases.js';
import { actionsReporter, type GroupState } from './reporter.js';
import { maskUrlSecret } from './mask.js';
import { checkServicesInputs, serviceTimeoutMs } from './services.js';
import { renderSummary, type BackupSummary, type CacheSummary, type SaveOutcome } from './summary.js';

/** A failing artifact service, as opposed to a reference or a backup that is wrong. */
function isServiceTrouble(e: unknown): boolean {
  return !(e instanceof UsageError || e instanceof NotFoundError || e instanceof IntegrityError);
}

/** The cache's path for `_init`: relative to the workspace when inside it, so jobs on any runner share the entry. */
export function cachePathFor(absolute: string, workspace: string): string {
  const rel = relative(workspace, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return absolute;
  return rel.split(sep).join('/');
}

class ActionRun {
  private readonly started = Date.now();
  private readonly groups: GroupState = { open: false };
  phases: Phases;
  readonly reporter: ReturnType<typeof actionsReporter>;
  readonly record: RunRecord = { cacheHit: false, seeded: false, indexed: false };
  command: Command | string = 'initialize';
  cache?: CacheSummary;
  key?: MigrationKey;
  readonly backups: BackupSummary[] = [];

  constructor(private readonly rt: ActionRuntime) {
    this.phases = new Phases(rt.io, [], this.groups);
    this.reporter = actionsReporter(rt.io, this.groups);
  }

  private get io() {
    return this.rt.io;
  }

  async execute(): Promise<void> {
    const workspace = this.io.env.GITHUB_WORKSPACE;
    // The runner starts actions there; the cache library resolves relative paths against the cwd.
    if (workspace) process.chdir(workspace);
    const options = readInputs(this.io); // masks the secrets among the inputs before anything else
    this.command = options.command;
    this.preflight(options);
    this.phases = new Phases(this.io, planActionSteps(options), this.groups);

    const ctx = await this.context(options);
    await this.services(ctx, options);
    // After the services: the key names the server the data was made on.
    this.key = await this.migrationKey(ctx, options);

    switch (options.command) {
      case 'initialize':
        await this.initialize(ctx, options);
        break;
      case 'seed':
        await this.seed(ctx, options);
        break;
      case 'dump':
        await this.dumpCommand(ctx, options);
        break;
      case 'load':
        await this.loadCommand(ctx, options);
        break;
    }
    if (options.publish && options.command !== 'dump') await this.publish(ctx, options, options.publish);
    if (!this.record.backupPath) this.record.backupPath = await this.backupPathFallback(ctx);
  }

  /** Input combinations that cannot work, refused before any service is started. */
  private preflight(options: ActionOptions): void {
    if (options.command === 'load' && !options.load && !options.artifact) {
      throw new UsageError(
        `command: load needs the ${Inputs.Load} or the ${Inputs.Artifact} input.`,
        `Set ${Inputs.Load} to a backup in ${Inputs.BackupDir}, or ${Inputs.Artifact} to a published backup.`,
      );
    }
    if (options.artifact) checkDownloadSource(options.artifact.name, { ...options.artifact, githubToken: options.githubToken });
  }

  private async context(options: ActionOptions): Promise<Context> {
    const dir = options.workingDirectory;
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new UsageError(
        `The ${Inputs.WorkingDirectory} ${dir} is not a directory.`,
        `Check out the repository first (actions/checkout), or fix ${Inputs.WorkingDirectory}; relative paths start at the workspace.`,
      );
    }
    const loaded = await loadConfig(undefined, dir);
    const config = { ...loaded, hashGlobs: hashGlobs(loaded, options.migrations) };
    const ctx = makeContext({
      config,
      databaseUrl: options.databaseUrl,
      elasticsearchUrl: options.elasticsearchUrl,
      backupDir: options.backupDir,
      storageDir: options.storageDir,
      hooks: { migrate: options.migrateCommand, seed: options.seedCommand, index: options.indexCommand },
      reporter: this.reporter,
      enableLocalInfile: options.enableLocalInfile,
    });
    // A URL from olympia-data.json carries its password too.
    maskUrlSecret(this.io, ctx.databaseUrl);
    maskUrlSecret(this.io, ctx.elasticsearchUrl);
    return ctx;
  }

  private async migrationKey(ctx: Context, options: ActionOptions): Promise<MigrationKey> {
    const server =
      options.cacheKeyServer === 'none' ? undefined : options.cacheKeyServer === 'auto' ? serverKeyPart(await this.rt.engine.serverVersion(ctx)) : options.cacheKeyServer;
    const key = await migrationKey(ctx.config.projectDir, ctx.config.hashGlobs, options.cacheKeyPrefix, server);
    this.record.cacheKey = key.key;
    this.record.migrationHash = key.hash;
    const usesCache = options.cache && (options.command === 'initialize' || options.command === 'seed');
    const where = `under ${ctx.config.projectDir}`;
    const fix = `Set ${Inputs.Migrations} to your migration files (e.g. src/olympia/*/migrations/*.py), relative to ${Inputs.WorkingDirectory}.`;
    if (options.migrations.length > 0 && (await expandGlobs(ctx.config.projectDir, options.migrations)).length === 0) {
      this.io.warning(
        `The ${Inputs.Migrations} globs (${options.migrations.join(', ')}) match no files ${where}, so the cache key ${key.key} covers ${key.empty ? 'no files at all' : 'only the seed files'}: ` +
          `a schema change will not invalidate the cached _init. ${fix}`,
      );
    } else if (key.empty && usesCache) {
      this.io.warning(
        `No migration or seed files were found to hash ${where}, so the cache key ${key.key} covers no files: a schema change will not invalidate the cached _init. ${fix}`,
      );
    } else {
      this.io.info(`Migration hash ${key.hash} over ${key.files.length} files; cache key ${key.key}.`);
    }
    return key;
  }

  private async services(ctx: Context, options: ActionOptions): Promise<void> {
    // dump never touches the search index; load rebuilds it from the loaded data.
    const search = options.command !== 'dump' && !options.skipIndex && hasIndexing(ctx);
    const title = options.services === 'docker' ? 'Start MySQL and Elasticsearch containers' : 'Wait for the services';
    const services = await this.phases.run(
      'services',
      search || options.services === 'external' ? title : title.replace(' and Elasticsearch containers', ' container'),
      () => {
        checkServicesInputs({ services: options.services, databaseUrl: ctx.databaseUrl });
        return this.rt.engine.servicesUp(ctx, {
          provider: options.services,
          elasticsearch: search,
          mysqlImage: options.mysqlImage,
          elasticsearchImage: options.elasticsearchImage,
          timeoutMs: serviceTimeoutMs(),
        });
      },
      (s) => ({ detail: `MySQL${s.elasticsearchUrl ? ' and Elasticsearch' : ''} ready (${options.services})` }),
    );
    // The post step stops what this job started; containers it found running are left alone.
    if (services.started?.length) this.io.saveState(State.StartedContainers, JSON.stringify(services.started));
    this.record.databaseUrl = ctx.databaseUrl;
    this.record.elasticsearchUrl = search ? ctx.elasticsearchUrl : undefined;
  }

  private cachePath(ctx: Context): string {
    return cachePathFor(ctx.store.path(INIT_BACKUP), this.io.env.GITHUB_WORKSPACE || process.cwd());
  }

  /**
   * Downloads the `artifact` backup. With `fallback` (initialize), trouble of the artifact service is a
   * warning and the run initializes without it; a reference that is wrong (no such artifact, not a backup)
   * still fails, since falling back would hide the mistake.
   */
  private async download(ctx: Context, options: ActionOptions, fallback: boolean): Promise<BackupName | undefined> {
    const ref = options.artifact!;
    const path = await this.phases.run<string | undefined>(
      'download',
      `Download the published backup "${ref.name}"`,
      () => this.rt.artifacts.download(ref.name, ctx.store.root, { githubToken: options.githubToken, workflowRunId: ref.workflowRunId, repository: ref.repository }),
      () => ({ detail: ref.workflowRunId ? `from run ${ref.workflowRunId}${ref.repository ? ` of ${ref.repository}` : ''}` : 'from this run' }),
      (e) => {
        if (!fallback || !isServiceTrouble(e)) return undefined;
        this.io.warning(`${errorMessage(e)} Initializing without the published backup "${ref.name}" instead (from the cached or a newly seeded _init).`);
        return { value: undefined, detail: `not downloaded (artifact service trouble): ${errorMessage(e)}` };
      },
    );
    if (path === undefined) return undefined;
    await this.noteBackup(ctx, ref.name, 'downloaded artifact', path);
    return ref.name;
  }

  private async restore(ctx: Context, options: ActionOptions): Promise<RestoreResult> {
    const key = this.key!;
    const restoreKeys = [...options.restoreKeys, ...(options.incremental ? initRestoreKeys({ prefix: options.cacheKeyPrefix, server: key.server }) : [])];
    const result = await this.phases.run(
      'restore',
      options.lookupOnly ? `Look "${INIT_BACKUP}" up in the cache` : `Restore "${INIT_BACKUP}" from the cache`,
      () => this.rt.cache.restore([this.cachePath(ctx)], key.key, restoreKeys, { lookupOnly: options.lookupOnly }),
      (r) => {
        switch (r.hit) {
          case 'exact':
            return { detail: `hit: ${key.key}` };
          case 'partial':
            return { detail: `partial hit: ${r.matchedKey}` };
          case 'miss':
            return { detail: `miss: ${key.key}` };
          case 'failed':
            return { status: 'warning', detail: `failed: ${r.cause}` };
          case 'unavailable':
            return { status: 'skipped', detail: r.cause };
        }
      },
    );
    this.record.cacheHit = result.hit === 'exact';
    this.record.cacheMatchedKey = result.matchedKey;
    if (options.failOnCacheMiss && result.hit !== 'exact' && result.hit !== 'partial') {
      throw new NotFoundError(
        `No "${INIT_BACKUP}" in the cache under ${key.key}${restoreKeys.length ? ` or a restore key (${restoreKeys.join(', ')})` : ''}${'cause' in result ? `: ${result.cause}` : ''}.`,
        `fail-on-cache-miss is set, so the job stops here. Run a job that seeds and saves it (the same inputs without ${Inputs.FailOnCacheMiss}), or unset it.`,
      );
    }
    this.cache = { key: key.key, restore: result.hit, matchedKey: result.matchedKey, restoreCause: 'cause' in result ? result.cause : undefined, save: 'not-needed' };
    return result;
  }

  private engineResult(r: InitializeResult): void {
    this.phases.addEngineSteps(r.steps);
    this.record.loaded = r.loaded;
    this.record.seeded = r.seeded;
    this.record.indexed = r.indexed;
    if (r.error) throw r.error;
  }

  /** The migration hash the local `_init` was dumped after, if there is one. */
  private async initHash(ctx: Context): Promise<string | undefined> {
    return (await this.rt.engine.findBackup(ctx, INIT_BACKUP))?.migrationHash ?? undefined;
  }

  private async initialize(ctx: Context, options: ActionOptions): Promise<void> {
    const loadName = options.artifact ? await this.download(ctx, options, true) : options.load;
    let restored: RestoreResult | undefined;
    if (options.cache && !loadName) restored = await this.restore(ctx, options);
    if (options.lookupOnly) {
      // Only the lookup was asked for: the outputs say whether `_init` is cached; nothing is loaded or seeded.
      this.cache = { key: this.key!.key, restore: restored!.hit, matchedKey: restored!.matchedKey, save: 'not-needed' };
      return;
    } else if (options.cache && !options.load) this.phases.skipped('restore', `Restore "${INIT_BACKUP}" from the cache`, `the published backup "${loadName}" is loaded instead`);

    const r = await this.rt.engine.initialize(ctx, { clean: options.clean, load: loadName, skipSeed: options.skipSeed, skipIndex: options.skipIndex });
    this.engineResult(r);

    // An older `_init` (a partial hit) was loaded only if its migrations are a prefix of the checkout's; the
    // engine then dumped it again once migrated. Anything else it judged stale and seeded anew.
    const rebuilt = r.loaded === INIT_BACKUP && r.steps.some((st) => st.kind === 'dump-init' && st.status === 'done');
    await this.saveCache(ctx, options, restored);
    const role =
      restored?.hit === 'exact'
        ? 'restored from the cache'
        : r.seeded
          ? 'seeded'
          : rebuilt
            ? 'restored (older migrations) and migrated'
            : restored?.hit === 'partial'
              ? 'restored (older migrations)'
              : 'local';
    if (r.loaded === INIT_BACKUP || r.seeded || rebuilt) await this.noteBackup(ctx, INIT_BACKUP, role);
  }

  private async seed(ctx: Context, options: ActionOptions): Promise<void> {
    const r = await this.rt.engine.seed(ctx, { skipIndex: options.skipIndex });
    this.engineResult(r);
    await this.saveCache(ctx, options, undefined);
    await this.noteBackup(ctx, INIT_BACKUP, 'seeded');
  }

  /** Saves `_init` when this run built one for the current migrations and the cache does not hold it yet. */
  private async saveCache(ctx: Context, options: ActionOptions, restored: RestoreResult | undefined): Promise<void> {
    if (!options.cache) return;
    const key = this.key!;
    let save: SaveOutcome = 'not-needed';
    let saveCause: string | undefined;
    if (restored?.hit === 'failed') {
      // A service that just failed is not asked again: one bounded cost per job.
      save = 'after-failed-restore';
      this.phases.skipped('save', `Save "${INIT_BACKUP}" to the cache`, 'the restore failed, so the job makes no further cache calls');
    } else if (restored?.hit !== 'exact' && (await this.initHash(ctx)) === key.hash) {
      const result = await this.phases.run(
        'save',
        `Save "${INIT_BACKUP}" to the cache`,
        // After a miss the key is known to be free: no lookup before the upload.
        () => this.rt.cache.save([this.cachePath(ctx)], key.key, { knownAbsent: restored?.hit === 'miss' }),
        (s) =>
          s.saved
            ? { detail: `saved as ${key.key}` }
            : { status: s.reason === 'exists' ? 'done' : 'warning', detail: s.reason === 'exists' ? 'already stored' : `not saved: ${s.cause ?? s.reason}` },
      );
      save = result.saved ? 'saved' : result.reason;
      saveCause = result.saved ? undefined : result.cause;
    } else {
      this.phases.skipped(
        'save',
        `Save "${INIT_BACKUP}" to the cache`,
        restored?.hit === 'exact' ? 'the cache holds it already' : `no "${INIT_BACKUP}" for the current migrations was made`,
      );
    }
    this.cache = {
      key: key.key,
      restore: restored ? restored.hit : 'not-needed',
      matchedKey: restored?.matchedKey,
      restoreCause: restored && 'cause' in restored ? restored.cause : undefined,
      save,
      saveCause,
    };
  }

  private async dumpAs(ctx: Context, id: 'dump', name: BackupName, title: string): Promise<string> {
    const r = await this.phases.run(
      id,
      title,
      () => this.rt.engine.dump(ctx, { name, force: true, migration: this.key! }),
      (d) => ({ detail: `${d.tables} tables, ${formatBytes(d.bytes)}`, rows: d.rows }),
    );
    return r.path;
  }

  /** Dumps (unless `path` is given) and uploads. After an initialize, artifact service trouble is a warning. */
  private async publish(ctx: Context, options: ActionOptions, name: BackupName, path?: string): Promise<void> {
    const dir = path ?? (await this.dumpAs(ctx, 'dump', name, `Dump the database as "${name}"`));
    this.record.backupPath = dir;
    const published = await this.phases.run<PublishResult | undefined>(
      'publish',
      `Publish "${name}" as a workflow artifact`,
      () => this.rt.artifacts.publish(dir, name, options.retentionDays),
      (a) => ({ detail: `artifact ${a!.id}, ${formatBytes(a!.size)} uploaded${options.retentionDays ? `, kept ${options.retentionDays} days` : ''}` }),
      (e) => {
        if (options.command !== 'initialize' || !isServiceTrouble(e)) return undefined;
        this.io.warning(`${errorMessage(e)} The database is initialized and the backup is at ${dir}, but it was not published: the artifact-id output is empty.`);
        return { value: undefined, detail: `not published (artifact service trouble): ${errorMessage(e)}` };
      },
    );
    if (!published) return;
    this.record.artifactId = published.id;
    await this.noteBackup(ctx, name, 'published as an artifact', dir);
  }

  private async dumpCommand(ctx: Context, options: ActionOptions): Promise<void> {
    const name = options.publish ?? timestampName();
    const path = await this.dumpAs(ctx, 'dump', name, `Dump the database as "${name}"`);
    this.record.backupPath = path;
    if (options.publish) await this.publish(ctx, options, options.publish, path);
    else await this.noteBackup(ctx, name, 'dumped', path);
  }

  private async loadCommand(ctx: Context, options: ActionOptions): Promise<void> {
    const name = options.artifact ? (await this.download(ctx, options, false))! : options.load!;
    const loaded = await this.phases.run(
      'load',
      `Load backup "${name}"`,
      () => this.rt.engine.load(ctx, { name, skipIndex: options.skipIndex }),
      (l) => ({ detail: `${l.tables} tables${l.storageFiles ? `, ${l.storageFiles} storage files` : ''}${l.indexed ? '; search index rebuilt' : ''}`, rows: l.rows }),
    );
    this.record.loaded = name;
    this.record.indexed = loaded.indexed;
    this.record.backupPath = ctx.store.path(name);
    if (!options.artifact) await this.noteBackup(ctx, name, 'loaded');
  }

  private async backupPathFallback(ctx: Context): Promise<string | undefined> {
    if (this.record.loaded) return ctx.store.path(this.record.loaded as BackupName);
    return (await ctx.store.has(INIT_BACKUP)) ? ctx.store.path(INIT_BACKUP) : undefined;
  }

  /** Adds a backup's size and counts to the summary (from its manifest; an addons-server backup by its files). */
  private async noteBackup(ctx: Context, name: BackupName, role: string, path?: string): Promise<void> {
    try {
      const info = await this.rt.engine.findBackup(ctx, name);
      if (!info) return;
      this.backups.push({ name, role, tables: info.tables ?? undefined, rows: info.rows ?? undefined, bytes: info.size });
      if (path === undefined && !this.record.backupPath && name === INIT_BACKUP) this.record.backupPath = info.path;
    } catch (e) {
      this.io.debug(`Could not read the backup ${name} for the summary: ${errorMessage(e)}`);
    }
  }

  async finish(error: unknown): Promise<void> {
    const totalMs = Date.now() - this.started;
    setOutputs(this.io, this.record);
    const err = error === undefined ? undefined : error instanceof OlympiaError ? error : new OlympiaError(errorMessage(error), { cause: error });
    if (this.cache && err && this.cache.save === 'not-needed') this.cache.save = 'failed-run';
    if (err) this.phases.notReached();
    const markdown = renderSummary({
      command: this.command,
      ok: !err,
      error: err ? { message: err.message, hint: err.hint } : undefined,
      totalMs,
      phases: this.phases.list,
      cache: this.cache,
      migration: this.key ? { hash: this.key.hash, files: this.key.files.length } : undefined,
      backups: this.backups,
      loaded: this.record.loaded,
      seeded: this.record.seeded,
      indexed: this.record.indexed,
      artifactId: this.record.artifactId,
    });
    try {
      await this.io.writeSummary(markdown);
    } catch (e) {
      this.io.info(`No job summary was written: ${errorMessage(e)}`);
    }
    if (err) {
      if (!(error instanceof OlympiaError) && error instanceof Error && error.stack) this.io.debug(error.stack);
      // A problem in one of the user's files (a migration) is annotated on that file.
      const workspace = this.io.env.GITHUB_WORKSPACE || process.cwd();
      const location = err.location ? { file: relative(workspace, err.location.file).split(sep).join('/'), line: err.location.line } : undefined;
      this.io.setFailed(err.hint ? `${err.message}\nHint: ${err.hint}` : err.message, location);
    } else {
      const what = [this.record.loaded ? `loaded ${this.record.loaded}` : undefined, this.record.seeded ? 'seeded' : undefined, this.record.indexed ? 'indexed' : undefined]
        .filter(Boolean)
        .join(', ');
      this.io.info(`olympia-data ${this.command} done in ${(totalMs / 1000).toFixed(1)} s${what ? ` (${what})` : ''}; cache-hit=${this.record.cacheHit}.`);
    }
  }
}

/** One run of the action; never throws: a failure is an error annotation and a failed step. */
/** The post step (post-if: always()): stops the containers the main step started. Never fails the job. */
export async function postImpl(runtime: ActionRuntime): Promise<void> {
  const { io } = runtime;
  let names: string[] = [];
  try {
    const raw = io.getState(State.StartedContainers);
    names = raw ? (JSON.parse(raw) as unknown[]).filter((n): n is string => typeof n === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n)) : [];
  } catch {
    names = [];
  }
  if (names.length === 0) {
    io.info('olympia-data post: this job started no containers; nothing to stop.');
    return;
  }
  try {
    const removed = await runtime.engine.stopContainers(names, { info: io.info, warn: io.warning });
    io.info(`olympia-data post: stopped ${removed.length ? removed.join(', ') : 'nothing (they were gone already)'}.`);
  } catch (e) {
    io.warning(`olympia-data post: could not stop the containers this job started (${names.join(', ')}): ${errorMessage(e)}`);
  }
}

export async function runImpl(runtime: ActionRuntime = realRuntime()): Promise<void> {
  // The runner runs dist/index.js again after the job's steps (action.yml post:); the state tells them apart.
  if (runtime.io.getState(State.IsPost) === 'true') return postImpl(runtime);
  runtime.io.saveState(State.IsPost, 'true');
  const run = new ActionRun(runtime);
  let error: unknown;
  try {
    await run.execute();
  } catch (e) {
    error = e;
  }
  await run.finish(error);
}

/**
 * The entry point's call. With `earlyExit`, the process exits when the run is done: a timed-out cache
 * request cannot be cancelled and must not hold the job open (see src/action/cache.ts).
 */
export async function runAction(earlyExit: boolean): Promise<void> {
  await runImpl();
  if (earlyExit) process.exit();
}
