// Executes an initialize/seed plan step by step, recording each step's outcome and duration.
// A failing step stops the run; the result lists every planned step, also those it never ran
// (kysely-migrator style).
import { errorMessage, OlympiaError } from '../core/errors.js';
import { NOT_RUN_REASON, type StepRecord } from '../core/steps.js';
import { type Plan, type PlanStep, stepTitle } from '../core/initialize-plan.js';
import { type MigrationHash, migrationHash } from '../core/migration-hash.js';
import { formatBytes } from '../core/format.js';
import type { MysqlTarget } from '../core/connection-url.js';
import type { Connection } from '../mysql/connect.js';
import type { Context } from './context.js';
import { dumpBackup } from './dump.js';
import { loadBackup } from './load.js';
import * as steps from './project-steps.js';

export interface StepResult extends StepRecord {
  kind: PlanStep['kind'] | `skip:${string}`;
  /** Why the plan has this step (or skips it). */
  reason: string;
  error?: string;
}

export interface PlanRunResult {
  steps: StepResult[];
  loaded?: string;
  seeded: boolean;
  indexed: boolean;
  durationMs: number;
  error?: OlympiaError;
}

async function runStep(ctx: Context, target: MysqlTarget, step: PlanStep, hash: () => Promise<MigrationHash>, locked: Connection): Promise<{ detail?: string; rows?: number }> {
  switch (step.kind) {
    case 'skip':
      return {};
    case 'clean': {
      await steps.noteDataChange(ctx, target);
      await steps.createDatabase(ctx, target, { recreate: true });
      const removed = step.dropIndices ? await steps.dropIndices(ctx) : [];
      return { detail: `database recreated${removed.length ? `; removed indices ${removed.join(', ')}` : ''}` };
    }
    case 'create-database':
    case 'flush':
      await steps.noteDataChange(ctx, target);
      await steps.createDatabase(ctx, target, { recreate: step.kind === 'flush' });
      return { detail: step.kind === 'flush' ? 'all tables dropped' : `created ${target.database}` };
    case 'remove-init':
      await ctx.store.remove(step.name);
      return { detail: `removed ${step.name}` };
    case 'load': {
      // Plans run under the database's lock (commands/initialize.ts withInitializeLock), held on `locked`.
      const r = await loadBackup(ctx, { name: step.name, lockedConnection: locked });
      return { detail: `${r.tables} tables, ${r.rows.toLocaleString('en-US')} rows`, rows: r.rows };
    }
    case 'migrate':
      return steps.migrate(ctx, target);
    case 'seed':
      return steps.seed(ctx, target);
    case 'dump-init': {
      const r = await dumpBackup(ctx, { name: step.name, force: true, migration: await hash() });
      return { detail: `${r.tables} tables, ${r.rows.toLocaleString('en-US')} rows, ${formatBytes(r.bytes)}`, rows: r.rows };
    }
    case 'index':
      return steps.index(ctx, target);
  }
}

/** Runs `plan` under the database's lock, which `locked` holds. */
export async function runPlan(ctx: Context, target: MysqlTarget, plan: Plan, locked: Connection): Promise<PlanRunResult> {
  const started = Date.now();
  const results: StepResult[] = [];
  let cachedHash: MigrationHash | undefined;
  const hash = async () => (cachedHash ??= await migrationHash(ctx.config.projectDir, ctx.config.hashGlobs));
  const out: PlanRunResult = { steps: results, seeded: false, indexed: false, durationMs: 0 };
  for (const step of plan) {
    const title = stepTitle(step);
    const kind = step.kind === 'skip' ? (`skip:${step.step}` as const) : step.kind;
    if (step.kind === 'skip') {
      results.push({ kind, title, status: 'skipped', reason: step.reason, detail: step.reason, durationMs: 0 });
      continue;
    }
    if (out.error) {
      results.push({ kind, title, status: 'not-run', reason: step.reason, detail: NOT_RUN_REASON, durationMs: 0 });
      continue;
    }
    const t0 = Date.now();
    const end = ctx.reporter.step?.(title);
    try {
      const r = await runStep(ctx, target, step, hash, locked);
      results.push({ kind, title, status: 'done', reason: step.reason, durationMs: Date.now() - t0, ...r, detail: r.detail ?? step.reason });
      if (step.kind === 'load') out.loaded = step.name;
      if (step.kind === 'seed') out.seeded = true;
      if (step.kind === 'index') out.indexed = true;
    } catch (e) {
      const error = e instanceof OlympiaError ? e : new OlympiaError(errorMessage(e), { cause: e });
      results.push({ kind, title, status: 'failed', reason: step.reason, durationMs: Date.now() - t0, detail: error.message, error: error.message });
      out.error = error;
    } finally {
      end?.();
    }
  }
  out.durationMs = Date.now() - started;
  return out;
}
