// Reads what a database holds: tables, their columns and keys, views and triggers.
import type { Connection } from './connect.js';
import { quoteIdent, quoteString } from './connect.js';

export interface TableInfo {
  name: string;
  engine: string | null;
  /** Estimates from information_schema, good enough for planning. */
  estimatedRows: number;
  dataBytes: number;
}

export interface ColumnInfo {
  name: string;
  dataType: string;
  generated: boolean;
}

type Row = Record<string, unknown>;

async function rows(conn: Connection, sql: string, params: unknown[] = []): Promise<Row[]> {
  const [r] = await conn.query(sql, params);
  return r as Row[];
}

/** One information_schema read: its statement (the database as its one value) and what its rows mean. */
interface SchemaRead<T> {
  sql: string;
  parse(rows: Row[]): T;
}

// information_schema column names come back upper-case on MySQL 8 and as written on MariaDB:
// alias them all.
const TABLES: SchemaRead<{ tables: TableInfo[]; views: string[] }> = {
  sql: `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, ENGINE AS engine, TABLE_ROWS AS est, DATA_LENGTH AS bytes
          FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`,
  parse(r) {
    const tables: TableInfo[] = [];
    const views: string[] = [];
    for (const t of r) {
      if (t.type === 'VIEW') views.push(String(t.name));
      else if (t.type === 'BASE TABLE')
        tables.push({ name: String(t.name), engine: (t.engine as string) ?? null, estimatedRows: Number(t.est ?? 0), dataBytes: Number(t.bytes ?? 0) });
    }
    return { tables, views };
  },
};

const COLUMNS: SchemaRead<Map<string, ColumnInfo[]>> = {
  sql: `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS name, DATA_TYPE AS type, EXTRA AS extra, GENERATION_EXPRESSION AS gen
          FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  parse(r) {
    const out = new Map<string, ColumnInfo[]>();
    for (const c of r) {
      const list = out.get(String(c.tbl)) ?? [];
      const extra = String(c.extra ?? '').toUpperCase();
      list.push({
        name: String(c.name),
        dataType: String(c.type).toLowerCase(),
        generated: extra.includes('GENERATED') || (c.gen !== null && c.gen !== undefined && String(c.gen) !== ''),
      });
      out.set(String(c.tbl), list);
    }
    return out;
  },
};

// Joining information_schema.COLUMNS here for the types costs MariaDB a noticeable query; COLUMNS
// already has them (see dump/dump-plan.ts splitColumn).
const PRIMARY_KEYS: SchemaRead<Map<string, string[]>> = {
  sql: `SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = ? AND INDEX_NAME = 'PRIMARY' ORDER BY TABLE_NAME, SEQ_IN_INDEX`,
  parse(r) {
    const out = new Map<string, string[]>();
    for (const k of r) out.set(String(k.tbl), [...(out.get(String(k.tbl)) ?? []), String(k.col)]);
    return out;
  },
};

export async function listTables(conn: Connection, db: string): Promise<{ tables: TableInfo[]; views: string[] }> {
  return TABLES.parse(await rows(conn, TABLES.sql, [db]));
}

export interface SchemaLists {
  tables: TableInfo[];
  views: string[];
  columns: Map<string, ColumnInfo[]>;
  /** Primary key columns per table, in key order. */
  primaries: Map<string, string[]>;
}

/** Tables, views, columns and primary keys: in one round trip on a connection that takes several statements. */
export async function readSchemaLists(conn: Connection, db: string): Promise<SchemaLists> {
  const reads = [TABLES, COLUMNS, PRIMARY_KEYS] as const;
  let sets: Row[][];
  if (takesMany(conn)) {
    const [r] = await conn.query(reads.map((q) => q.sql).join(';\n'), [db, db, db]);
    sets = r as Row[][];
  } else {
    sets = [];
    for (const q of reads) sets.push(await rows(conn, q.sql, [db]));
  }
  return { ...TABLES.parse(sets[0]), columns: COLUMNS.parse(sets[1]), primaries: PRIMARY_KEYS.parse(sets[2]) };
}

function secondColumn(r: Row[], wanted: RegExp): string {
  const row = r[0] ?? {};
  const key = Object.keys(row).find((k) => wanted.test(k));
  return key ? String(row[key]) : '';
}

export async function showCreateTable(conn: Connection, db: string, table: string): Promise<string> {
  return (await showCreateMany(conn, db, 'TABLE', [table]))[0];
}

/**
 * At most this many statements, and this many bytes of them, per round trip when a connection takes
 * several at once: a thousand SHOWs of long multibyte names would near half a MB, more than a server
 * with a small max_allowed_packet takes in one query (it would drop the connection).
 */
export const BATCH_STATEMENTS = 1000;
export const BATCH_BYTES = 128 * 1024;

const SHOWN_COLUMN = { TABLE: /^Create Table$/i, VIEW: /^Create View$/i, TRIGGER: /^SQL Original Statement$/i };

/** Whether the connection was opened to take several statements in one query (ConnectOptions.multipleStatements). */
function takesMany(conn: Connection): boolean {
  return (conn as unknown as { config?: { multipleStatements?: boolean } }).config?.multipleStatements === true;
}

/**
 * Runs statements written without placeholders, one row list per statement, in order. On a
 * connection that takes several statements at once they go many to a round trip (BATCH_STATEMENTS,
 * BATCH_BYTES): a database of hundreds of tables would otherwise spend its dump's schema read (with
 * writes frozen) waiting on the network.
 */
export async function resultsOf(conn: Connection, statements: readonly string[]): Promise<Row[][]> {
  const many = takesMany(conn);
  const out: Row[][] = [];
  for (let i = 0; i < statements.length;) {
    let end = i + 1;
    for (let bytes = Buffer.byteLength(statements[i]); many && end < statements.length && end - i < BATCH_STATEMENTS; end++) {
      bytes += Buffer.byteLength(statements[end]) + 2;
      if (bytes > BATCH_BYTES) break;
    }
    const part = statements.slice(i, end);
    const [r] = await conn.query(part.join(';\n'));
    // One statement answers with its rows, several with one row list each.
    out.push(...((part.length === 1 ? [r] : r) as Row[][]));
    i = end;
  }
  if (out.length !== statements.length) throw new Error(`${statements.length} statements answered with ${out.length} results.`);
  return out;
}

/** The names are quoted, so a batch is only ever SHOW statements. */
function showStatements(db: string, kind: 'TABLE' | 'VIEW' | 'TRIGGER', names: readonly string[]): string[] {
  return names.map((n) => `SHOW CREATE ${kind} ${quoteIdent(db)}.${quoteIdent(n)}`);
}

/** The definitions of many objects of one kind, in the order named, batched as `resultsOf` batches. */
export async function showCreateMany(conn: Connection, db: string, kind: 'TABLE' | 'VIEW' | 'TRIGGER', names: readonly string[]): Promise<string[]> {
  return (await resultsOf(conn, showStatements(db, kind, names))).map((rows) => secondColumn(rows, SHOWN_COLUMN[kind]));
}

const TRIGGER_LIST = (db: string) =>
  `SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${quoteString(db)} ORDER BY ACTION_ORDER, TRIGGER_NAME`;

export interface Definitions {
  /** CREATE TABLE of each table named, in order. */
  tables: string[];
  /** CREATE VIEW of each view named, in order, without DEFINER. */
  views: string[];
  triggers: { name: string; table: string; createSql: string }[];
}

/**
 * The definitions of the named tables and views and of every trigger of the database: on a
 * connection that takes several statements, in two round trips for a database of some hundreds of
 * tables (the trigger list comes with the tables, the triggers' definitions after), one when it has
 * no triggers.
 */
export async function readDefinitions(conn: Connection, db: string, tables: readonly string[], views: readonly string[]): Promise<Definitions> {
  const sets = await resultsOf(conn, [TRIGGER_LIST(db), ...showStatements(db, 'TABLE', tables), ...showStatements(db, 'VIEW', views)]);
  const listed = sets[0];
  const triggerSql = await showCreateMany(
    conn,
    db,
    'TRIGGER',
    listed.map((t) => String(t.name)),
  );
  return {
    tables: sets.slice(1, 1 + tables.length).map((rows) => secondColumn(rows, SHOWN_COLUMN.TABLE)),
    views: sets.slice(1 + tables.length).map((rows) => withoutDefiner(secondColumn(rows, SHOWN_COLUMN.VIEW))),
    triggers: listed.map((t, i) => ({ name: String(t.name), table: String(t.tbl), createSql: withoutDefiner(triggerSql[i]) })),
  };
}

/** DEFINER clauses name accounts that may not exist where the backup is loaded. */
export function withoutDefiner(sql: string): string {
  return sql.replace(/\s+DEFINER\s*=\s*(`(?:[^`]|``)*`|'[^']*'|\S+?)@(`(?:[^`]|``)*`|'[^']*'|\S+)/i, '');
}

export async function showCreateView(conn: Connection, db: string, view: string): Promise<string> {
  return (await showCreateViews(conn, db, [view]))[0];
}

export async function showCreateViews(conn: Connection, db: string, views: readonly string[]): Promise<string[]> {
  return (await showCreateMany(conn, db, 'VIEW', views)).map(withoutDefiner);
}

export async function listTriggers(conn: Connection, db: string): Promise<{ name: string; table: string; createSql: string }[]> {
  const r = await rows(conn, TRIGGER_LIST(db));
  const creates = await showCreateMany(
    conn,
    db,
    'TRIGGER',
    r.map((t) => String(t.name)),
  );
  return r.map((t, i) => ({ name: String(t.name), table: String(t.tbl), createSql: withoutDefiner(creates[i]) }));
}
