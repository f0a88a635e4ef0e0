// A fake ActionRuntime for unit tests of the action's decisions: the runner, the cache and artifact
// services and the engine's commands are in-memory stand-ins that record every call. (The real ones are
// exercised end to end by test/action/, which runs dist/ against services.)
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionRuntime } from '../../src/action/runtime.js';
import type { RestoreResult, SaveResult } from '../../src/action/cache-types.js';
import type { InitializeResult } from '../../src/commands/initialize.js';
import type { ListedBackup } from '../../src/commands/list.js';
import type { StepResult } from '../../src/commands/run-plan.js';
import { OlympiaError } from '../../src/core/errors.js';

export interface FakeScript {
  inputs?: Record<string, string>;
  restore?: RestoreResult;
  save?: SaveResult;
  /** What the engine's initialize/seed does: which backup it loads, whether it seeds, or the error it fails with. */
  engine?: { loaded?: string; seeded?: boolean; failAt?: string; hint?: string; refreshed?: boolean; failIn?: string };
  /** Containers servicesUp reports as started by this job. */
  started?: string[];
  /** State handed over from a main step (for a post run). */
  state?: Record<string, string>;
  /** Backups present before the run, by name → the migration hash in their manifest. */
  backups?: Record<string, string | null>;
}

export interface FakeRun {
  runtime: ActionRuntime;
  workspace: string;
  calls: string[];
  outputs: Record<string, string>;
  log: string[];
  secrets: string[];
  summary: string;
  failed?: string;
  state: Record<string, string>;
  failedAt?: { file: string; line?: number };
  backups: Map<string, string | null>;
}

function step(kind: StepResult['kind'], title: string, status: StepResult['status'], detail: string): StepResult {
  return { kind, title, status, reason: detail, detail, durationMs: status === 'done' ? 5 : 0 };
}

export async function fakeRun(script: FakeScript = {}): Promise<FakeRun> {
  const workspace = await mkdtemp(join(tmpdir(), 'olympia-fake-action-'));
  await mkdir(join(workspace, 'migrations'));
  await writeFile(join(workspace, 'migrations', '0001_initial.sql'), 'CREATE TABLE t (id int);\n');
  await writeFile(join(workspace, 'olympia-data.json'), JSON.stringify({ migrate: { dir: 'migrations' } }));
  const backups = new Map<string, string | null>(Object.entries(script.backups ?? {}));
  const inputs = { 'database-url': 'mysql://app:s3cret-pw@127.0.0.1:3306/app', services: 'external', ...script.inputs };
  const run: FakeRun = {
    runtime: undefined as unknown as ActionRuntime,
    workspace,
    calls: [],
    outputs: {},
    log: [],
    secrets: [],
    summary: '',
    backups,
    state: { ...script.state },
  };
  const listed = (name: string): ListedBackup & { path: string } => ({
    name,
    kind: 'olympia-data',
    created: '',
    size: 1000,
    tables: 3,
    rows: 10,
    valid: true,
    migrationHash: backups.get(name) ?? null,
    current: false,
    path: join(workspace, 'backups', name),
  });
  const engineResult = (which: 'initialize' | 'seed', currentHash: () => string): InitializeResult => {
    const e = script.engine ?? {};
    const steps: StepResult[] = [];
    let error: OlympiaError | undefined;
    const loaded = which === 'initialize' ? e.loaded : undefined;
    const seeded = which === 'seed' || (e.seeded ?? !loaded);
    if (loaded) steps.push(step('load', `Load "${loaded}"`, 'done', 'loaded'));
    if (loaded && e.refreshed) {
      steps.push(step('dump-init', 'Dump the migrated data as "_init"', 'done', 'dumped'));
      backups.set('_init', currentHash());
    }
    if (e.failAt) {
      error = new OlympiaError(`${e.failAt} failed`, { hint: e.hint, location: e.failIn ? { file: join(workspace, e.failIn), line: 3 } : undefined });
      steps.push(step('seed', e.failAt, 'failed', error.message), step('dump-init', 'Dump the seeded data as "_init"', 'not-run', 'not run: an earlier step failed'));
    } else if (seeded) {
      steps.push(step('seed', 'Run the seed', 'done', 'seeded'), step('dump-init', 'Dump the seeded data as "_init"', 'done', 'dumped'));
      backups.set('_init', currentHash());
    }
    return { steps, loaded, seeded: seeded && !error, indexed: false, durationMs: 10, error, plan: [], state: {} as InitializeResult['state'] };
  };
  let hashNow = '';
  run.runtime = {
    io: {
      getInput: (name) => inputs[name as keyof typeof inputs] ?? '',
      getMultilineInput: (name) => (inputs[name as keyof typeof inputs] ?? '').split('\n').filter(Boolean),
      setSecret: (v) => void run.secrets.push(v),
      setOutput: (name, value) => void (run.outputs[name] = value),
      saveState: (name, value) => void (run.state[name] = value),
      getState: (name) => run.state[name] ?? '',
      info: (m) => void run.log.push(m),
      warning: (m) => void run.log.push(`warning: ${m}`),
      debug: () => undefined,
      startGroup: (t) => void run.log.push(`::group::${t}`),
      endGroup: () => undefined,
      writeSummary: async (md) => void (run.summary = md),
      setFailed: (m, location) => {
        run.failed = m;
        run.failedAt = location;
      },
      env: { GITHUB_WORKSPACE: workspace },
    },
    cache: {
      restore: async (_paths, key, restoreKeys, options) => {
        run.calls.push(`restore ${key}${restoreKeys.length ? ` [${restoreKeys.join(',')}]` : ''}`);
        hashNow = key.slice(key.lastIndexOf('-') + 1);
        const r = script.restore ?? { hit: 'miss' };
        if (r.hit === 'exact' || r.hit === 'partial') backups.set('_init', r.hit === 'exact' ? hashNow : 'older');
        return r;
      },
      save: async (_paths, key, options) => {
        run.calls.push(`save ${key}${options?.knownAbsent ? ' (no lookup)' : ''}`);
        return script.save ?? { saved: true, cacheId: 1 };
      },
    },
    artifacts: {
      download: async (name) => {
        run.calls.push(`download ${name}`);
        backups.set(name, null);
        return join(workspace, 'backups', name);
      },
      publish: async (dir, name) => {
        run.calls.push(`publish ${name}`);
        return { id: 42, size: 1000 };
      },
    },
    engine: {
      servicesUp: async (ctx, request) => {
        run.calls.push(`services ${request.provider}`);
        return { databaseUrl: ctx.databaseUrl!, started: script.started };
      },
      serverVersion: async () => '10.11.6-MariaDB-0+deb12u1',
      stopContainers: async (names) => {
        run.calls.push(`stop ${names.join(',')}`);
        return [...names];
      },
      initialize: async (ctx, options) => {
        run.calls.push(`initialize${options.load ? ` load=${options.load}` : ''}`);
        hashNow ||= (await import('../../src/core/migration-hash.js').then((m) => m.migrationHash(ctx.config.projectDir, ctx.config.hashGlobs))).hash;
        return engineResult('initialize', () => hashNow);
      },
      seed: async (ctx) => {
        run.calls.push('seed');
        hashNow ||= (await import('../../src/core/migration-hash.js').then((m) => m.migrationHash(ctx.config.projectDir, ctx.config.hashGlobs))).hash;
        return engineResult('seed', () => hashNow);
      },
      dump: async (_ctx, request) => {
        run.calls.push(`dump ${request.name}${request.migration ? ` hash=${request.migration.hash.slice(0, 8)}` : ''}`);
        backups.set(request.name!, request.migration?.hash ?? null);
        return { name: request.name!, path: join(workspace, 'backups', request.name!), tables: 3, rows: 10, bytes: 1000, durationMs: 5, manifest: {} as never };
      },
      load: async (_ctx, request) => {
        run.calls.push(`load ${request.name}`);
        return {
          name: request.name,
          kind: 'olympia-data',
          tables: 3,
          rows: 10,
          bytes: 1000,
          durationMs: 5,
          storageFiles: 0,
          confinement: 'account',
          connections: 1,
          indexed: false,
        };
      },
      findBackup: async (_ctx, name) => (backups.has(name) ? listed(name) : undefined),
    },
  };
  return run;
}
