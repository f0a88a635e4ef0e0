// Turns MySQL rows into Elasticsearch documents: the row's columns become the document's fields, the id
// column's value becomes its _id. Values Elasticsearch would reject or misread are adjusted by column type
// (known from the result's field metadata, so rows that need nothing cost nothing extra):
//   DATETIME/TIMESTAMP "2024-01-02 03:04:05" → "2024-01-02T03:04:05" (the default date format wants the T;
//   zero dates become null), TINYINT(1) → true/false (boolean fields refuse 0/1), binary → base64, and
//   MariaDB's JSON text → the JSON value, as MySQL 8 already gives it.
import { OlympiaError } from '../core/errors.js';

/** The parts of mysql2's FieldPacket we read. */
export interface ColumnInfo {
  name: string;
  type?: number;
  columnLength?: number;
  characterSet?: number;
  /** MariaDB 10.5+: "json" for JSON columns, which it sends as text (MySQL 8 sends JSON, parsed by mysql2). */
  extendedFormat?: string;
}

// MySQL protocol column types (include/field_types.h).
const T = {
  TINY: 1,
  TIMESTAMP: 7,
  DATE: 10,
  DATETIME: 12,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;
const BINARY_CHARSET = 63;

const DATE_TYPES = new Set<number>([T.TIMESTAMP, T.DATE, T.DATETIME, T.NEWDATE, T.TIMESTAMP2, T.DATETIME2]);
const STRING_TYPES = new Set<number>([T.VARCHAR, T.TINY_BLOB, T.MEDIUM_BLOB, T.LONG_BLOB, T.BLOB, T.VAR_STRING, T.STRING]);

type Fix = (v: unknown) => unknown;

const toIsoDate: Fix = (v) => (typeof v === 'string' ? (v.startsWith('0000-00-00') ? null : v.replace(' ', 'T')) : v);
const toBoolean: Fix = (v) => (v === null || v === undefined ? v : Number(v) !== 0);
const parseJson: Fix = (v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};
const toBase64: Fix = (v) => (Buffer.isBuffer(v) ? v.toString('base64') : v);

function fixFor(c: ColumnInfo): Fix | undefined {
  if (c.extendedFormat === 'json') return parseJson;
  if (c.type === undefined) return undefined;
  if (DATE_TYPES.has(c.type)) return toIsoDate;
  if (c.type === T.TINY && c.columnLength === 1) return toBoolean;
  if (c.type === T.BIT || c.type === T.GEOMETRY) return toBase64;
  if (STRING_TYPES.has(c.type) && c.characterSet === BINARY_CHARSET) return toBase64;
  return undefined;
}

export interface Document {
  id: string;
  /** The document serialized once; the bulk helper sends strings as they are. */
  json: string;
}

/** Builds the row → document function for one result set; fails when the id column is missing. */
export function rowConverter(columns: ColumnInfo[], idColumn: string, alias: string): (row: Record<string, unknown>) => Document {
  if (!columns.some((c) => c.name === idColumn)) {
    throw new OlympiaError(
      `The query of index ${alias} returns no column "${idColumn}" to use as the document id; it returns: ${columns.map((c) => c.name).join(', ') || 'no columns'}.`,
      {
        hint: `Select the id column (e.g. \`SELECT id, …\`) or change "id" in the index definition.`,
      },
    );
  }
  const fixes: [string, Fix][] = [];
  for (const c of columns) {
    const fix = fixFor(c);
    if (fix) fixes.push([c.name, fix]);
  }
  return (row) => {
    for (const [name, fix] of fixes) row[name] = fix(row[name]);
    const id = row[idColumn];
    if (id === null || id === undefined || id === '') {
      throw new OlympiaError(`A row of index ${alias} has no value in its id column "${idColumn}".`, {
        hint: 'Every row needs a non-empty id; filter out NULLs in the query.',
      });
    }
    return { id: String(id), json: JSON.stringify(row) };
  };
}
