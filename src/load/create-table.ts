// Splits SHOW CREATE TABLE output into the statement that creates the bare table (columns, primary
// key, checks) and the ALTERs that add secondary indexes and foreign keys once the rows are in:
// building indexes after a bulk load is much faster than maintaining them row by row, for big tables.
// For a small one the ALTER (another pass over the table, another round trip) costs more than the
// upkeep it saves, so it is created whole.
import { quoteIdent } from '../mysql/connect.js';

export interface SplitCreateTable {
  create: string;
  /** ALTER TABLE statements to run after the data is loaded (may be empty). */
  deferred: string[];
}

const DEFERRABLE = /^\s*(UNIQUE KEY|KEY|FULLTEXT KEY|SPATIAL KEY|UNIQUE INDEX|INDEX|FULLTEXT INDEX|CONSTRAINT\s+`(?:[^`]|``)*`\s+FOREIGN KEY)\b/i;

function firstIndexColumn(line: string): string | undefined {
  const m = /\(\s*`((?:[^`]|``)*)`/.exec(line.replace(/^\s*(?:CONSTRAINT\s+`(?:[^`]|``)*`\s+)?\w+(?:\s+\w+)?\s+`(?:[^`]|``)*`\s*/, ' '));
  return m?.[1];
}

/** Data files at least this big load into a bare table and get their indexes afterwards. */
export const DEFER_INDEXES_MIN_BYTES = 16 * 1024 * 1024;

/** How one table of a backup is created: whole when its data is small, else split (see above). */
export function tableCreation(table: string, createSql: string, dataBytes: number): SplitCreateTable {
  return dataBytes >= DEFER_INDEXES_MIN_BYTES ? splitCreateTable(table, createSql) : { create: createSql, deferred: [] };
}

/**
 * Each column's type, as the first word after its name in a SHOW CREATE TABLE definition (`varchar`,
 * `json`, `enum`…, the names information_schema gives as DATA_TYPE). Only the INSERT path's choice of
 * literal depends on it, and every literal it can choose is safe SQL: a definition written to mislead
 * gets wrong or refused values in its own staging table, nothing more.
 */
export function columnTypes(createSql: string): Map<string, string> {
  const types = new Map<string, string>();
  const lines = createSql.split('\n');
  const closeAt = lines.findIndex((l, i) => i > 0 && /^\)/.test(l));
  for (const line of lines.slice(1, closeAt < 0 ? lines.length : closeAt)) {
    const m = /^\s*`((?:[^`]|``)*)`\s+([A-Za-z][A-Za-z0-9_]*)/.exec(line);
    if (m && !types.has(m[1].replace(/``/g, '`'))) types.set(m[1].replace(/``/g, '`'), m[2].toLowerCase());
  }
  return types;
}

export function splitCreateTable(table: string, createSql: string): SplitCreateTable {
  const lines = createSql.split('\n');
  const closeAt = lines.findIndex((l, i) => i > 0 && /^\)/.test(l));
  if (!/^CREATE TABLE/i.test(lines[0] ?? '') || closeAt < 0) return { create: createSql, deferred: [] };

  const body = lines.slice(1, closeAt).map((l) => l.replace(/,\s*$/, ''));
  const autoInc = body.find((l) => /^\s*`/.test(l) && /\bAUTO_INCREMENT\b/i.test(l));
  const autoIncColumn = autoInc ? /^\s*`((?:[^`]|``)*)`/.exec(autoInc)?.[1] : undefined;
  const primary = body.find((l) => /^\s*PRIMARY KEY/i.test(l));
  // An AUTO_INCREMENT column must lead some index at all times, so a key it leads stays put
  // unless the primary key already starts with it.
  let autoIncCovered = autoIncColumn === undefined || (primary !== undefined && /\(\s*`((?:[^`]|``)*)`/.exec(primary)?.[1] === autoIncColumn);

  const kept: string[] = [];
  const plain: string[] = [];
  const fulltext: string[] = [];
  for (const line of body) {
    if (!DEFERRABLE.test(line)) {
      kept.push(line);
      continue;
    }
    const isForeignKey = /^\s*CONSTRAINT/i.test(line);
    if (!isForeignKey && !autoIncCovered && firstIndexColumn(line) === autoIncColumn) {
      kept.push(line);
      autoIncCovered = true;
      continue;
    }
    const clause = 'ADD ' + line.trim();
    if (/^\s*FULLTEXT/i.test(line)) fulltext.push(clause);
    else plain.push(clause);
  }
  const create = [lines[0], kept.join(',\n'), ...lines.slice(closeAt)].join('\n');
  const alter = `ALTER TABLE ${quoteIdent(table)} `;
  // InnoDB builds one FULLTEXT index per ALTER.
  const deferred = [...(plain.length ? [alter + plain.join(', ')] : []), ...fulltext.map((c) => alter + c)];
  return { create, deferred };
}
