// The project config file (olympia-data.json): where the project's data lives and how its hooks run.
// Parsing is pure (validateConfig); loadConfig only reads the file.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';

export const CONFIG_FILE = 'olympia-data.json';

export interface IndexDefinition {
  /** The alias readers use; each build creates `<alias>-<timestamp>` and swaps the alias. */
  alias: string;
  /** Path to a JSON file with index settings (relative to the project dir). */
  settings?: string;
  /** Path to a JSON file with the mappings. */
  mappings?: string;
  /** SQL whose rows become documents (or a path to a .sql file holding it). */
  query: string;
  /** The column whose value becomes the document _id. */
  id: string;
}

export interface ProjectConfig {
  /** Absolute directory the config lives in; relative paths resolve against it. */
  projectDir: string;
  /** The file it was read from; undefined when there was none (every default applies). */
  file?: string;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  backupDir: string;
  storageDir?: string;
  migrate: { command?: string; dir?: string };
  seed: { command?: string; files: string[] };
  index: { command?: string; definitions: IndexDefinition[] };
  /** Globs hashed into the migration hash (cache key). Defaults to the migrations dir and seed files. */
  hashGlobs: string[];
  /** Other names hooks get the standard variables under, e.g. {"DATABASES_DEFAULT_URL": "DATABASE_URL"}. */
  hookEnv: Record<string, HookVariable>;
}

/** What hooks get in their environment (hooks/run-hook.ts), and so what hookEnv may alias. */
export const HOOK_VARIABLES = ['DATABASE_URL', 'ELASTICSEARCH_URL', 'MYSQL_HOST', 'MYSQL_PORT', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE'] as const;
export type HookVariable = (typeof HOOK_VARIABLES)[number];

function hookEnv(obj: Json, where: string): Record<string, HookVariable> {
  const raw = section(obj, 'hookEnv', where);
  for (const [name, from] of Object.entries(raw)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${where}: hookEnv name ${JSON.stringify(name)} is not an environment variable name.`);
    if (typeof from !== 'string' || !(HOOK_VARIABLES as readonly string[]).includes(from)) {
      throw new UsageError(
        `${where}: hookEnv.${name} must name one of the variables hooks get.`,
        `One of: ${HOOK_VARIABLES.join(', ')}; e.g. "hookEnv": {"${name}": "DATABASE_URL"}.`,
      );
    }
  }
  return raw as Record<string, HookVariable>;
}

type Json = Record<string, unknown>;

function str(obj: Json, key: string, where: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new UsageError(`${where}: "${key}" must be a non-empty string.`);
  return v;
}

function strList(obj: Json, key: string, where: string): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length === 0)) {
    throw new UsageError(`${where}: "${key}" must be a list of non-empty strings.`);
  }
  return v as string[];
}

function section(obj: Json, key: string, where: string): Json {
  const v = obj[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${where}: "${key}" must be an object.`);
  return v as Json;
}

function checkKeys(obj: Json, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new UsageError(`${where}: unknown key "${k}".`, `Known keys: ${allowed.join(', ')}.`);
  }
}

export function validateConfig(raw: unknown, projectDir: string, where = CONFIG_FILE): ProjectConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${where} must hold a JSON object.`);
  const obj = raw as Json;
  checkKeys(obj, ['$schema', 'databaseUrl', 'elasticsearchUrl', 'backupDir', 'storageDir', 'migrate', 'seed', 'index', 'hashGlobs', 'hookEnv'], where);
  const migrate = section(obj, 'migrate', where);
  checkKeys(migrate, ['command', 'dir'], `${where} migrate`);
  const seed = section(obj, 'seed', where);
  checkKeys(seed, ['command', 'files'], `${where} seed`);
  const index = section(obj, 'index', where);
  checkKeys(index, ['command', 'definitions'], `${where} index`);
  const defsRaw = index.definitions ?? [];
  if (!Array.isArray(defsRaw)) throw new UsageError(`${where}: "index.definitions" must be a list.`);
  const definitions = defsRaw.map((d, i): IndexDefinition => {
    const w = `${where} index.definitions[${i}]`;
    if (typeof d !== 'object' || d === null) throw new UsageError(`${w} must be an object.`);
    checkKeys(d as Json, ['alias', 'settings', 'mappings', 'query', 'id'], w);
    const alias = str(d as Json, 'alias', w);
    const query = str(d as Json, 'query', w);
    const id = str(d as Json, 'id', w);
    if (!alias || !query || !id) throw new UsageError(`${w} needs "alias", "query" and "id".`);
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(alias))
      throw new UsageError(`${w}: alias ${JSON.stringify(alias)} is not a valid Elasticsearch index name (lower case letters, digits, "_", ".", "-").`);
    return { alias, query, id, settings: str(d as Json, 'settings', w), mappings: str(d as Json, 'mappings', w) };
  });
  const migrateDir = str(migrate, 'dir', `${where} migrate`);
  const seedFiles = strList(seed, 'files', `${where} seed`);
  const hashGlobs = strList(obj, 'hashGlobs', where);
  return {
    projectDir,
    databaseUrl: str(obj, 'databaseUrl', where),
    elasticsearchUrl: str(obj, 'elasticsearchUrl', where),
    backupDir: str(obj, 'backupDir', where) ?? 'backups',
    storageDir: str(obj, 'storageDir', where),
    migrate: { command: str(migrate, 'command', `${where} migrate`), dir: migrateDir },
    seed: { command: str(seed, 'command', `${where} seed`), files: seedFiles },
    index: { command: str(index, 'command', `${where} index`), definitions },
    hashGlobs: hashGlobs.length > 0 ? hashGlobs : [...(migrateDir ? [`${migrateDir}/**`] : []), ...seedFiles],
    hookEnv: hookEnv(obj, where),
  };
}

/** Resolves a config-relative path. */
export function projectPath(config: Pick<ProjectConfig, 'projectDir'>, p: string): string {
  return isAbsolute(p) ? p : resolve(config.projectDir, p);
}

/** Loads the config file; a missing default file gives an empty config rooted at `dir`. */
export async function loadConfig(file: string | undefined, dir: string = process.cwd()): Promise<ProjectConfig> {
  const path = resolve(dir, file ?? CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !file) return validateConfig({}, resolve(dir));
    throw new UsageError(`Cannot read the config file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return { ...validateConfig(raw, dirname(path), path), file: path };
}
