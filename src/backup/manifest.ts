// manifest.json: what a backup holds. Written last, so its presence means the backup is complete.
// validateManifest is pure and strict: a backup we cannot fully understand is not loaded.
import { IntegrityError } from '../core/errors.js';
import { BACKUP_FORMAT_VERSION } from '../core/format-version.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'olympia-data-backup';
// The cache key includes this version too, so a format change never restores an old _init.
export const MANIFEST_VERSION = BACKUP_FORMAT_VERSION;

export interface FileEntry {
  /** Path relative to the backup directory, with forward slashes. */
  path: string;
  size: number;
  sha256: string;
}

export interface DataFile extends FileEntry {
  rows: number;
}

export interface TableEntry {
  name: string;
  /** SHOW CREATE TABLE as dumped. */
  createSql: string;
  /** Columns in file order; BIT columns are written as integers. */
  columns: string[];
  bitColumns: string[];
  rows: number;
  files: DataFile[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  name: string;
  createdAt: string;
  toolVersion: string;
  server: { version: string };
  database: string;
  migrationHash?: string;
  /** The files that hash was made of, each with its own sha256 (for telling new migrations from changed ones). */
  migrationFiles?: { path: string; sha256: string }[];
  tables: TableEntry[];
  views: { name: string; createSql: string }[];
  triggers: { name: string; createSql: string }[];
  /** Snapshot of the storage directory; null when none was taken. */
  storage: { files: FileEntry[] } | null;
  durationMs: number;
}

export function allFiles(m: Manifest): FileEntry[] {
  return [...m.tables.flatMap((t) => t.files), ...(m.storage?.files ?? [])];
}

export function totalRows(m: Manifest): number {
  return m.tables.reduce((n, t) => n + t.rows, 0);
}

export function totalBytes(m: Manifest): number {
  return allFiles(m).reduce((n, f) => n + f.size, 0);
}

const SHA256 = /^[0-9a-f]{64}$/;

function isSafeRelativePath(p: unknown): p is string {
  return typeof p === 'string' && p.length > 0 && !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

export function validateManifest(raw: unknown, where: string): Manifest {
  const fail = (what: string): never => {
    throw new IntegrityError(
      `${where} is not a valid backup manifest: ${what}.`,
      'The backup is damaged or was not written by olympia-data; dump it again or pick another backup.',
    );
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) fail(`"format" is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (!Number.isSafeInteger(m.formatVersion) || (m.formatVersion as number) < 1) fail(`"formatVersion" is ${JSON.stringify(m.formatVersion)}, expected a whole number from 1`);
  if ((m.formatVersion as number) > MANIFEST_VERSION) {
    throw new IntegrityError(`${where} has backup format ${m.formatVersion}; this olympia-data reads format ${MANIFEST_VERSION}.`, 'Upgrade olympia-data to load it.');
  }
  for (const key of ['name', 'createdAt', 'toolVersion', 'database']) if (typeof m[key] !== 'string') fail(`"${key}" is missing`);
  if (!Array.isArray(m.tables)) fail('"tables" is missing');
  const seen = new Set<string>();
  const checkFile = (f: unknown, ctx: string, withRows: boolean): void => {
    const e = f as Record<string, unknown>;
    if (typeof e !== 'object' || e === null) fail(`${ctx} has a malformed file entry`);
    if (!isSafeRelativePath(e.path)) fail(`${ctx} has an unsafe file path ${JSON.stringify(e.path)}`);
    if (seen.has(e.path as string)) fail(`${ctx} lists ${e.path} twice`);
    seen.add(e.path as string);
    if (!Number.isSafeInteger(e.size) || (e.size as number) < 0) fail(`${ctx}: ${e.path} has no valid size`);
    if (typeof e.sha256 !== 'string' || !SHA256.test(e.sha256)) fail(`${ctx}: ${e.path} has no valid sha256`);
    if (withRows && (!Number.isSafeInteger(e.rows) || (e.rows as number) < 0)) fail(`${ctx}: ${e.path} has no valid row count`);
  };
  const MAX_NAME_LENGTH = 64;
  const MAX_COLUMNS = 4096;
  for (const t of m.tables as unknown[]) {
    const e = t as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string') fail('a table entry has no name');
    const ctx = `table ${JSON.stringify(e.name)}`;
    if (typeof e.createSql !== 'string' || !/^CREATE TABLE/i.test(e.createSql)) fail(`${ctx} has no CREATE TABLE statement`);
    if (!Array.isArray(e.columns) || !Array.isArray(e.bitColumns)) fail(`${ctx} has no column list`);
    // Names as a server allows them (64 characters, 4096 columns a table): the load builds
    // statements from them before any server has seen them.
    const columns = e.columns as unknown[];
    const isName = (c: unknown) => typeof c === 'string' && c.length > 0 && c.length <= MAX_NAME_LENGTH;
    if (columns.length === 0 || columns.length > MAX_COLUMNS || !columns.every(isName)) fail(`${ctx} has a malformed column list`);
    if (!(e.bitColumns as unknown[]).every((c) => isName(c) && columns.includes(c))) fail(`${ctx} has a malformed bit column list`);
    if (!Number.isSafeInteger(e.rows)) fail(`${ctx} has no row count`);
    if (!Array.isArray(e.files)) fail(`${ctx} has no file list`);
    for (const f of e.files as unknown[]) checkFile(f, ctx, true);
    const sum = (e.files as { rows: number }[]).reduce((n, f) => n + f.rows, 0);
    if (sum !== e.rows) fail(`${ctx} counts ${e.rows} rows but its files hold ${sum}`);
  }
  if (m.migrationHash !== undefined && (typeof m.migrationHash !== 'string' || !SHA256.test(m.migrationHash))) fail('"migrationHash" is not a sha256');
  if (m.migrationFiles !== undefined) {
    if (!Array.isArray(m.migrationFiles)) fail('"migrationFiles" is not a list');
    for (const f of m.migrationFiles as unknown[]) {
      const e = f as Record<string, unknown>;
      if (typeof e?.path !== 'string' || typeof e?.sha256 !== 'string' || !SHA256.test(e.sha256)) fail('a "migrationFiles" entry is malformed');
    }
  }
  for (const key of ['views', 'triggers'] as const) {
    if (!Array.isArray(m[key])) fail(`"${key}" is missing`);
    for (const v of m[key] as unknown[]) {
      const e = v as Record<string, unknown>;
      if (typeof e?.name !== 'string' || typeof e?.createSql !== 'string') fail(`a ${key} entry is malformed`);
    }
  }
  if (m.storage !== null) {
    const s = m.storage as Record<string, unknown>;
    if (typeof s !== 'object' || !Array.isArray(s.files)) fail('"storage" is malformed');
    for (const f of s.files as unknown[]) checkFile(f, 'storage', false);
    if ((s.files as FileEntry[]).some((f) => !f.path.startsWith('storage/'))) fail('a storage file lies outside storage/');
  }
  return raw as Manifest;
}
