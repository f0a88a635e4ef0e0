// Reads what a native index definition points at: the settings and mappings JSON files and the query
// (inline SQL, or a path to a .sql file). Everything is read and validated before any index is created.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { projectPath, type IndexDefinition } from '../core/config.js';
import { flattenSettings, unwrapMappings, type FlatSettings } from './index-settings.js';

export interface IndexSource {
  alias: string;
  idColumn: string;
  settings: FlatSettings;
  mappings: Record<string, unknown>;
  sql: string;
  /** Where the query came from, for error messages: a file path or "the inline query". */
  queryOrigin: string;
}

/** A query that is a single token ending in .sql is a file; anything else is SQL. */
export function isSqlFilePath(query: string): boolean {
  return /^[^\s;]+\.sql$/i.test(query.trim());
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read the ${what} file ${path}: ${(e as Error).message}`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The ${what} file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function loadIndexSource(def: IndexDefinition, projectDir: string): Promise<IndexSource> {
  const where = (p: string) => projectPath({ projectDir }, p);
  const settingsPath = def.settings ? where(def.settings) : undefined;
  const mappingsPath = def.mappings ? where(def.mappings) : undefined;
  const settings = settingsPath ? flattenSettings(await readJson(settingsPath, `settings (index ${def.alias})`), settingsPath) : {};
  const mappings = mappingsPath ? unwrapMappings(await readJson(mappingsPath, `mappings (index ${def.alias})`), mappingsPath) : {};
  let sql = def.query;
  let queryOrigin = `the query of index ${def.alias}`;
  if (isSqlFilePath(def.query)) {
    const path = where(def.query.trim());
    sql = await readText(path, `query (index ${def.alias})`);
    queryOrigin = path;
  }
  // A trailing semicolon is natural in a .sql file; a second statement is not supported.
  sql = sql.trim().replace(/;\s*$/, '');
  if (!sql) throw new UsageError(`${queryOrigin} is empty.`, 'Give the SELECT whose rows become documents.');
  return { alias: def.alias, idColumn: def.id, settings, mappings, sql, queryOrigin };
}
