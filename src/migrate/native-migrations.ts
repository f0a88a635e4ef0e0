// Native migrations: ordered `.sql` files from a directory, each applied once and recorded with its
// sha256 in `olympia_data_migrations`. Like kysely's Migrator, a run reports a result per migration
// and returns the error instead of throwing halfway, so the caller can show every step.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { LockedError, NotFoundError, OlympiaError, errorMessage } from '../core/errors.js';
import { silentReporter, type Reporter } from '../core/reporter.js';
import { firstLine, splitSql } from '../mysql/sql-splitter.js';

export const MIGRATIONS_TABLE = 'olympia_data_migrations';
/** How long a second migrator waits for the first one on the same database. */
const LOCK_WAIT_SECONDS = 120;

export interface MigrationFile {
  /** File name, e.g. `0001_create_users.sql`; the order and the identity of a migration. */
  name: string;
  path: string;
  sql: string;
  sha256: string;
}

export interface AppliedMigration {
  name: string;
  sha256: string;
  appliedAt: Date;
}

export type MigrationStatus = 'applied' | 'skipped' | 'failed';

export interface MigrationResult {
  name: string;
  status: MigrationStatus;
  durationMs: number;
  error?: OlympiaError;
}

export interface MigrationRunResult {
  /** One per migration file up to the one that failed (later ones were not run and are not listed). */
  results: MigrationResult[];
  /** Set when the run stopped: an edited applied file (nothing was applied) or a failing migration. */
  error?: OlympiaError;
}

export interface MigrationPlan {
  pending: MigrationFile[];
  skipped: MigrationFile[];
  /** Applied files whose content changed since. */
  edited: MigrationFile[];
  /** Recorded as applied but no longer in the directory (e.g. a backup from a newer branch). */
  unknown: string[];
  /** Pending files that sort before an applied one (e.g. from a merged branch). */
  outOfOrder: MigrationFile[];
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The `.sql` files of `dir`, sorted by name (code-unit order, so it does not depend on the locale). */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`The migrations directory ${dir} does not exist.`, 'Create it, or fix "migrate.dir" in olympia-data.json.');
    }
    throw new OlympiaError(`Cannot read the migrations directory ${dir}: ${errorMessage(e)}`);
  }
  const names = entries
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      const bytes = await readFile(path);
      return { name, path, sql: bytes.toString('utf8'), sha256: sha256(bytes) };
    }),
  );
}

/** Pure: what a run would do given the files and what the database recorded. */
export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationPlan {
  const byName = new Map(applied.map((a) => [a.name, a]));
  const fileNames = new Set(files.map((f) => f.name));
  const lastApplied = applied.reduce<string | undefined>((max, a) => (fileNames.has(a.name) && (max === undefined || a.name > max) ? a.name : max), undefined);
  const plan: MigrationPlan = { pending: [], skipped: [], edited: [], unknown: [], outOfOrder: [] };
  for (const f of files) {
    const a = byName.get(f.name);
    if (!a) {
      plan.pending.push(f);
      if (lastApplied !== undefined && f.name < lastApplied) plan.outOfOrder.push(f);
    } else if (a.sha256 !== f.sha256) {
      plan.edited.push(f);
    } else {
      plan.skipped.push(f);
    }
  }
  plan.unknown = applied
    .filter((a) => !fileNames.has(a.name))
    .map((a) => a.name)
    .sort();
  return plan;
}

export function editedMigrationsError(edited: readonly MigrationFile[]): OlympiaError {
  const names = edited.map((f) => f.name).join(', ');
  const one = edited.length === 1;
  return new OlympiaError(`The migration${one ? '' : 's'} ${names} ${one ? 'was' : 'were'} changed after being applied to this database; nothing was applied.`, {
    hint: 'Applied migrations must not be edited: restore the original content and put the change in a new migration file (or rebuild the database with --clean).',
    location: edited[0] ? { file: edited[0].path } : undefined,
  });
}

async function tableExists(conn: Connection): Promise<boolean> {
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [MIGRATIONS_TABLE]);
  return Number((rows as Array<{ n: number | string }>)[0]?.n ?? 0) > 0;
}

/** The migrations recorded in the database; none when the table does not exist yet. */
export async function readAppliedMigrations(conn: Connection): Promise<AppliedMigration[]> {
  if (!(await tableExists(conn))) return [];
  const [rows] = await conn.query(`SELECT name, sha256, applied_at FROM \`${MIGRATIONS_TABLE}\` ORDER BY name`);
  return (rows as Array<{ name: string; sha256: string; applied_at: Date }>).map((r) => ({ name: r.name, sha256: r.sha256, appliedAt: r.applied_at }));
}

/** The migrations a run would apply, in order. Edited applied files are an error here too. */
export async function listPendingMigrations(conn: Connection, dir: string): Promise<MigrationFile[]> {
  const plan = planMigrations(await readMigrationFiles(dir), await readAppliedMigrations(conn));
  if (plan.edited.length > 0) throw editedMigrationsError(plan.edited);
  return plan.pending;
}

async function withMigrationLock<T>(conn: Connection, reporter: Reporter, fn: () => Promise<T>): Promise<T> {
  const lockName = "LEFT(CONCAT('olympia_data_migrate:', DATABASE()), 64)";
  const [free] = await conn.query(`SELECT IS_FREE_LOCK(${lockName}) AS free`);
  if (Number((free as Array<{ free: number }>)[0]?.free) !== 1) reporter.info('Another run is migrating this database; waiting for it…');
  const [got] = await conn.query(`SELECT GET_LOCK(${lockName}, ?) AS got`, [LOCK_WAIT_SECONDS]);
  if (Number((got as Array<{ got: number | null }>)[0]?.got) !== 1) {
    throw new LockedError(`Another run kept this database's migration lock for more than ${LOCK_WAIT_SECONDS} s.`, 'Wait for the other run to finish, then try again.');
  }
  try {
    return await fn();
  } finally {
    await conn.query(`SELECT RELEASE_LOCK(${lockName})`).catch(() => undefined);
  }
}

/** The line (from 1) a statement starts on in its file, when it can be found there. */
export function lineOf(text: string, statement: string): number | undefined {
  const start = text.indexOf(statement.trim().split('\n')[0]!);
  return start < 0 ? undefined : text.slice(0, start).split('\n').length;
}

/** Runs one file's statements on `conn`; throws an OlympiaError naming the file and the statement. */
async function applyFile(conn: Connection, file: MigrationFile): Promise<void> {
  let statements: string[];
  try {
    statements = splitSql(file.sql);
  } catch (e) {
    throw new OlympiaError(`Migration ${file.name} cannot be read as SQL: ${errorMessage(e)}`, { cause: e, location: { file: file.path } });
  }
  for (let i = 0; i < statements.length; i++) {
    const stmt = statements[i]!;
    try {
      await conn.query(stmt);
    } catch (e) {
      const earlier = i === 0 ? '' : ` The ${i} statement${i === 1 ? '' : 's'} before it took effect (MySQL cannot roll back schema changes).`;
      throw new OlympiaError(`Migration ${file.name} failed at statement ${i + 1} of ${statements.length} (${firstLine(stmt)}): ${errorMessage(e)}`, {
        hint: `Fix the migration and run again; it was not recorded as applied.${earlier}`,
        cause: e,
        location: { file: file.path, line: lineOf(file.sql, stmt) },
      });
    }
  }
}

export interface RunMigrationsOptions {
  reporter?: Reporter;
}

/**
 * Applies the pending migrations of `dir` in name order on `conn` (which must be connected to the
 * target database). Never throws for a migration's failure: see `error` in the result.
 */
export async function runNativeMigrations(conn: Connection, dir: string, options: RunMigrationsOptions = {}): Promise<MigrationRunResult> {
  const reporter = options.reporter ?? silentReporter;
  let files: MigrationFile[];
  try {
    files = await readMigrationFiles(dir);
  } catch (e) {
    return { results: [], error: e instanceof OlympiaError ? e : new OlympiaError(errorMessage(e), { cause: e }) };
  }
  return withMigrationLock(conn, reporter, async () => {
    await conn.query(
      `CREATE TABLE IF NOT EXISTS \`${MIGRATIONS_TABLE}\` (
        name VARCHAR(255) NOT NULL PRIMARY KEY,
        sha256 CHAR(64) NOT NULL,
        applied_at DATETIME(6) NOT NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    );
    const plan = planMigrations(files, await readAppliedMigrations(conn));
    if (plan.edited.length > 0) return { results: [], error: editedMigrationsError(plan.edited) };
    if (plan.unknown.length > 0) {
      reporter.warn(`This database records migrations that are not in ${dir}: ${plan.unknown.join(', ')} (was it loaded from a newer branch?).`);
    }
    for (const f of plan.outOfOrder) reporter.warn(`Migration ${f.name} is new but sorts before migrations already applied; applying it now.`);

    const pending = new Set(plan.pending.map((f) => f.name));
    const results: MigrationResult[] = [];
    for (const file of files) {
      if (!pending.has(file.name)) {
        results.push({ name: file.name, status: 'skipped', durationMs: 0 });
        continue;
      }
      const started = Date.now();
      try {
        await applyFile(conn, file);
        await conn.query(`INSERT INTO \`${MIGRATIONS_TABLE}\` (name, sha256, applied_at) VALUES (?, ?, UTC_TIMESTAMP(6))`, [file.name, file.sha256]);
      } catch (e) {
        const error = e instanceof OlympiaError ? e : new OlympiaError(`Migration ${file.name} could not be recorded: ${errorMessage(e)}`, { cause: e });
        results.push({ name: file.name, status: 'failed', durationMs: Date.now() - started, error });
        return { results, error };
      }
      const durationMs = Date.now() - started;
      reporter.info(`Applied migration ${file.name} (${(durationMs / 1000).toFixed(2)} s)`);
      results.push({ name: file.name, status: 'applied', durationMs });
    }
    return { results };
  });
}
