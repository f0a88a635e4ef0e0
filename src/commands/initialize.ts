// `olympia-data initialize` and `olympia-data seed`: probe, plan (pure), run the plan.
import { INIT_BACKUP } from '../core/backup-name.js';
import type { InitializeOptions } from '../core/flags.js';
import { type Plan, planInitialize, planSeed, type ProbedState } from '../core/initialize-plan.js';
import { acquireDatabaseLock } from '../mysql/advisory-lock.js';
import { connect } from '../mysql/connect.js';
import type { MysqlTarget } from '../mysql/connection-url.js';
import { type Context, requireTarget } from './context.js';
import { databaseExists, hasIndexing, indexExists } from './project-steps.js';
import { type PlanRunResult, runPlan } from './run-plan.js';

export interface InitializeResult extends PlanRunResult {
  plan: Plan;
  state: ProbedState;
}

async function probe(ctx: Context, target: MysqlTarget, options: InitializeOptions): Promise<ProbedState> {
  const db = await databaseExists(target);
  const indexing = hasIndexing(ctx);
  // Elasticsearch is only consulted when the index may be built: with --skip-index it may be down.
  const needsIndexProbe = indexing && !options.skipIndex;
  const existing = (await ctx.store.list()).map((b) => b.name);
  return {
    databaseExists: db.exists,
    hasTables: db.tables > 0,
    indexExists: needsIndexProbe ? await indexExists(ctx) : false,
    initBackupExists: existing.includes(INIT_BACKUP),
    loadBackupExists: options.load ? existing.includes(options.load) : undefined,
    existingBackups: existing,
    hasIndexDefinitions: indexing,
  };
}

/** Holds the initialize lock for the database while `fn` runs, so two runs never interleave. */
async function exclusive<T>(ctx: Context, target: MysqlTarget, fn: () => Promise<T>): Promise<T> {
  const conn = await connect(target, { database: null });
  try {
    const release = await acquireDatabaseLock(conn, target.database, { timeoutS: ctx.lockTimeoutS, reporter: ctx.reporter, purpose: 'initialize', lock: 'init' });
    try {
      return await fn();
    } finally {
      await release();
    }
  } finally {
    await conn.end().catch(() => undefined);
  }
}

export async function initialize(ctx: Context, options: InitializeOptions): Promise<InitializeResult> {
  const target = requireTarget(ctx);
  return exclusive(ctx, target, async () => {
    const state = await probe(ctx, target, options);
    const plan = planInitialize(options, state);
    const run = await runPlan(ctx, target, plan);
    return { ...run, plan, state };
  });
}

export async function seedCommand(ctx: Context, options: { skipIndex: boolean }): Promise<InitializeResult> {
  const target = requireTarget(ctx);
  return exclusive(ctx, target, async () => {
    const db = await databaseExists(target);
    const state: ProbedState = {
      databaseExists: db.exists,
      hasTables: db.tables > 0,
      indexExists: false,
      initBackupExists: await ctx.store.has(INIT_BACKUP),
      hasIndexDefinitions: hasIndexing(ctx),
    };
    const plan = planSeed(options, state);
    const run = await runPlan(ctx, target, plan);
    return { ...run, plan, state };
  });
}
