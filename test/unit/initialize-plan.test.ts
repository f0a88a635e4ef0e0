import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBackupName, type BackupName } from '../../src/core/backup-name.js';
import { NotFoundError } from '../../src/core/errors.js';
import type { InitializeOptions } from '../../src/core/flags.js';
import { describePlan, missingBackupError, planInitialize, planSeed, type Plan, type PlanStep, type ProbedState } from '../../src/core/initialize-plan.js';

const NAME = parseBackupName('before-upgrade');
const bools = [false, true];

/** A compact spelling of a plan: kinds, with the backup name for load/dump and the step for skips. */
function spell(plan: Plan): string[] {
  return plan.map((s) => (s.kind === 'skip' ? `skip:${s.step}` : s.kind === 'load' || s.kind === 'dump-init' || s.kind === 'remove-init' ? `${s.kind} ${s.name}` : s.kind));
}

const find = <K extends PlanStep['kind']>(plan: Plan, kind: K) => plan.filter((s): s is Extract<PlanStep, { kind: K }> => s.kind === kind);
const skipped = (plan: Plan, step: string) => plan.some((s) => s.kind === 'skip' && s.step === step);

type LoadCase = 'none' | 'existing' | 'missing';

function* optionCombos(): Generator<{ options: InitializeOptions; loadCase: LoadCase }> {
  for (const clean of bools)
    for (const loadCase of ['none', 'existing', 'missing'] as LoadCase[])
      for (const skipSeed of bools)
        for (const skipIndex of bools) {
          yield { options: { clean, skipSeed, skipIndex, ...(loadCase === 'none' ? {} : { load: NAME }) }, loadCase };
        }
}

function* stateCombos(loadCase: LoadCase): Generator<ProbedState> {
  for (const databaseExists of bools)
    for (const hasTables of bools)
      for (const indexExists of bools)
        for (const initBackupExists of bools)
          for (const hasIndexDefinitions of bools) {
            yield {
              databaseExists,
              hasTables,
              indexExists,
              initBackupExists,
              hasIndexDefinitions,
              ...(loadCase === 'none' ? {} : { loadBackupExists: loadCase === 'existing', existingBackups: ['_init', '2026-01-01'] }),
            };
          }
}

const CANONICAL_ORDER = ['clean', 'create-database', 'load', 'migrate', 'seed', 'dump-init', 'index'];

function checkInvariants(options: InitializeOptions, state: ProbedState, plan: Plan): void {
  const kinds = plan.filter((s) => s.kind !== 'skip').map((s) => s.kind);
  const positions = kinds.map((k) => CANONICAL_ORDER.indexOf(k));
  assert.ok(
    positions.every((p) => p >= 0),
    `only initialize steps: ${kinds}`,
  );
  assert.ok(
    positions.every((p, i) => i === 0 || p > positions[i - 1]),
    `steps in order, each at most once: ${kinds}`,
  );
  assert.equal(find(plan, 'migrate').length, 1, 'migrate exactly once');
  for (const s of plan) assert.ok(s.reason.length > 0, `${s.kind} has a reason`);

  const empty = options.clean || !state.databaseExists || !state.hasTables;
  assert.equal(find(plan, 'clean').length, options.clean ? 1 : 0, 'clean iff asked');
  for (const c of find(plan, 'clean')) assert.equal(c.dropIndices, !options.skipIndex && state.hasIndexDefinitions, 'indices dropped unless skip-index or none defined');
  assert.equal(find(plan, 'create-database').length, !options.clean && !state.databaseExists ? 1 : 0, 'create iff missing and not cleaned');

  const expectedLoad = options.load ?? (empty && state.initBackupExists ? '_init' : undefined);
  assert.deepEqual(
    find(plan, 'load').map((s) => s.name),
    expectedLoad ? [expectedLoad] : [],
    'load the requested backup, or _init into an empty database',
  );
  const seeds = !options.load && empty && !state.initBackupExists && !options.skipSeed;
  assert.equal(find(plan, 'seed').length, seeds ? 1 : 0, 'seed iff empty, no _init, no load, no skip-seed');
  if (options.skipSeed) assert.equal(find(plan, 'seed').length, 0, 'never seed with skip-seed');
  assert.equal(find(plan, 'dump-init').length, seeds ? 1 : 0, 'dump-init iff seed');
  if (seeds) {
    const at = kinds.indexOf('seed');
    assert.equal(kinds[at + 1], 'dump-init', 'dump-init right after seed');
    assert.equal(find(plan, 'dump-init')[0].name, '_init');
  }
  // Exactly one account of where the data came from.
  const accounts = [find(plan, 'load').length, find(plan, 'seed').length, skipped(plan, 'load') ? 1 : 0, skipped(plan, 'seed') ? 1 : 0];
  assert.equal(
    accounts.reduce((a, b) => a + b),
    1,
    `one data outcome: ${spell(plan)}`,
  );
  assert.equal(skipped(plan, 'load'), !options.load && !empty, 'load skipped iff the database holds data');
  assert.equal(skipped(plan, 'seed'), !options.load && empty && !state.initBackupExists && options.skipSeed, 'seed skipped iff needed but skip-seed');

  const dataChanged = expectedLoad !== undefined || seeds;
  const indexes = !options.skipIndex && state.hasIndexDefinitions && (!state.indexExists || options.clean || dataChanged);
  assert.equal(find(plan, 'index').length, indexes ? 1 : 0, 'index iff not skipped, defined, and missing or data changed');
  assert.equal(skipped(plan, 'index'), !indexes, 'a skipped index says why');
  assert.equal(plan[plan.length - 1].kind === 'index' || skipped(plan, 'index'), true);

  const lines = describePlan(plan);
  assert.equal(lines.length, plan.length, 'one line per step');
  lines.forEach((line, i) => assert.ok(line.includes(plan[i].reason), `line says why: ${line}`));
}

describe('planInitialize: invariants over every combination', () => {
  for (const { options, loadCase } of optionCombos()) {
    const label = `clean=${options.clean} load=${loadCase} skipSeed=${options.skipSeed} skipIndex=${options.skipIndex}`;
    test(label, () => {
      for (const state of stateCombos(loadCase)) {
        if (loadCase === 'missing') {
          // Never a load of a missing backup: no plan at all, so nothing is changed.
          assert.throws(
            () => planInitialize(options, state),
            (e: unknown) => e instanceof NotFoundError && e.message.includes('"before-upgrade"') && (e.hint ?? '').includes('"2026-01-01"'),
            JSON.stringify(state),
          );
          continue;
        }
        try {
          checkInvariants(options, state, planInitialize(options, state));
        } catch (e) {
          (e as Error).message += `\n  state: ${JSON.stringify(state)}`;
          throw e;
        }
      }
    });
  }
});

const base: ProbedState = { databaseExists: true, hasTables: true, indexExists: true, initBackupExists: true, hasIndexDefinitions: true };
const noOptions: InitializeOptions = { clean: false, skipSeed: false, skipIndex: false };
const fresh: ProbedState = { ...base, databaseExists: false, hasTables: false, indexExists: false };

const scenarios: { name: string; options?: Partial<InitializeOptions>; state: Partial<ProbedState>; plan: string[] }[] = [
  { name: 'fresh CI database with a cached _init', state: { ...fresh }, plan: ['create-database', 'load _init', 'migrate', 'index'] },
  { name: 'fresh database without _init', state: { ...fresh, initBackupExists: false }, plan: ['create-database', 'migrate', 'seed', 'dump-init _init', 'index'] },
  { name: 'existing database without tables, _init cached', state: { hasTables: false, indexExists: false }, plan: ['load _init', 'migrate', 'index'] },
  { name: 'existing data, index present', state: {}, plan: ['skip:load', 'migrate', 'skip:index'] },
  { name: 'existing data, index missing', state: { indexExists: false }, plan: ['skip:load', 'migrate', 'index'] },
  { name: 'existing data and no _init: nothing seeded', state: { initBackupExists: false }, plan: ['skip:load', 'migrate', 'skip:index'] },
  { name: 'clean with _init', options: { clean: true }, state: {}, plan: ['clean', 'load _init', 'migrate', 'index'] },
  { name: 'clean without _init', options: { clean: true }, state: { initBackupExists: false }, plan: ['clean', 'migrate', 'seed', 'dump-init _init', 'index'] },
  { name: 'clean of a database that does not exist yet', options: { clean: true }, state: { ...fresh }, plan: ['clean', 'load _init', 'migrate', 'index'] },
  {
    name: 'skip-seed without _init, index present',
    options: { skipSeed: true },
    state: { hasTables: false, initBackupExists: false },
    plan: ['migrate', 'skip:seed', 'skip:index'],
  },
  {
    name: 'skip-seed without _init on a fresh database: migrate, build the missing index',
    options: { skipSeed: true },
    state: { ...fresh, initBackupExists: false },
    plan: ['create-database', 'migrate', 'skip:seed', 'index'],
  },
  {
    name: 'skip-seed and skip-index without _init: migrate only',
    options: { skipSeed: true, skipIndex: true },
    state: { ...fresh, initBackupExists: false },
    plan: ['create-database', 'migrate', 'skip:seed', 'skip:index'],
  },
  { name: 'skip-seed is moot when _init exists', options: { skipSeed: true }, state: { ...fresh }, plan: ['create-database', 'load _init', 'migrate', 'index'] },
  {
    name: 'clean, skip-seed, no _init: the cleaned index is rebuilt empty',
    options: { clean: true, skipSeed: true },
    state: { initBackupExists: false },
    plan: ['clean', 'migrate', 'skip:seed', 'index'],
  },
  { name: 'load over existing data', options: { load: NAME }, state: { loadBackupExists: true }, plan: ['load before-upgrade', 'migrate', 'index'] },
  {
    name: 'load into a fresh database without _init',
    options: { load: NAME },
    state: { ...fresh, initBackupExists: false, loadBackupExists: true },
    plan: ['create-database', 'load before-upgrade', 'migrate', 'index'],
  },
  { name: 'clean then load', options: { clean: true, load: NAME }, state: { loadBackupExists: true }, plan: ['clean', 'load before-upgrade', 'migrate', 'index'] },
  { name: 'explicit load of _init', options: { load: '_init' as BackupName }, state: { loadBackupExists: true }, plan: ['load _init', 'migrate', 'index'] },
  { name: 'skip-index after a load', options: { skipIndex: true }, state: { ...fresh }, plan: ['create-database', 'load _init', 'migrate', 'skip:index'] },
  { name: 'project without index definitions', state: { ...fresh, hasIndexDefinitions: false }, plan: ['create-database', 'load _init', 'migrate', 'skip:index'] },
];

describe('planInitialize: named scenarios', () => {
  for (const s of scenarios) {
    test(s.name, () => {
      const plan = planInitialize({ ...noOptions, ...s.options }, { ...base, ...s.state });
      assert.deepEqual(spell(plan), s.plan);
    });
  }

  test('clean with skip-index leaves Elasticsearch alone', () => {
    const plan = planInitialize({ ...noOptions, clean: true, skipIndex: true }, base);
    const clean = plan[0];
    assert.equal(clean.kind, 'clean');
    assert.equal(clean.kind === 'clean' && clean.dropIndices, false);
    assert.match(describePlan(plan)[0], /indices are left alone because skip-index was given/);
  });

  test('the summary lines say what was not done and why', () => {
    assert.deepEqual(describePlan(planInitialize({ ...noOptions, skipIndex: true }, base)), [
      'Nothing loaded (the database already holds data; clean or load NAME replaces it)',
      'Run migrations (migrations always run; applied ones are skipped)',
      'Index not built (skip-index was given)',
    ]);
    assert.deepEqual(describePlan(planInitialize({ ...noOptions, skipSeed: true }, { ...fresh, initBackupExists: false, hasIndexDefinitions: false })), [
      'Create the database (the database did not exist)',
      'Run migrations (migrations always run; applied ones are skipped)',
      'Not seeded (the database was empty and "_init" does not exist, but skip-seed was given: the database is only migrated)',
      'Index not built (the project defines no index command or definitions)',
    ]);
  });

  test('a load of a missing backup names it and lists what exists', () => {
    const options = { ...noOptions, load: parseBackupName('nope') };
    assert.throws(() => planInitialize(options, { ...base, loadBackupExists: false, existingBackups: ['_init', 'a'] }), {
      name: 'NotFoundError',
      message: 'There is no backup named "nope"; nothing was changed.',
      hint: 'Existing backups: "_init", "a".',
    });
    assert.throws(() => planInitialize(options, { ...base, loadBackupExists: false }), { hint: /no backups yet/ });
  });

  test('a long backup list is cut short', () => {
    const names = Array.from({ length: 25 }, (_, i) => `b${i}`);
    const hint = missingBackupError('x', names).hint ?? '';
    assert.ok(hint.includes('"b19"') && !hint.includes('"b20"') && hint.includes('and 5 more'), hint);
  });
});

describe('planSeed', () => {
  const seedState = { databaseExists: true, initBackupExists: true, hasIndexDefinitions: true };
  test('existing database with _init: flush, remove _init, migrate, seed, dump, index', () => {
    assert.deepEqual(spell(planSeed({ skipIndex: false }, seedState)), ['flush', 'remove-init _init', 'migrate', 'seed', 'dump-init _init', 'index']);
  });
  test('missing database and no _init: create instead of flush, nothing to remove', () => {
    assert.deepEqual(spell(planSeed({ skipIndex: false }, { ...seedState, databaseExists: false, initBackupExists: false })), [
      'create-database',
      'migrate',
      'seed',
      'dump-init _init',
      'index',
    ]);
  });
  test('skip-index and missing definitions skip the index with a reason', () => {
    assert.deepEqual(describePlan(planSeed({ skipIndex: true }, seedState)).at(-1), 'Index not built (skip-index was given)');
    assert.deepEqual(spell(planSeed({ skipIndex: false }, { ...seedState, hasIndexDefinitions: false })).at(-1), 'skip:index');
  });
});
