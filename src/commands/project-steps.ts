// The project-specific steps (migrate, seed, index), each either a hook command or the project's
// native definitions, plus the database-level steps the plans use.
import type { Client } from '@elastic/elasticsearch';
import { errorMessage, OlympiaError, UsageError } from '../core/errors.js';
import { projectPath } from '../core/config.js';
import { runHook } from '../hooks/run-hook.js';
import { runNativeMigrations } from '../migrate/native-migrations.js';
import { type Connection, quoteIdent } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { unreachableError } from '../search/client.js';
import { aliasExists, buildIndex, deleteProjectIndices } from '../search/indexer.js';
import { runNativeSeed } from '../seed/native-seed.js';
import { dropUnusedDefiner } from '../load/schema-objects.js';
import { readDataState, recordDataChange, recordIndexed, recordSeedFinished } from '../mysql/data-state.js';
import type { Context } from './context.js';

export interface StepDetail {
  /** One line for the summary, e.g. "3 migrations applied". */
  detail: string;
  rows?: number;
}

export async function databaseExists(ctx: Context, target: MysqlTarget): Promise<{ exists: boolean; tables: number }> {
  const conn = await ctx.clients.mysql(target, { database: null });
  try {
    const [s] = await conn.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [target.database]);
    const exists = Number((s as { n: number }[])[0].n) > 0;
    const [t] = await conn.query(`SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`, [target.database]);
    return { exists, tables: Number((t as { n: number }[])[0].n) };
  } finally {
    await conn.end();
  }
}

export async function createDatabase(ctx: Context, target: MysqlTarget, { recreate }: { recreate: boolean }): Promise<void> {
  const conn = await ctx.clients.mysql(target, { database: null });
  try {
    if (recreate) {
      await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(target.database)}`);
      // Its triggers went with it, so the account they ran as goes too.
      await dropUnusedDefiner(conn, target.database);
    }
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(target.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

const unrecorded = new WeakSet<Context>();

/**
 * Records a fact about the data in its state database. A server that refuses (no CREATE on another
 * database) costs the facts, not the run: one warning says what is lost.
 */
async function recordState<T>(ctx: Context, target: MysqlTarget, fn: (conn: Connection) => Promise<T>): Promise<T | undefined> {
  let conn: Connection | undefined;
  try {
    conn = await ctx.clients.mysql(target, { database: null });
    return await fn(conn);
  } catch (e) {
    if (!unrecorded.has(ctx)) {
      unrecorded.add(ctx);
      ctx.reporter.warn(
        `Cannot record the state of "${target.database}" (${errorMessage(e).split('\n')[0]}): a seed that fails midway, or a load since the last index build, will not be noticed by the next initialize.`,
      );
    }
    return undefined;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** The data is about to be replaced as a whole (load, clean, flush): the index no longer matches it. */
export function noteDataChange(ctx: Context, target: MysqlTarget): Promise<unknown> {
  return recordState(ctx, target, (conn) => recordDataChange(conn, target.database));
}

/** What initialize needs to know: a seed left unfinished, and data the index was not built from. */
export async function probeDataState(ctx: Context, target: MysqlTarget): Promise<{ seedUnfinishedSince?: Date; indexBehind: boolean }> {
  const state = await recordState(ctx, target, (conn) => readDataState(conn, target.database));
  return {
    seedUnfinishedSince: state?.seedStartedAt ?? undefined,
    indexBehind: state !== undefined && state.indexedGeneration !== state.generation,
  };
}

/** Whether the project can seed at all: a seed command or seed files. */
export function hasSeed(ctx: Context): boolean {
  return Boolean(ctx.hooks.seed) || ctx.config.seed.files.length > 0;
}

export function noSeedError(ctx: Context): UsageError {
  const where = ctx.config.file
    ? `to ${ctx.config.file}`
    : `to an olympia-data.json in ${ctx.config.projectDir} (there is none: run from the project directory, or pass --config FILE)`;
  return new UsageError('Seeding is needed but the project has no seed.', `Add "seed": {"files": [...]} or {"command": "..."} ${where}, pass --seed-command, or use --skip-seed.`);
}

export function hasIndexing(ctx: Context): boolean {
  return Boolean(ctx.hooks.index) || ctx.config.index.definitions.length > 0;
}

export async function searchClient(ctx: Context): Promise<Client> {
  if (!ctx.elasticsearchUrl) {
    throw new UsageError('The project defines search indexes but no Elasticsearch URL was given.', 'Pass --elasticsearch-url, set ELASTICSEARCH_URL, or use --skip-index.');
  }
  return ctx.clients.search(ctx.elasticsearchUrl);
}

/** Runs `fn` with a client; failing to reach Elasticsearch becomes a ConnectionError saying what we were `doing`. */
async function withSearch<T>(ctx: Context, doing: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await searchClient(ctx);
  try {
    return await fn(client);
  } catch (e) {
    throw unreachableError(ctx.elasticsearchUrl!, e, doing);
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Whether every native alias exists. With only an index command we cannot tell, so "no". */
export async function indexExists(ctx: Context): Promise<boolean> {
  const defs = ctx.config.index.definitions;
  if (defs.length === 0) return false;
  return withSearch(ctx, 'checking whether the search index exists', async (client) => {
    for (const d of defs) if (!(await aliasExists(client, d.alias))) return false;
    return true;
  });
}

export async function dropIndices(ctx: Context): Promise<string[]> {
  const aliases = ctx.config.index.definitions.map((d) => d.alias);
  if (aliases.length === 0) return [];
  return withSearch(ctx, 'removing the search indices', async (client) => (await deleteProjectIndices(client, aliases)).indices);
}

export async function migrate(ctx: Context, target: MysqlTarget): Promise<StepDetail> {
  if (ctx.hooks.migrate) {
    await runHook('migrate', ctx.hooks.migrate, {
      cwd: ctx.config.projectDir,
      databaseUrl: ctx.databaseUrl,
      elasticsearchUrl: ctx.elasticsearchUrl,
      reporter: ctx.reporter,
      aliases: ctx.config.hookEnv,
    });
    return { detail: 'migrate command succeeded' };
  }
  if (!ctx.config.migrate.dir) return { detail: 'no migrations configured' };
  const conn = await ctx.clients.mysql(target);
  try {
    const run = await runNativeMigrations(conn, projectPath(ctx.config, ctx.config.migrate.dir), { reporter: ctx.reporter });
    if (run.error) throw run.error;
    const applied = run.results.filter((r) => r.status === 'applied').length;
    return { detail: `${applied} applied, ${run.results.length - applied} already applied` };
  } finally {
    await conn.end();
  }
}

/**
 * The seed, marked as begun before it writes anything and as finished only once it has: a seed that
 * fails or is killed midway leaves the mark, and the next initialize drops its partial data.
 */
export async function seed(ctx: Context, target: MysqlTarget): Promise<StepDetail> {
  await recordState(ctx, target, (conn) => recordDataChange(conn, target.database, { seedStarted: true }));
  let done: StepDetail;
  try {
    done = await runSeed(ctx, target);
  } catch (e) {
    if (e instanceof OlympiaError) {
      const next = 'The database holds a partial seed; the next `olympia-data initialize` drops it and seeds again.';
      throw new OlympiaError(e.message, { hint: e.hint ? `${e.hint} ${next}` : next, exitCode: e.exitCode, cause: e });
    }
    throw e;
  }
  await recordState(ctx, target, (conn) => recordSeedFinished(conn, target.database));
  return done;
}

async function runSeed(ctx: Context, target: MysqlTarget): Promise<StepDetail> {
  if (ctx.hooks.seed) {
    await runHook('seed', ctx.hooks.seed, {
      cwd: ctx.config.projectDir,
      databaseUrl: ctx.databaseUrl,
      elasticsearchUrl: ctx.elasticsearchUrl,
      reporter: ctx.reporter,
      aliases: ctx.config.hookEnv,
    });
    return { detail: 'seed command succeeded' };
  }
  if (ctx.config.seed.files.length === 0) throw noSeedError(ctx);
  const conn = await ctx.clients.mysql(target);
  try {
    const r = await runNativeSeed(conn, { projectDir: ctx.config.projectDir, files: ctx.config.seed.files, reporter: ctx.reporter });
    return { detail: `${r.statements} statements from ${r.files} files` };
  } finally {
    await conn.end();
  }
}

/** Builds the index and records which generation of the data it was built from. */
export async function index(ctx: Context, target: MysqlTarget): Promise<StepDetail> {
  const generation = (await recordState(ctx, target, (conn) => readDataState(conn, target.database)))?.generation ?? 0;
  const done = await buildIndices(ctx);
  await recordState(ctx, target, (conn) => recordIndexed(conn, target.database, generation));
  return done;
}

async function buildIndices(ctx: Context): Promise<StepDetail> {
  if (ctx.hooks.index) {
    await runHook('index', ctx.hooks.index, {
      cwd: ctx.config.projectDir,
      databaseUrl: ctx.databaseUrl,
      elasticsearchUrl: ctx.elasticsearchUrl,
      reporter: ctx.reporter,
      aliases: ctx.config.hookEnv,
    });
    return { detail: 'index command succeeded' };
  }
  return withSearch(ctx, 'building the search index', async (client) => {
    const parts: string[] = [];
    let docs = 0;
    for (const definition of ctx.config.index.definitions) {
      const r = await buildIndex({
        client,
        elasticsearchUrl: ctx.elasticsearchUrl,
        databaseUrl: ctx.databaseUrl!,
        definition,
        projectDir: ctx.config.projectDir,
        reporter: ctx.reporter,
      });
      parts.push(`${r.alias} → ${r.index} (${r.documents} documents)`);
      docs += r.documents;
    }
    return { detail: parts.join(', '), rows: docs };
  });
}
