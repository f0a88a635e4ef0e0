// Reads addons-server backups: a directory with db.sql (a mysqldump, plain or gzip despite its
// name) and storage.tar (plain or gzip). The SQL is replayed into the staging database.
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import type { StatementGuard } from './confinement.js';
import { openRegularFile } from '../core/safe-fs.js';
import type { Reporter } from '../core/reporter.js';
import type { Connection } from '../mysql/connect.js';
import { quoteIdent } from '../mysql/connect.js';
import { firstLine, splitSqlStream } from '../mysql/sql-splitter.js';
import { listTables, listTriggers, showCreateView } from '../mysql/schema.js';
import type { SchemaObject } from './swap-database.js';

// The server's answers to a statement the account has no right to run.
const ACCESS_DENIED = new Set([1044, 1045, 1142, 1143, 1227, 1370, 1410]);

function isAccessDenied(e: unknown): boolean {
  return ACCESS_DENIED.has(Number((e as { errno?: number }).errno));
}

/** Text for messages: the statement's bytes shown as UTF-8. */
function shown(statement: string): string {
  return firstLine(Buffer.from(statement, 'latin1').toString('utf8'));
}

/** Bytes as latin1 text, one char per byte: the splitter only needs the ASCII syntax. */
async function* asLatin1(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  for await (const chunk of source) yield chunk.toString('latin1');
}

/**
 * Replays db.sql into `stage` on `conn`, a connection of the load's confinement opened with
 * `rawBytes` (each statement reaches the server byte for byte); `guard` skips dump noise (USE,
 * CREATE DATABASE) and, where the load cannot confine by privileges, refuses what could act
 * outside the staging database.
 */
export async function stageAddonsServerBackup(opts: {
  dir: string;
  conn: Connection;
  stage: string;
  reporter: Reporter;
  guard: StatementGuard;
}): Promise<{ views: SchemaObject[]; triggers: SchemaObject[]; statements: number }> {
  const { conn, reporter } = opts;
  const file = join(opts.dir, 'db.sql');
  // Never through a link: its target's first line would end up in an error message.
  const fh = await openRegularFile(file);
  if (typeof fh === 'string') {
    throw new IntegrityError(`${file} is ${fh}; olympia-data reads only a regular db.sql from a backup. Nothing was changed.`, 'Put the SQL dump itself in the backup directory.');
  }
  const total = (await fh.stat()).size;
  // Sniff before opening the stream: a 'data' listener starts it flowing, and whatever it reads
  // while we await something else is lost.
  const head = await fh.read(Buffer.alloc(2), 0, 2, 0);
  const gzip = head.bytesRead === 2 && head.buffer[0] === 0x1f && head.buffer[1] === 0x8b;
  const raw = fh.createReadStream({ highWaterMark: 1 << 20, start: 0 });
  let read = 0;
  raw.on('data', (c) => (read += (c as Buffer).length));
  const source = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => source.destroy(e));
  let statements = 0;
  let last = 0;
  try {
    for await (const statement of splitSqlStream(asLatin1(source as AsyncIterable<Buffer>))) {
      const where = `db.sql statement ${statements + 1} (${shown(statement)})`;
      const vetted = opts.guard.vet(statement, where);
      if (!vetted) continue;
      try {
        await conn.query(vetted.sql);
        if (vetted.kind === 'SET') await opts.guard.checkSession(conn, where);
      } catch (e) {
        if (e instanceof OlympiaError) throw e;
        if (isAccessDenied(e)) {
          throw new IntegrityError(
            `db.sql statement ${statements + 1} was refused by the server: ${(e as Error).message} (${shown(statement)}). Nothing was changed.`,
            'A backup may act only on its own tables; this one reaches further. Load a backup you trust, or remove that statement.',
          );
        }
        throw new OlympiaError(`db.sql statement ${statements + 1} failed: ${(e as Error).message} (${shown(statement)}). Nothing was changed.`, { cause: e });
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
  const db = opts.stage;
  const { views } = await listTables(conn, db);
  const viewDefs = [];
  for (const v of views) viewDefs.push({ name: v, createSql: await showCreateView(conn, db, v) });
  const triggers = (await listTriggers(conn, db)).map(({ name, createSql }) => ({ name, createSql }));
  for (const t of triggers) await conn.query(`DROP TRIGGER ${quoteIdent(db)}.${quoteIdent(t.name)}`);
  for (const v of views) await conn.query(`DROP VIEW ${quoteIdent(db)}.${quoteIdent(v)}`);
  return { views: viewDefs, triggers, statements };
}
