// Reads addons-server backups: a directory with db.sql (a mysqldump, plain or gzip despite its
// name) and storage.tar (plain or gzip). The SQL is replayed into the staging database.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { OlympiaError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Connection } from '../mysql/connect.js';
import { quoteIdent } from '../mysql/connect.js';
import { firstLine, splitSqlStream } from '../mysql/sql-splitter.js';
import { listTables, listTriggers, showCreateView } from '../mysql/schema.js';
import type { SchemaObject } from '../mysql/swap-database.js';

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Statements that would escape the staging database are skipped. */
export function shouldSkip(statement: string): boolean {
  const s = statement.replace(/^(\s|\/\*(?!!)[\s\S]*?\*\/|--[^\n]*\n|#[^\n]*\n)+/, '');
  return /^(USE\s|CREATE\s+DATABASE\b|DROP\s+DATABASE\b|\/\*!\d+\s+CREATE\s+DATABASE\b|\/\*!\d+\s+USE\s)/i.test(s);
}

/** DEFINER clauses name accounts that may not exist here; drop them everywhere in the statement. */
export function stripDefiners(statement: string): string {
  if (!/DEFINER\s*=/i.test(statement)) return statement;
  return statement.replace(/\bDEFINER\s*=\s*(`(?:[^`]|``)*`|'[^']*'|[^\s@]+)@(`(?:[^`]|``)*`|'[^']*'|[^\s*]+)/gi, '');
}

/** Text for messages: the statement's bytes shown as UTF-8. */
function shown(statement: string): string {
  return firstLine(Buffer.from(statement, 'latin1').toString('utf8'));
}

/** Bytes as latin1 text, one char per byte: the splitter only needs the ASCII syntax. */
async function* asLatin1(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const chunk of source) yield chunk.toString('latin1');
}

/** `conn` must be opened with `rawBytes`, so each statement reaches the server byte for byte. */
export async function stageAddonsServerBackup(opts: { dir: string; conn: Connection; reporter: Reporter }): Promise<{ views: SchemaObject[]; triggers: SchemaObject[]; statements: number }> {
  const { conn, reporter } = opts;
  const file = join(opts.dir, 'db.sql');
  const total = (await stat(file)).size;
  // Sniff before opening the stream: a 'data' listener starts it flowing, and whatever it reads
  // while we await something else is lost.
  const gzip = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  let read = 0;
  raw.on('data', (c) => (read += (c as Buffer).length));
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => source.destroy(e));
  let statements = 0;
  let last = 0;
  try {
    for await (const statement of splitSqlStream(asLatin1(source as AsyncIterable<Buffer>))) {
      if (shouldSkip(statement)) continue;
      try {
        await conn.query(stripDefiners(statement));
      } catch (e) {
        throw new OlympiaError(`db.sql statement ${statements + 1} failed: ${(e as Error).message} (${shown(statement)})`, { cause: e });
      }
      statements++;
      if (Date.now() - last > 500) {
        last = Date.now();
        reporter.progress?.({ label: 'db.sql', rows: statements, bytes: read, totalBytes: total });
      }
    }
  } catch (e) {
    if (e instanceof OlympiaError) throw e;
    throw new OlympiaError(`Cannot read ${file}: ${(e as Error).message}`, { hint: 'The file is truncated or not a SQL dump.', cause: e });
  }
  if (statements === 0) {
    throw new OlympiaError(`${file} holds no SQL statements, so there is nothing to load. Nothing was changed.`, { hint: 'Check that db.sql is a mysqldump of the database.' });
  }
  const [dbRow] = await conn.query('SELECT DATABASE() AS db');
  const db = (dbRow as { db: string }[])[0].db;
  const { views } = await listTables(conn, db);
  const viewDefs = [];
  for (const v of views) viewDefs.push({ name: v, createSql: await showCreateView(conn, db, v) });
  const triggers = (await listTriggers(conn, db)).map(({ name, createSql }) => ({ name, createSql }));
  for (const t of triggers) await conn.query(`DROP TRIGGER ${quoteIdent(t.name)}`);
  for (const v of views) await conn.query(`DROP VIEW ${quoteIdent(v)}`);
  return { views: viewDefs, triggers, statements };
}

/** Extracts storage.tar (tar detects gzip itself) into the staged storage dir. */
export function extractStorageTar(tarFile: string): (stagedDir: string) => Promise<void> {
  return (staged) =>
    new Promise((resolve, reject) => {
      const child = spawn('tar', ['-xf', tarFile, '-C', staged, '--no-same-owner'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('error', (e) => reject(new OlympiaError(`Cannot run tar to extract ${tarFile}: ${e.message}`)));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new OlympiaError(`Extracting ${tarFile} failed (tar exit ${code}): ${err.trim()}`))));
    });
}
