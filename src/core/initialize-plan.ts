// The decision tables of `initialize` and `seed` (docs/internals.md, "initialize, as a decision table"):
// pure functions from (options, probed state) to an ordered plan of typed steps. No I/O; the executor
// runs the steps in order and reports each one, and `skip` records say what was not done and why.
import { INIT_BACKUP, type BackupName } from './backup-name.js';
import { NotFoundError } from './errors.js';
import type { InitializeOptions } from './flags.js';
import type { MigrationFreshness } from './migration-hash.js';

/** What the executor found before planning. Nothing here is trusted to be consistent: a missing database counts as empty. */
export interface ProbedState {
  databaseExists: boolean;
  /** The database holds the application's tables. */
  hasTables: boolean;
  /** Every project alias exists. */
  indexExists: boolean;
  initBackupExists: boolean;
  /** Whether `options.load` exists; must be probed when a load is requested. */
  loadBackupExists?: boolean;
  /** Existing backup names, only for the message when `options.load` is missing. */
  existingBackups?: readonly string[];
  /** The project has native index definitions or an index command. */
  hasIndexDefinitions: boolean;
  /** A seed began and never finished: the tables hold a partial seed. */
  seedUnfinished?: boolean;
  /** The data changed (a load, seed or clean) since the index was last built. */
  indexBehind?: boolean;
  /** How `_init` relates to the checkout's migration and seed files (core/migration-hash.ts). */
  initFreshness?: MigrationFreshness;
}

export type ActionStep =
  /** Drop and recreate the database; also the project's indices when `dropIndices` (not with skip-index, so Elasticsearch is never touched then). */
  | { kind: 'clean'; dropIndices: boolean; reason: string }
  | { kind: 'create-database'; reason: string }
  /** Drop every table of the database (seed starts from nothing). */
  | { kind: 'flush'; reason: string }
  | { kind: 'remove-init'; name: BackupName; reason: string }
  | { kind: 'load'; name: BackupName; reason: string }
  | { kind: 'migrate'; reason: string }
  | { kind: 'seed'; reason: string }
  /** `of`: what the dumped data is (freshly seeded, or an older `_init` brought up to date). */
  | { kind: 'dump-init'; name: BackupName; of: 'seed' | 'migrated'; reason: string }
  | { kind: 'index'; reason: string };

export type StepKind = ActionStep['kind'];
export type SkippableStep = 'load' | 'seed' | 'index';
/** A step deliberately not done, so the summary can say why. */
export interface SkipStep {
  kind: 'skip';
  step: SkippableStep;
  reason: string;
}
export type PlanStep = ActionStep | SkipStep;
/** Steps in execution order. */
export type Plan = readonly PlanStep[];

/** Where the data comes from: a backup, the seed, or nowhere (a skip record says why). */
type DataSource = { from: 'backup'; name: BackupName; reason: string; refresh?: string } | { from: 'seed'; reason: string } | { from: 'nothing'; skip: SkipStep };

const skip = (step: SkippableStep, reason: string): SkipStep => ({ kind: 'skip', step, reason });

/** The error for `load NAME` of a backup that does not exist, listing the ones that do. */
export function missingBackupError(name: string, existing: readonly string[]): NotFoundError {
  const shown = existing.slice(0, 20).map((n) => JSON.stringify(n));
  if (existing.length > shown.length) shown.push(`and ${existing.length - shown.length} more`);
  const hint = existing.length === 0 ? 'There are no backups yet: "olympia-data dump --name NAME" makes one.' : `Existing backups: ${shown.join(', ')}.`;
  return new NotFoundError(`There is no backup named ${JSON.stringify(name)}; nothing was changed.`, hint);
}

/** A seed that began and never finished left tables behind; clean drops them anyway. */
function partialSeed(options: InitializeOptions, state: ProbedState): boolean {
  return Boolean(state.seedUnfinished) && state.databaseExists && !options.clean;
}

function chooseData(options: InitializeOptions, state: ProbedState): DataSource {
  if (options.load !== undefined) {
    if (state.loadBackupExists === undefined) throw new Error('planInitialize: loadBackupExists must be probed when a load is requested.');
    if (!state.loadBackupExists) throw missingBackupError(options.load, state.existingBackups ?? []);
    return { from: 'backup', name: options.load, reason: `load ${JSON.stringify(options.load)} was requested` };
  }
  const empty = options.clean || !state.databaseExists || !state.hasTables || partialSeed(options, state);
  if (!empty) return { from: 'nothing', skip: skip('load', 'the database already holds data; clean or load NAME replaces it') };
  const why = options.clean ? 'the database was just cleaned' : partialSeed(options, state) ? 'the last seed did not finish' : 'the database was empty';
  if (state.initBackupExists) {
    if (state.initFreshness === 'stale' && !options.skipSeed) {
      return { from: 'seed', reason: `${why} and "${INIT_BACKUP}" is stale: it was dumped from migration or seed files that have changed since` };
    }
    if (state.initFreshness === 'behind') {
      return {
        from: 'backup',
        name: INIT_BACKUP,
        reason: `${why} and "${INIT_BACKUP}" exists (made before the newest migrations)`,
        refresh: `"${INIT_BACKUP}" predates the newest migrations: dumped again once migrated, so the next run loads it as is`,
      };
    }
    return { from: 'backup', name: INIT_BACKUP, reason: `${why} and "${INIT_BACKUP}" exists` };
  }
  if (options.skipSeed) return { from: 'nothing', skip: skip('seed', `${why} and "${INIT_BACKUP}" does not exist, but skip-seed was given: the database is only migrated`) };
  return { from: 'seed', reason: `${why} and "${INIT_BACKUP}" does not exist` };
}

/** Index unless skip-index or nothing to index; rebuild when the data changed, build when missing. */
function indexStep(skipIndex: boolean, state: Pick<ProbedState, 'hasIndexDefinitions' | 'indexExists' | 'indexBehind'>, why: string | undefined): PlanStep {
  if (skipIndex) return skip('index', 'skip-index was given');
  if (!state.hasIndexDefinitions) return skip('index', 'the project defines no index command or definitions');
  if (why) return { kind: 'index', reason: why };
  if (!state.indexExists) return { kind: 'index', reason: 'the index does not exist' };
  if (state.indexBehind) return { kind: 'index', reason: 'a load, seed or clean replaced the data since the index was built' };
  return skip('index', 'the index exists and the data did not change');
}

export function planInitialize(options: InitializeOptions, state: ProbedState): Plan {
  const data = chooseData(options, state); // first: a missing backup fails before anything is planned
  const dropIndices = !options.skipIndex && state.hasIndexDefinitions;
  const steps: PlanStep[] = [];

  if (options.clean) {
    const left = options.skipIndex ? 'skip-index was given' : 'the project defines no index';
    steps.push({ kind: 'clean', dropIndices, reason: dropIndices ? 'clean was requested' : `clean was requested; indices are left alone because ${left}` });
  } else if (!state.databaseExists) {
    steps.push({ kind: 'create-database', reason: 'the database did not exist' });
  } else if (partialSeed(options, state) && data.from !== 'backup') {
    // A load replaces every table by itself; a seed must start from nothing.
    steps.push({ kind: 'flush', reason: 'the last seed did not finish: its partial data is dropped' });
  }

  // Load before migrate: the load replaces the tables, and migrations then bring an older backup up to date.
  if (data.from === 'backup') steps.push({ kind: 'load', name: data.name, reason: data.reason });
  if (data.from === 'nothing' && data.skip.step === 'load') steps.push(data.skip);

  steps.push({
    kind: 'migrate',
    reason:
      data.from === 'backup'
        ? `brings backup ${JSON.stringify(data.name)} up to date`
        : data.from === 'seed'
          ? 'the seed needs the current schema'
          : 'migrations always run; applied ones are skipped',
  });

  // Migrate before seed: the seed writes into the current schema.
  if (data.from === 'seed') {
    steps.push({ kind: 'seed', reason: data.reason });
    steps.push({ kind: 'dump-init', name: INIT_BACKUP, of: 'seed', reason: `the next initialize loads "${INIT_BACKUP}" instead of seeding` });
  }
  if (data.from === 'nothing' && data.skip.step === 'seed') steps.push(data.skip);
  if (data.from === 'backup' && data.refresh) steps.push({ kind: 'dump-init', name: INIT_BACKUP, of: 'migrated', reason: data.refresh });

  const changed =
    data.from === 'backup'
      ? `backup ${JSON.stringify(data.name)} was loaded`
      : data.from === 'seed'
        ? 'the database was seeded'
        : options.clean
          ? 'clean dropped the index'
          : undefined;
  steps.push(indexStep(options.skipIndex, state, changed));
  return steps;
}

export interface SeedOptions {
  skipIndex: boolean;
}
export type SeedState = Pick<ProbedState, 'databaseExists' | 'initBackupExists' | 'hasIndexDefinitions'>;

/** `seed`: start from an empty database, drop the old `_init`, migrate, seed, dump `_init`, index. */
export function planSeed(options: SeedOptions, state: SeedState): Plan {
  const steps: PlanStep[] = [];
  steps.push(state.databaseExists ? { kind: 'flush', reason: 'seed starts from an empty database' } : { kind: 'create-database', reason: 'the database did not exist' });
  // Removed up front so a failed seed cannot leave an _init that no longer matches the seed.
  if (state.initBackupExists) steps.push({ kind: 'remove-init', name: INIT_BACKUP, reason: `"${INIT_BACKUP}" is replaced by the new seed` });
  steps.push({ kind: 'migrate', reason: 'the seed needs the current schema' });
  steps.push({ kind: 'seed', reason: 'seed was requested' });
  steps.push({ kind: 'dump-init', name: INIT_BACKUP, of: 'seed', reason: `the next initialize loads "${INIT_BACKUP}" instead of seeding` });
  steps.push(indexStep(options.skipIndex, { ...state, indexExists: false }, 'the database was seeded'));
  return steps;
}

const SKIP_TITLES: Record<SkippableStep, string> = {
  load: 'Nothing loaded',
  seed: 'Not seeded',
  index: 'Index not built',
};

/** A short human title for a step, e.g. for a summary row. */
export function stepTitle(step: PlanStep): string {
  switch (step.kind) {
    case 'clean':
      return step.dropIndices ? "Drop and recreate the database and the project's indices" : 'Drop and recreate the database';
    case 'create-database':
      return 'Create the database';
    case 'flush':
      return 'Empty the database';
    case 'remove-init':
      return `Remove backup ${JSON.stringify(step.name)}`;
    case 'load':
      return `Load backup ${JSON.stringify(step.name)}`;
    case 'migrate':
      return 'Run migrations';
    case 'seed':
      return 'Run the seed';
    case 'dump-init':
      return `Dump the ${step.of === 'migrated' ? 'migrated' : 'seeded'} data as ${JSON.stringify(step.name)}`;
    case 'index':
      return 'Build the search index';
    case 'skip':
      return SKIP_TITLES[step.step];
  }
}

/** One line per step, in order: what is done (or not) and why. */
export function describePlan(plan: Plan): string[] {
  return plan.map((step) => `${stepTitle(step)} (${step.reason})`);
}
