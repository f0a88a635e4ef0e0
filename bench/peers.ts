// The tools we measure ourselves against, as argument lists (pure) plus a PATH lookup. Passwords
// go through the environment or a separate argument so the printed command never shows them.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Tool } from './args.js';

export interface Server {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface Invocation {
  command: string;
  args: string[];
  /** Extra environment (e.g. MYSQL_PWD). */
  env: Record<string, string>;
  /** The command as it can be shown to the user (password masked). */
  display: string;
}

/** The binaries each peer needs, and how to install them on Debian/Ubuntu. */
export const REQUIRED: Record<Exclude<Tool, 'ours'>, { binaries: string[]; install: string }> = {
  mysqldump: { binaries: ['mysqldump', 'mysql'], install: 'sudo apt-get install mariadb-client   (or mysql-client)' },
  mydumper: { binaries: ['mydumper', 'myloader'], install: 'sudo apt-get install mydumper' },
};

export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The binaries of `tool` that are missing, empty when it can run. */
export function missingBinaries(tool: Exclude<Tool, 'ours'>, path?: string): string[] {
  return REQUIRED[tool].binaries.filter((b) => !findOnPath(b, path));
}

function show(command: string, args: string[], redirect = ''): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [command, ...args.map(q)].join(' ') + redirect;
}

function clientArgs(s: Server): string[] {
  return [`--host=${s.host}`, `--port=${s.port}`, `--user=${s.user}`];
}

/** `mysqldump --single-transaction --quick db > file` (MYSQL_PWD carries the password). */
export function mysqldumpDump(s: Server, db: string, file: string): Invocation {
  const args = [...clientArgs(s), '--single-transaction', '--quick', '--default-character-set=utf8mb4', db];
  return { command: 'mysqldump', args, env: { MYSQL_PWD: s.password }, display: show('mysqldump', args, ` > ${file}`) };
}

/** `mysql db < file` into an existing empty database. */
export function mysqlLoad(s: Server, db: string, file: string): Invocation {
  const args = [...clientArgs(s), '--default-character-set=utf8mb4', db];
  return { command: 'mysql', args, env: { MYSQL_PWD: s.password }, display: show('mysql', args, ` < ${file}`) };
}

function mydumperAuth(s: Server): { args: string[]; shown: string[] } {
  const base = ['--host', s.host, '--port', String(s.port), '--user', s.user];
  return { args: [...base, '--password', s.password], shown: [...base, '--password', '***'] };
}

/** `mydumper -t N [--rows R] -B db -o dir`. */
export function mydumperDump(s: Server, db: string, dir: string, threads: number, rows: number): Invocation {
  const rest = ['--database', db, '--outputdir', dir, '--threads', String(threads), '--triggers', ...(rows > 0 ? ['--rows', String(rows)] : []), '--verbose', '1'];
  const auth = mydumperAuth(s);
  return { command: 'mydumper', args: [...auth.args, ...rest], env: {}, display: show('mydumper', [...auth.shown, ...rest]) };
}

/** `myloader -t N -d dir -B db -o`. */
export function myloaderLoad(s: Server, db: string, dir: string, threads: number): Invocation {
  const rest = ['--directory', dir, '--database', db, '--threads', String(threads), '--overwrite-tables', '--verbose', '1'];
  const auth = mydumperAuth(s);
  return { command: 'myloader', args: [...auth.args, ...rest], env: {}, display: show('myloader', [...auth.shown, ...rest]) };
}
