// `olympia-data initialize` and `olympia-data seed`: probe, plan (pure), run the plan.
import { integrityError, verifyBackup } from '../backup/verify.js';
import { INIT_BACKUP, type BackupName } from '../core/backup-name.js';
import { NotFoundError } from '../core/errors.js';
import type { InitializeOptions } from '../core/flags.js';
import { type Plan, planInitialize, planSeed, type ProbedState, type SeedOptions } from '../core/initialize-plan.js';
import { acquireDatabaseLock } from '../mysql/advisory-lock.js';
import { recoverInterruptedLoad } from '../load/swap-journal.js';
import { dropLeftoverLoadAccounts } from '../load/confinement.js';
import type { Connection } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { type Context, requireTarget } from './context.js';
import { databaseExists, hasIndexing, hasSeed, indexExists, noSeedError, probeDataState } from './project-steps.js';
import { compareMigrations, type MigrationFreshness, migrationHash } from '../core/migration-hash.js';
import { expandGlobs } from '../core/glob.js';
import { type PlanRunResult, runPlan } from './run-plan.js';

export interface InitializeResult extends PlanRunResult {
  plan: Plan;
  state: ProbedState;
}

export interface RunCallbacks {
  /** Called with the plan once it is made, before any step runs (e.g. to print it). */
  onPlan?: (plan: Plan, state: ProbedState) => void;
}

/** A backup that exists counts only if its manifest is readable; a damaged manifest is an error now, not mid-plan. */
async function backupUsable(ctx: Context, name: BackupName): Promise<boolean> {
  try {
    await ctx.store.find(name);
    return true;
  } catch (e) {
    if (e instanceof NotFoundError) return false;
    throw e;
  }
}

/** Whether `_init` was dumped from the checkout's migration and seed files, older ones, or changed ones. */
async function initFreshness(ctx: Context): Promise<MigrationFreshness> {
  const manifest = (await ctx.store.find(INIT_BACKUP)).manifest;
  if (!manifest?.migrationHash) return 'unknown';
  const current = await migrationHash(ctx.config.projectDir, ctx.config.hashGlobs);
  if (manifest.migrationHash === current.hash) return 'current';
  const seedFiles = new Set(await expandGlobs(ctx.config.projectDir, ctx.config.seed.files));
  return compareMigrations(manifest.migrationFiles, current.fileHashes, (path) => seedFiles.has(path));
}

async function probe(ctx: Context, target: MysqlTarget, options: InitializeOptions): Promise<ProbedState> {
  const db = await databaseExists(ctx, target);
  const indexing = hasIndexing(ctx);
  // Elasticsearch is only consulted when the index may be built: with --skip-index it may be down.
  const needsIndexProbe = indexing && !options.skipIndex;
  const existing = (await ctx.store.names()).map((b) => b.name);
  const initExists = existing.includes(INIT_BACKUP) && (await backupUsable(ctx, INIT_BACKUP));
  const data = await probeDataState(ctx, target);
  return {
    seedUnfinished: data.seedUnfinishedSince !== undefined,
    indexBehind: data.indexBehind,
    initFreshness: initExists ? await initFreshness(ctx) : undefined,
    databaseExists: db.exists,
    hasTables: db.tables > 0,
    indexExists: needsIndexProbe ? await indexExists(ctx) : false,
    initBackupExists: initExists,
    loadBackupExists: options.load ? existing.includes(options.load) && (await backupUsable(ctx, options.load)) : undefined,
    existingBackups: existing,
    hasIndexDefinitions: indexing,
  };
}

/**
 * When the plan drops the database before loading a backup, the backup's files are checked first: a
 * damaged backup must fail before the user's data is gone, not after. (Without clean the load is
 * staged and swapped atomically, so it protects the data by itself.)
 */
async function checkBackupBeforeClean(ctx: Context, plan: Plan): Promise<void> {
  const clean = plan.findIndex((s) => s.kind === 'clean');
  const load = plan.find((s) => s.kind === 'load');
  if (clean < 0 || !load || load.kind !== 'load') return;
  const backup = await ctx.store.find(load.name);
  if (!backup.manifest) return; // an addons-server backup has no checksums to check
  const result = await verifyBackup(backup.path, backup.manifest, ctx.jobs);
  if (result.problems.length) throw integrityError(load.name, result);
}

/**
 * Holds the initialize lock for the database while `fn` runs, so two runs never interleave; a load
 * that was killed midway is finished or undone first, so `fn` sees whole data.
 */
export async function withInitializeLock<T>(ctx: Context, target: MysqlTarget, purpose: string, fn: (locked: Connection) => Promise<T>): Promise<T> {
  const conn = await ctx.clients.mysql(target, { database: null });
  try {
    const release = await acquireDatabaseLock(conn, target.database, { timeoutS: ctx.lockTimeoutS, reporter: ctx.reporter, purpose });
    try {
      await recoverInterruptedLoad(conn, target, { reporter: ctx.reporter, lockTimeoutS: ctx.lockTimeoutS, lockHeld: true });
      // A killed load's account: under the lock, no load of this database is running.
      await dropLeftoverLoadAccounts(conn, target.database).catch(() => undefined);
      return await fn(conn);
    } finally {
      await release();
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Running without a config file is allowed (hooks can come from flags) but never silent. */
function warnWithoutConfig(ctx: Context): void {
  if (!ctx.config.file) ctx.reporter.warn(`No olympia-data.json in ${ctx.config.projectDir}: no migrations, seed or index are configured except by flags.`);
}

export async function initialize(ctx: Context, options: InitializeOptions, callbacks: RunCallbacks = {}): Promise<InitializeResult> {
  const target = requireTarget(ctx);
  warnWithoutConfig(ctx);
  return withInitializeLock(ctx, target, 'initialize', async (locked) => {
    const state = await probe(ctx, target, options);
    const plan = planInitialize(options, state);
    // Before anything runs: a seed the project cannot do must not leave a created or cleaned database behind.
    if (plan.some((s) => s.kind === 'seed') && !hasSeed(ctx)) throw noSeedError(ctx);
    await checkBackupBeforeClean(ctx, plan);
    callbacks.onPlan?.(plan, state);
    const run = await runPlan(ctx, target, plan, locked);
    return { ...run, plan, state };
  });
}

export async function seedCommand(ctx: Context, options: SeedOptions, callbacks: RunCallbacks = {}): Promise<InitializeResult> {
  const target = requireTarget(ctx);
  warnWithoutConfig(ctx);
  // Before the flush: a project that cannot seed keeps its data.
  if (!hasSeed(ctx)) throw noSeedError(ctx);
  return withInitializeLock(ctx, target, 'seed', async (locked) => {
    const db = await databaseExists(ctx, target);
    const indexing = hasIndexing(ctx);
    const state: ProbedState = {
      databaseExists: db.exists,
      hasTables: db.tables > 0,
      // Probed only so that an unreachable Elasticsearch fails the run before the database is flushed.
      indexExists: indexing && !options.skipIndex ? await indexExists(ctx) : false,
      initBackupExists: await ctx.store.has(INIT_BACKUP),
      hasIndexDefinitions: indexing,
    };
    const plan = planSeed(options, state);
    callbacks.onPlan?.(plan, state);
    const run = await runPlan(ctx, target, plan, locked);
    return { ...run, plan, state };
  });
}
