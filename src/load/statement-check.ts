// Reads a backup's SQL statements the way the server's lexer does (strings, quoted names, comments,
// and executable comments that the server runs depending on its version), to:
// - tell dump noise that must not run (USE, CREATE/DROP DATABASE) from statements that should;
// - in `checked` mode (no load account could be made), refuse a statement that could act outside
//   the database it runs in: an allow-list of statement kinds, no name qualified by another
//   database, no file functions, no storage engines that reach outside the server;
// - rewrite a backup's views, triggers and tables into statements the load controls.
// Pure: no I/O.
import { IntegrityError } from '../core/errors.js';
import type { ServerFlavor } from '../mysql/server-flavor.js';

export type { ServerFlavor };

export interface Token {
  kind: 'word' | 'ident' | 'string' | 'number' | 'op' | 'var';
  text: string;
  /** word: upper-cased; ident: the name; var: upper-cased for @@ forms; others: the text. */
  value: string;
  start: number;
  end: number;
}

const isWordChar = (c: string) => /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

function unterminated(what: string): never {
  throw new IntegrityError(`A statement of the backup has an unterminated ${what}.`, 'The backup is damaged or was not written by a MySQL dump tool.');
}

function quotedEnd(sql: string, from: number, quote: string, backslash: boolean): number {
  let i = from + 1;
  for (;;) {
    if (i >= sql.length) unterminated(quote === '`' ? 'quoted name' : 'string');
    const c = sql[i];
    if (backslash && c === '\\') i += 2;
    else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
}

export function tokenize(sql: string, server: ServerFlavor): Token[] {
  const out: Token[] = [];
  let i = 0;
  let inExec = false;
  const push = (kind: Token['kind'], start: number, end: number, value?: string) => {
    const text = sql.slice(start, end);
    out.push({ kind, text, value: value ?? text, start, end });
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1] ?? '';
    if (isSpace(c)) {
      i++;
    } else if (c === '#' || (c === '-' && next === '-' && (i + 2 >= sql.length || sql.charCodeAt(i + 2) <= 32))) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (inExec && c === '*' && next === '/') {
      inExec = false;
      i += 2;
    } else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      let code = false;
      let body = i + 2;
      const m = /^(M?)!(\d{5,6})?/.exec(sql.slice(i + 2, i + 10));
      if (m && !inExec) {
        const version = m[2] ? Number(m[2]) : 0;
        code = (m[1] === 'M' ? server.mariadb : true) && version <= server.version;
        body = i + 2 + m[0].length;
      }
      if (code) {
        inExec = true;
        i = body;
      } else {
        if (close < 0) unterminated('comment');
        i = close + 2;
      }
    } else if (c === "'" || c === '"') {
      const end = quotedEnd(sql, i, c, true);
      push('string', i, end);
      i = end;
    } else if (c === '`') {
      const end = quotedEnd(sql, i, '`', false);
      push('ident', i, end, sql.slice(i + 1, end - 1).replace(/``/g, '`'));
      i = end;
    } else if (c === '@') {
      let j = i + 1;
      if (sql[j] === '@') {
        j++;
        while (j < sql.length && (isWordChar(sql[j]) || sql[j] === '.')) j++;
        push('var', i, j, sql.slice(i, j).toUpperCase());
      } else if (sql[j] === "'" || sql[j] === '"' || sql[j] === '`') {
        j = quotedEnd(sql, j, sql[j], sql[j] !== '`');
        push('var', i, j);
      } else {
        while (j < sql.length && (isWordChar(sql[j]) || sql[j] === '.')) j++;
        push('var', i, j);
      }
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      let j = i + m[0].length;
      if (j < sql.length && isWordChar(sql[j]) && !m[0].includes('.')) {
        // A name that starts with digits (1abc), or 0x1F / 0b01.
        while (j < sql.length && isWordChar(sql[j])) j++;
        push('word', i, j, sql.slice(i, j).toUpperCase());
      } else push('number', i, j);
      i = j;
    } else if (isWordChar(c)) {
      let j = i;
      while (j < sql.length && isWordChar(sql[j])) j++;
      push('word', i, j, sql.slice(i, j).toUpperCase());
      i = j;
    } else {
      const op = /^(<=>|->>|:=|<=|>=|<>|!=|\|\||&&|->|<<|>>)/.exec(sql.slice(i))?.[0] ?? c;
      push('op', i, i + op.length);
      i += op.length;
    }
  }
  if (inExec) unterminated('executable comment');
  return out;
}

export interface CheckContext {
  server: ServerFlavor;
  /** Lower-cased names of the tables and views the backup defines; may name a qualifier. */
  tables: ReadonlySet<string>;
}

/**
 * `always`: refused in every mode, as privileges do not stop it (a storage engine or table option
 * that reaches outside the server's data).
 */
export type CheckResult =
  { action: 'run'; kind: string; created?: string } | { action: 'skip'; kind: string; why: string } | { action: 'refuse'; kind: string; why: string; always?: boolean };

const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'ident' || t.kind === 'word');
/** A name as written: a quoted one unquoted, a bare word as it stands (its value is upper-cased). */
const nameOf = (t: Token) => (t.kind === 'ident' ? t.value : t.text);
const word = (t: Token | undefined) => (t?.kind === 'word' ? t.value : '');
const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.text === op;

/** Index past a DEFINER = user clause starting at `i` (which holds DEFINER), or `i` when there is none. */
function skipDefiner(t: Token[], i: number): number {
  if (word(t[i]) !== 'DEFINER' || !isOp(t[i + 1], '=')) return i;
  let j = i + 2;
  if (word(t[j]) === 'CURRENT_USER') {
    j++;
    if (isOp(t[j], '(') && isOp(t[j + 1], ')')) j += 2;
    return j;
  }
  if (t[j] && (isName(t[j]) || t[j].kind === 'string')) j++;
  if (t[j]?.kind === 'var') j++;
  return j;
}

/** Index of the object keyword after CREATE and its modifiers (OR REPLACE, ALGORITHM=, DEFINER=, SQL SECURITY, TEMPORARY). */
function afterCreateModifiers(t: Token[], i: number): number {
  for (;;) {
    const w = word(t[i]);
    if (w === 'OR' && word(t[i + 1]) === 'REPLACE') i += 2;
    else if (w === 'ALGORITHM' && isOp(t[i + 1], '=')) i += 3;
    else if (w === 'DEFINER') {
      const j = skipDefiner(t, i);
      if (j === i) return i;
      i = j;
    } else if (w === 'SQL' && word(t[i + 1]) === 'SECURITY') i += 3;
    else if (w === 'TEMPORARY' || w === 'UNIQUE' || w === 'FULLTEXT' || w === 'SPATIAL' || w === 'ONLINE' || w === 'IGNORE') i++;
    else return i;
  }
}

function skipIfExists(t: Token[], i: number): number {
  if (word(t[i]) === 'IF' && word(t[i + 1]) === 'NOT' && word(t[i + 2]) === 'EXISTS') return i + 3;
  if (word(t[i]) === 'IF' && word(t[i + 1]) === 'EXISTS') return i + 2;
  return i;
}

const ENGINES = new Set(['INNODB', 'MYISAM', 'ARIA', 'MEMORY', 'HEAP', 'CSV', 'ARCHIVE', 'BLACKHOLE']);
// Engines whose tables read or write another server or arbitrary files: no privilege stops them.
const REMOTE_ENGINES = new Set(['FEDERATED', 'FEDERATEDX', 'CONNECT', 'SPIDER', 'S3']);
// After these, a name is a table (or another schema object), never a column: a qualifier there is a database.
const TABLE_POSITION = new Set(['FROM', 'JOIN', 'STRAIGHT_JOIN', 'INTO', 'UPDATE', 'TABLE', 'TABLES', 'REFERENCES', 'USING', 'FOR', 'CALL']);
// Where a FROM list ends.
const FROM_ENDS = new Set([
  'WHERE',
  'ON',
  'GROUP',
  'ORDER',
  'HAVING',
  'LIMIT',
  'WINDOW',
  'UNION',
  'SET',
  'VALUES',
  'SELECT',
  'INTERSECT',
  'EXCEPT',
  'FOR',
  'LOCK',
  'INTO',
  'RETURNING',
]);

type Kind = { kind: string; skip?: string; object?: 'table' | 'view' | 'trigger' | 'index'; nameAt?: number; allQualifiedRefused?: boolean };

function classify(t: Token[]): Kind | { refuse: string; kind: string } {
  const w0 = word(t[0]);
  const w1 = word(t[1]);
  switch (w0) {
    case 'USE':
      return { kind: 'USE', skip: 'the load chooses the database' };
    case 'CREATE': {
      const at = afterCreateModifiers(t, 1);
      const obj = word(t[at]);
      if (obj === 'DATABASE' || obj === 'SCHEMA') return { kind: `CREATE ${obj}`, skip: 'the load creates its own database' };
      if (obj === 'TABLE') return { kind: 'CREATE TABLE', object: 'table', nameAt: skipIfExists(t, at + 1) };
      if (obj === 'VIEW') return { kind: 'CREATE VIEW', object: 'view', nameAt: skipIfExists(t, at + 1) };
      if (obj === 'TRIGGER') return { kind: 'CREATE TRIGGER', object: 'trigger', nameAt: skipIfExists(t, at + 1) };
      if (obj === 'INDEX' || obj === 'KEY') return { kind: 'CREATE INDEX', object: 'index' };
      return { refuse: 'is not a statement a backup may run', kind: `CREATE ${obj}`.trim() };
    }
    case 'DROP': {
      const at = word(t[1]) === 'TEMPORARY' ? 2 : 1;
      const obj = word(t[at]);
      if (obj === 'DATABASE' || obj === 'SCHEMA') return { kind: `DROP ${obj}`, skip: 'the load replaces the database as a whole' };
      if (obj === 'TABLE' || obj === 'TABLES' || obj === 'VIEW' || obj === 'TRIGGER' || obj === 'INDEX') return { kind: `DROP ${obj}`, allQualifiedRefused: obj !== 'INDEX' };
      return { refuse: 'is not a statement a backup may run', kind: `DROP ${obj}`.trim() };
    }
    case 'ALTER':
      if ([w1, word(t[2])].includes('TABLE')) return { kind: 'ALTER TABLE' };
      return { refuse: 'is not a statement a backup may run', kind: `ALTER ${w1}`.trim() };
    case 'SET':
      return { kind: 'SET' };
    case 'INSERT':
    case 'REPLACE':
    case 'UPDATE':
    case 'DELETE':
      return { kind: w0 };
    case 'TRUNCATE':
    case 'LOCK':
      return { kind: w0, allQualifiedRefused: true };
    case 'UNLOCK':
    case 'COMMIT':
    case 'ROLLBACK':
    case 'SAVEPOINT':
    case 'RELEASE':
      return { kind: w0 };
    case 'START':
      if (w1 === 'TRANSACTION') return { kind: 'START TRANSACTION' };
      break;
    case 'BEGIN':
      if (t.length === 1 || (t.length === 2 && w1 === 'WORK')) return { kind: 'BEGIN' };
      break;
  }
  return { refuse: 'is not a statement a backup may run', kind: t[0].kind === 'word' ? w0 : t[0].text };
}

/** Identifiers declared as aliases: after AS, or right after a name in a FROM list. */
function aliases(t: Token[], tables: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (let i = 1; i < t.length; i++) {
    if (!isName(t[i])) continue;
    const prev = t[i - 1];
    if (word(prev) === 'AS' || (isName(prev) && tables.has(prev.value.toLowerCase()) && t[i].kind === 'ident')) out.add(t[i].value.toLowerCase());
  }
  return out;
}

function refuseOf(kind: string, why: string, always = false): CheckResult {
  return always ? { action: 'refuse', kind, why, always } : { action: 'refuse', kind, why };
}

export function checkBackupStatement(sql: string, ctx: CheckContext): CheckResult {
  const t = tokenize(sql, ctx.server);
  if (t.length === 0) return { action: 'skip', kind: 'comment', why: 'it holds no statement' };
  const c = classify(t);
  if ('refuse' in c) return refuseOf(c.kind, c.refuse);
  if (c.skip) return { action: 'skip', kind: c.kind, why: c.skip };
  const kind = c.kind;

  if (kind === 'SET') {
    if (['PASSWORD', 'ROLE', 'DEFAULT'].includes(word(t[1]))) return refuseOf(kind, `changes an account (SET ${word(t[1])})`);
    // Its settings (sql_mode, character sets) change how the server reads the statement after FOR.
    if (word(t[1]) === 'STATEMENT') return refuseOf(kind, 'runs a statement under other settings (SET STATEMENT … FOR)', true);
    for (const x of t) {
      if (['GLOBAL', 'PERSIST', 'PERSIST_ONLY'].includes(word(x)) || (x.kind === 'var' && /^@@(GLOBAL|PERSIST)/.test(x.value))) {
        return refuseOf(kind, `changes a server-wide setting (${x.text})`);
      }
    }
  }

  for (let i = 0; i < t.length; i++) {
    const w = word(t[i]);
    if (w === 'LOAD_FILE' || w === 'OUTFILE' || w === 'DUMPFILE') return refuseOf(kind, `reads or writes files on the server (${w})`);
    if (w === 'LOAD' && ['DATA', 'XML'].includes(word(t[i + 1]))) return refuseOf(kind, 'reads files (LOAD DATA)');
  }

  if (kind === 'CREATE TABLE' || kind === 'ALTER TABLE') {
    for (let i = 0; i < t.length; i++) {
      const w = word(t[i]);
      if (w === 'DIRECTORY') return refuseOf(kind, "places files outside the server's data directory (DATA/INDEX DIRECTORY)", true);
      if (w === 'CONNECTION' && (isOp(t[i + 1], '=') || t[i + 1]?.kind === 'string')) return refuseOf(kind, 'connects to another server (CONNECTION)', true);
      if (w === 'UNION' && (isOp(t[i + 1], '=') || isOp(t[i + 1], '('))) return refuseOf(kind, 'merges other tables (UNION)');
      if ((w === 'ENGINE' || w === 'TYPE') && (isOp(t[i + 1], '=') || isName(t[i + 1]))) {
        const engine = t[isOp(t[i + 1], '=') ? i + 2 : i + 1];
        // ENGINE='name' is accepted by the server too.
        const name = engine === undefined ? '' : engine.kind === 'string' ? engine.text.slice(1, -1) : isName(engine) ? nameOf(engine) : '';
        if (name && !ENGINES.has(name.toUpperCase())) {
          const remote = REMOTE_ENGINES.has(name.toUpperCase());
          return refuseOf(kind, `uses the storage engine ${name}${remote ? ', which reaches other servers or files' : ', which this mode does not allow'}`, remote);
        }
      }
    }
  }

  // Qualified names: a table position never takes a qualifier (it would name a database); elsewhere
  // only NEW/OLD, a table of the backup or an alias may qualify a column.
  const known = aliases(t, ctx.tables);
  // The table of CREATE TRIGGER/INDEX … ON tbl (a later ON is a join condition).
  const onAt = c.object === 'trigger' || c.object === 'index' ? t.findIndex((x) => word(x) === 'ON') : -1;
  let depth = 0;
  let fromDepth = -1;
  for (let i = 0; i < t.length; i++) {
    const x = t[i];
    if (isOp(x, '(')) depth++;
    else if (isOp(x, ')')) {
      depth--;
      if (depth < fromDepth) fromDepth = -1;
    }
    const w = word(x);
    // UPDATE a, b SET … lists tables as FROM does.
    if (w === 'FROM' || w === 'JOIN' || w === 'STRAIGHT_JOIN' || (w === 'UPDATE' && !['KEY', 'FOR'].includes(word(t[i - 1])))) fromDepth = depth;
    else if (FROM_ENDS.has(w) && depth === fromDepth) fromDepth = -1;
    if (!isName(x) || !isOp(t[i + 1], '.')) continue;
    const parts = [x];
    let j = i + 1;
    while (isOp(t[j], '.') && (isName(t[j + 1]) || isOp(t[j + 1], '*'))) {
      parts.push(t[j + 1]);
      j += 2;
    }
    if (parts.length < 2) continue;
    const shown = parts.map((p) => p.text).join('.');
    const prev = t[i - 1];
    const tablePosition =
      c.allQualifiedRefused ||
      TABLE_POSITION.has(word(prev)) ||
      (fromDepth >= 0 && depth === fromDepth && (isOp(prev, ',') || isOp(prev, '('))) ||
      (c.nameAt !== undefined && i === c.nameAt) ||
      (onAt >= 0 && i === onAt + 1) ||
      (word(prev) === 'LIKE' && kind === 'CREATE TABLE');
    const q = x.value.toLowerCase();
    if (parts.length > 2 || tablePosition || isOp(t[j], '(') || !(q === 'new' || q === 'old' || ctx.tables.has(q) || known.has(q))) {
      return refuseOf(kind, `it names another database ("${shown}")`);
    }
    i = j - 1;
  }

  let created: string | undefined;
  if ((c.object === 'table' || c.object === 'view') && isName(t[c.nameAt!])) created = nameOf(t[c.nameAt!]);
  return created === undefined ? { action: 'run', kind } : { action: 'run', kind, created };
}

/**
 * The statement without its DEFINER clauses (a dump's views, triggers and routines name accounts
 * that may not exist here), cut on tokens: text inside strings and comments is never touched.
 */
export function withoutDefiners(sql: string, server: ServerFlavor): string {
  if (!/DEFINER/i.test(sql)) return sql;
  const t = tokenize(sql, server);
  let out = '';
  let from = 0;
  for (let i = 0; i < t.length; i++) {
    const end = skipDefiner(t, i);
    if (end === i) continue;
    out += sql.slice(from, t[i].start);
    from = t[end - 1].end;
    i = end - 1;
  }
  return out + sql.slice(from);
}

function malformed(what: string, name: string, problem: string): never {
  throw new IntegrityError(`${what} "${name}" in the backup ${problem}. Nothing was changed.`, 'The backup is damaged or was crafted; dump it again from a database you trust.');
}

/** The object's name token at `at`: exactly `name`, unqualified. */
function expectName(t: Token[], at: number, name: string, what: string): void {
  const n = t[at];
  if (!isName(n) || isOp(t[at + 1], '.')) malformed(what, name, `is not a CREATE ${what.toUpperCase()} statement for an unqualified "${name}"`);
  if (nameOf(n) !== name) malformed(what, name, `creates "${nameOf(n)}" instead`);
}

function quoteName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/**
 * A view's statement as the load runs it: no DEFINER, no OR REPLACE, always SQL SECURITY INVOKER
 * (the reader's rights apply, never those of whoever created it); the rest kept as it is.
 */
export function viewStatement(name: string, sql: string, server: ServerFlavor): string {
  const t = tokenize(sql, server);
  if (word(t[0]) !== 'CREATE') malformed('View', name, 'is not a CREATE VIEW statement');
  let algorithm = 'UNDEFINED';
  for (let i = 1; i < t.length && word(t[i]) !== 'VIEW'; i++) if (word(t[i]) === 'ALGORITHM' && isOp(t[i + 1], '=') && isName(t[i + 2])) algorithm = t[i + 2].value.toUpperCase();
  const at = afterCreateModifiers(t, 1);
  if (word(t[at]) !== 'VIEW') malformed('View', name, 'is not a CREATE VIEW statement');
  if (!['UNDEFINED', 'MERGE', 'TEMPTABLE'].includes(algorithm)) malformed('View', name, `has an unknown ALGORITHM ${algorithm}`);
  const nameAt = skipIfExists(t, at + 1);
  expectName(t, nameAt, name, 'View');
  return `CREATE ALGORITHM=${algorithm} SQL SECURITY INVOKER VIEW ${quoteName(name)}${sql.slice(t[nameAt].end)}`;
}

/** A trigger's statement as the load runs it: without its DEFINER (it runs as the account that creates it). */
export function triggerStatement(name: string, sql: string, server: ServerFlavor): { sql: string; table: string } {
  const t = tokenize(sql, server);
  if (word(t[0]) !== 'CREATE') malformed('Trigger', name, 'is not a CREATE TRIGGER statement');
  const at = skipDefiner(t, 1);
  if (word(t[at]) !== 'TRIGGER') malformed('Trigger', name, 'is not a CREATE TRIGGER statement');
  const nameAt = createdNotFound(t, at + 1, 'Trigger', name);
  expectName(t, nameAt, name, 'Trigger');
  let i = nameAt + 1;
  if (!['BEFORE', 'AFTER'].includes(word(t[i])) || !['INSERT', 'UPDATE', 'DELETE'].includes(word(t[i + 1])) || word(t[i + 2]) !== 'ON') {
    malformed('Trigger', name, 'does not say BEFORE/AFTER INSERT/UPDATE/DELETE ON a table');
  }
  i += 3;
  const table = t[i];
  if (!isName(table) || isOp(t[i + 1], '.')) malformed('Trigger', name, 'is on a table of another database');
  return { sql: `CREATE ${sql.slice(t[at].start)}`, table: nameOf(table) };
}

/**
 * Where the name is in a CREATE without IF NOT EXISTS. A load into an empty database drops, should it
 * fail, what it created: a statement that may find the object instead (one another client just made)
 * would have it drop that.
 */
function createdNotFound(t: Token[], at: number, what: string, name: string): number {
  if (skipIfExists(t, at) !== at) malformed(what, name, 'says IF NOT EXISTS; a backup creates its objects, it does not take ones it finds');
  return at;
}

/** A table's statement: must create exactly `name`, unqualified, from a column list (not SELECT or LIKE). */
export function tableStatement(name: string, sql: string, server: ServerFlavor): string {
  const t = tokenize(sql, server);
  if (word(t[0]) !== 'CREATE' || word(t[1]) !== 'TABLE') malformed('Table', name, 'is not a CREATE TABLE statement');
  const nameAt = createdNotFound(t, 2, 'Table', name);
  expectName(t, nameAt, name, 'Table');
  if (!isOp(t[nameAt + 1], '(')) malformed('Table', name, 'does not define its columns');
  return sql;
}
