// Native indexing: builds `<alias>-<timestamp>` from a SQL query and swaps the alias to it atomically, so
// readers never see a half index. The new index loads with no replicas and no refresh; the user's
// settings come back before the document count is checked and the alias moves. A failed build deletes
// the new index and leaves the alias where it was.
import type { Client } from '@elastic/elasticsearch';
import mysql from 'mysql2';
import type { Readable } from 'node:stream';
import type { IndexDefinition } from '../core/config.js';
import { OlympiaError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { describeConnectionError } from '../mysql/connect.js';
import { parseDatabaseUrl, type MysqlTarget } from '../core/connection-url.js';
import { describeSearchError, isUnreachable, unreachableError } from './client.js';
import { buildIndexName, isBuildIndexOf } from './index-naming.js';
import { loadingSettings, servingSettings } from './index-settings.js';
import { loadIndexSource, type IndexSource } from './index-source.js';
import { rowConverter, type ColumnInfo, type Document } from './row-documents.js';

export interface BulkTuning {
  /** Bytes of ndjson per bulk request. */
  flushBytes: number;
  /** Bulk requests in flight at once. */
  concurrency: number;
  /** Retries of documents Elasticsearch answered 429 for, `waitMs` apart. */
  retries: number;
  waitMs: number;
}

// bench/reindex.ts on 2 cores and a 256 MB heap node: 1 MB requests, two in flight, loaded fastest
// (larger requests mostly add garbage-collection work on a small heap).
export const DEFAULT_BULK_TUNING: BulkTuning = { flushBytes: 1_000_000, concurrency: 2, retries: 5, waitMs: 1000 };

export interface BuildIndexOptions {
  client: Client;
  /** Only named (masked) in messages. */
  elasticsearchUrl?: string;
  databaseUrl: string;
  definition: IndexDefinition;
  /** Settings, mappings and .sql paths resolve against it. */
  projectDir: string;
  reporter?: Reporter;
  bulk?: Partial<BulkTuning>;
  now?: () => Date;
}

export interface IndexBuildResult {
  alias: string;
  index: string;
  documents: number;
  durationMs: number;
  /** The indices the alias pointed to before, now deleted. */
  replaced: string[];
}

const PROGRESS_EVERY_MS = 1000;

/**
 * All the bulk helper reads of a response (per item: the status, and the error of a failed one).
 * Dropping the rest spares Elasticsearch writing and us parsing ~150 bytes per document.
 */
export const BULK_RESPONSE_FIELDS = 'errors,items.*.status,items.*.error';

function esUrl(o: { elasticsearchUrl?: string; client: Client }): string {
  return o.elasticsearchUrl ?? o.client.connectionPool.connections[0]?.url.toString() ?? 'the configured Elasticsearch URL';
}

/** What the alias name resolves to now: the indices behind the alias, or a concrete index of that name. */
async function currentTargets(client: Client, alias: string): Promise<{ indices: string[]; concrete: boolean }> {
  const byAlias = (await client.indices.getAlias({ name: alias }, { ignore: [404] })) as Record<string, unknown> & { error?: unknown; status?: number };
  const indices = byAlias && typeof byAlias.status !== 'number' ? Object.keys(byAlias) : [];
  if (indices.length > 0) return { indices, concrete: false };
  const concrete = await client.indices.exists({ index: alias });
  return { indices: [], concrete };
}

async function createIndex(client: Client, source: IndexSource, now: () => Date): Promise<string> {
  let at = now();
  for (let attempt = 0; ; attempt++) {
    const index = buildIndexName(source.alias, at);
    try {
      await client.indices.create({ index, settings: loadingSettings(source.settings) as never, mappings: source.mappings as never });
      return index;
    } catch (e) {
      const reason = describeSearchError(e);
      // Two builds in the same millisecond: take the next one.
      if (reason.startsWith('resource_already_exists_exception') && attempt < 5) {
        at = new Date(at.getTime() + 1);
        continue;
      }
      throw e;
    }
  }
}

interface LoadState {
  rows: number;
  bytes: number;
  columns?: ColumnInfo[];
  convert?: (row: Record<string, unknown>) => Document;
  queryError?: unknown;
  dropped?: { id?: string; status: number; reason: string };
}

function openConnection(target: MysqlTarget): Promise<mysql.Connection> {
  const conn = mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    charset: 'utf8mb4',
    connectTimeout: 10_000,
    // Numbers as numbers (strings only past 2^53), dates as text we adjust to ISO (row-documents.ts).
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    dateStrings: true,
  });
  conn.on('error', () => undefined); // surfaced through the query instead
  return new Promise((resolve, reject) => {
    conn.connect((err) => {
      if (err) {
        conn.destroy();
        reject(describeConnectionError(target, err));
        return;
      }
      // The stream pauses while Elasticsearch catches up; the server must not give up on us meanwhile.
      conn.query("SET SESSION net_write_timeout = 3600, time_zone = '+00:00'", (e) => (e ? reject(describeConnectionError(target, e)) : resolve(conn)));
    });
  });
}

/** Yields the query's rows as documents; never throws (the bulk helper must finish its requests first). */
async function* documents(stream: Readable, source: IndexSource, state: LoadState, progress: () => void): AsyncGenerator<Document> {
  try {
    for await (const row of stream) {
      if (!state.convert) state.convert = rowConverter(state.columns ?? [], source.idColumn, source.alias);
      const doc = state.convert(row as Record<string, unknown>);
      state.rows++;
      state.bytes += doc.json.length;
      if ((state.rows & 1023) === 0) progress();
      yield doc;
    }
    // An empty result still has to name the id column.
    if (!state.convert && state.columns) rowConverter(state.columns, source.idColumn, source.alias);
  } catch (e) {
    state.queryError = e;
  }
}

async function loadDocuments(o: BuildIndexOptions, source: IndexSource, index: string, state: LoadState): Promise<void> {
  const tuning = { ...DEFAULT_BULK_TUNING, ...o.bulk };
  const target = parseDatabaseUrl(o.databaseUrl);
  const conn = await openConnection(target);
  let lastReport = 0;
  const progress = () => {
    const now = Date.now();
    if (now - lastReport < PROGRESS_EVERY_MS) return;
    lastReport = now;
    o.reporter?.progress?.({ label: source.alias, rows: state.rows, bytes: state.bytes });
  };
  try {
    const stream = conn.query(source.sql).stream({ highWaterMark: 1000 });
    stream.on('fields', (fields: ColumnInfo[]) => {
      state.columns = fields;
    });
    const bulk = o.client.helpers.bulk<Document>({
      datasource: documents(stream, source, state, progress),
      onDocument: (doc) => [{ index: { _index: index, _id: doc.id } }, doc.json as never],
      flushBytes: tuning.flushBytes,
      concurrency: tuning.concurrency,
      retries: tuning.retries,
      wait: tuning.waitMs,
      filter_path: BULK_RESPONSE_FIELDS,
      onDrop: (drop) => {
        if (!state.dropped) {
          const op = drop.operation as { index?: { _id?: string } };
          const err = drop.error as { type?: string; reason?: string; caused_by?: { reason?: string } } | null;
          const reason = err ? `${err.type}: ${err.reason}${err.caused_by?.reason ? ` (${err.caused_by.reason})` : ''}` : `HTTP ${drop.status}`;
          state.dropped = { id: op.index?._id, status: drop.status, reason };
        }
        bulk.abort();
      },
    });
    await bulk;
  } finally {
    // After an abort the server may still be sending rows: end the connection rather than drain it.
    if (state.queryError || state.dropped) conn.destroy();
    else await new Promise<void>((resolve) => conn.end(() => resolve()));
  }
  o.reporter?.progress?.({ label: source.alias, rows: state.rows, bytes: state.bytes, totalRows: state.rows });
}

function buildFailure(o: BuildIndexOptions, source: IndexSource, index: string | undefined, e: unknown): unknown {
  if (e instanceof OlympiaError) return e;
  if (isUnreachable(e)) return unreachableError(esUrl(o), e, `building index ${source.alias}`);
  const where = index ? ` (new index ${index} deleted; the alias still serves the previous one)` : '';
  return new OlympiaError(`Building index ${source.alias} failed: Elasticsearch said ${describeSearchError(e)}${where}.`, { cause: e });
}

/** Builds the index of `definition` and points its alias at it. */
export async function buildIndex(o: BuildIndexOptions): Promise<IndexBuildResult> {
  const started = Date.now();
  const source = await loadIndexSource(o.definition, o.projectDir);
  const { client, reporter } = o;
  let previous: { indices: string[]; concrete: boolean };
  let index: string;
  try {
    previous = await currentTargets(client, source.alias);
    index = await createIndex(client, source, o.now ?? (() => new Date()));
  } catch (e) {
    if (e instanceof OlympiaError || isUnreachable(e)) throw buildFailure(o, source, undefined, e);
    throw new OlympiaError(`Elasticsearch refused to create the index for ${source.alias}: ${describeSearchError(e)}`, {
      hint: `Check the mappings (${o.definition.mappings ?? 'none given'}) and settings (${o.definition.settings ?? 'none given'}) of index ${source.alias}.`,
      cause: e,
    });
  }
  reporter?.info(`Indexing ${source.alias} into ${index}…`);

  const state: LoadState = { rows: 0, bytes: 0 };
  try {
    await loadDocuments(o, source, index, state);
    if (state.queryError) {
      const err = state.queryError;
      if (err instanceof OlympiaError) throw err;
      const code = (err as { code?: string }).code;
      if (code && /^(ECONN|ETIMEDOUT|EHOST|ENOTFOUND|PROTOCOL_CONNECTION_LOST)/.test(code)) throw describeConnectionError(parseDatabaseUrl(o.databaseUrl), err);
      throw new OlympiaError(`The query of index ${source.alias} failed after ${state.rows} rows: ${errorMessage(err)}`, {
        hint: `Fix the SQL in ${source.queryOrigin}.`,
        cause: err,
      });
    }
    if (state.dropped) {
      throw new OlympiaError(`Elasticsearch rejected document ${state.dropped.id ?? '?'} of index ${source.alias}: ${state.dropped.reason}`, {
        hint: `Make the query's columns fit the mappings of ${source.alias} (${o.definition.mappings ?? 'dynamic mappings'}).`,
      });
    }
    await client.indices.putSettings({ index, settings: servingSettings(source.settings) as never });
    await client.indices.refresh({ index });
    const { count } = await client.count({ index });
    if (count !== state.rows) {
      throw new OlympiaError(`Index ${source.alias}: the query gave ${state.rows} rows but the new index holds ${count} documents.`, {
        hint: `Rows sharing an id overwrite each other: make the id column "${source.idColumn}" unique in the query.`,
      });
    }
    // One request: readers see the old index or the new one, never neither.
    const actions: object[] = previous.indices.map((old) => ({ remove: { index: old, alias: source.alias } }));
    if (previous.concrete) {
      reporter?.warn(`An index named ${source.alias} (not an alias) is replaced by the alias ${source.alias}.`);
      actions.push({ remove_index: { index: source.alias } });
    }
    actions.push({ add: { index, alias: source.alias } });
    await client.indices.updateAliases({ actions: actions as never });
  } catch (e) {
    await client.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
    throw buildFailure(o, source, index, e);
  }

  if (previous.indices.length > 0) {
    try {
      await client.indices.delete({ index: previous.indices });
    } catch (e) {
      reporter?.warn(`The alias ${source.alias} now serves ${index}, but deleting the previous ${previous.indices.join(', ')} failed: ${describeSearchError(e)}`);
    }
  }
  const durationMs = Date.now() - started;
  reporter?.info(`Indexed ${state.rows} documents into ${source.alias} (${index}) in ${(durationMs / 1000).toFixed(1)} s.`);
  return { alias: source.alias, index, documents: state.rows, durationMs, replaced: previous.indices };
}

/** True when `alias` exists as an alias. A concrete index of that name (e.g. one Elasticsearch
 * auto-created when the application wrote to the name too early) does not count: it needs a build. */
export async function aliasExists(client: Client, alias: string): Promise<boolean> {
  return client.indices.existsAlias({ name: alias });
}

/**
 * For reset and clean: deletes every index of the project's aliases — what each alias points to, every
 * `<alias>-<timestamp>` index (leftovers of interrupted builds included) and a concrete index named like
 * the alias. Deleting an index removes its aliases. Returns what it removed.
 */
export async function deleteProjectIndices(client: Client, aliases: string[]): Promise<{ aliases: string[]; indices: string[] }> {
  const removedAliases: string[] = [];
  const doomed = new Set<string>();
  for (const alias of aliases) {
    const byAlias = (await client.indices.getAlias({ name: alias }, { ignore: [404] })) as Record<string, unknown> & { status?: number };
    const behind = byAlias && typeof byAlias.status !== 'number' ? Object.keys(byAlias) : [];
    if (behind.length > 0) removedAliases.push(alias);
    behind.forEach((i) => doomed.add(i));
    const matching = await client.cat.indices({ index: `${alias}*`, format: 'json', h: 'index', expand_wildcards: 'all' }, { ignore: [404] });
    for (const row of Array.isArray(matching) ? matching : []) {
      const name = row.index;
      if (name && (name === alias || isBuildIndexOf(alias, name))) doomed.add(name);
    }
  }
  const indices = [...doomed].sort();
  if (indices.length > 0) await client.indices.delete({ index: indices });
  return { aliases: removedAliases, indices };
}
