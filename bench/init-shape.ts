// A source database shaped like a real seeded `_init` of addons-server: a few hundred tables, most of
// them small or empty, a tenth with a few thousand rows, one parent table many others point at with
// foreign keys, secondary and unique indexes, utf8mb4 text, JSON, DECIMAL and DATETIME(6), a few views
// and a trigger. Generated on the server from a number table, so the same fill always gives the same
// rows. `fill` multiplies every row count (1: about 66k rows; 20: the same tables twenty times fuller).
import mysql from 'mysql2/promise';
import type { CatalogueInfo } from './catalogue.js';
import { exactRowCounts } from './catalogue.js';

/** Bump when the tables or rows change, so cached sources are rebuilt. */
export const INIT_SHAPE_VERSION = 1;
export const INIT_TABLES = 300;
// The finished source is marked by parent_items' comment (no extra table for the tools to copy).
const MARKER = (version: number) => `bench init shape v${version}`;

export function initShapeDatabase(fill: number): string {
  return `bench_init_x${fill}`;
}

export interface ShapeTable {
  name: string;
  rows: number;
  /** Whether it has a foreign key to the parent table. */
  foreignKey: boolean;
  /** Secondary indexes besides the foreign key's. */
  indexes: number;
}

/** The tables of the shape, in creation order; pure, so the shape is the same on every machine. */
export function shapeTables(fill: number): ShapeTable[] {
  const tables: ShapeTable[] = [{ name: 'parent_items', rows: 1000 * fill, foreignKey: false, indexes: 2 }];
  for (let i = 1; i < INIT_TABLES; i++) {
    // Every tenth table is big, every fifth (of the rest) empty, the others a few to ~150 rows.
    const rows = i % 10 === 0 ? 2000 : i % 5 === 1 ? 0 : 3 + ((i * 37) % 148);
    tables.push({ name: `app_table_${String(i).padStart(3, '0')}`, rows: rows * fill, foreignKey: i % 3 !== 0, indexes: i % 4 });
  }
  return tables;
}

function createSql(t: ShapeTable): string {
  const keys = [
    'PRIMARY KEY (id)',
    'UNIQUE KEY `slug_uniq` (slug)',
    ...(t.indexes >= 1 ? ['KEY `created_idx` (created)'] : []),
    ...(t.indexes >= 2 ? ['KEY `name_status_idx` (name(40), status)'] : []),
    ...(t.indexes >= 3 ? ['KEY `price_idx` (price)'] : []),
    ...(t.foreignKey ? [`KEY \`parent_idx\` (parent_id)`, `CONSTRAINT \`${t.name}_parent_fk\` FOREIGN KEY (parent_id) REFERENCES parent_items (id)`] : []),
  ];
  return `CREATE TABLE \`${t.name}\` (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    parent_id INT UNSIGNED NULL,
    slug VARCHAR(64) NOT NULL,
    name VARCHAR(255) NOT NULL,
    status TINYINT UNSIGNED NOT NULL DEFAULT 0,
    price DECIMAL(10,2) NULL,
    data JSON NULL,
    notes TEXT NULL,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    ${keys.join(',\n    ')}
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
}

function insertSql(t: ShapeTable, index: number): string {
  const parent = t.foreignKey ? `IF(s.n % 7 = 0, NULL, (s.n * 13 + ${index}) % (SELECT COUNT(*) FROM parent_items) + 1)` : 'NULL';
  return `INSERT INTO \`${t.name}\` (id, parent_id, slug, name, status, price, data, notes, created, modified)
    SELECT s.n + 1, ${parent}, CONCAT('${t.name.slice(-7)}-', s.n),
      CONCAT(ELT(s.n % 5 + 1, 'Ad Blocker', 'Téléchargement', '日本語の拡張', 'Dark 🦊 Theme', 'O''Reilly \\\\ tabs\\there'), ' #', s.n),
      s.n % 6, IF(s.n % 9 = 0, NULL, (s.n * 7919 % 100000) / 100),
      IF(s.n % 4 = 0, NULL, JSON_OBJECT('locale', ELT(s.n % 3 + 1, 'en-US', 'fr', 'ja'), 'tags', JSON_ARRAY(s.n % 10, s.n % 7), 'score', (s.n % 1000) / 10)),
      IF(s.n % 3 = 0, NULL, REPEAT(CONCAT('note ', s.n, ' for ${t.name}. '), 1 + s.n % 6)),
      '2020-01-01 00:00:00' + INTERVAL (s.n * 3607 + ${index}) SECOND + INTERVAL (s.n * 31) % 1000000 MICROSECOND,
      '2024-06-01 12:00:00.5' + INTERVAL s.n MINUTE
    FROM _bench_seq s WHERE s.n < ${t.rows}`;
}

const VIEWS = [
  'CREATE VIEW `v_parent_summary` AS SELECT id, slug, name, status FROM parent_items WHERE status < 3',
  'CREATE VIEW `v_big_children` AS SELECT c.id, c.slug, p.name AS parent_name FROM app_table_010 c JOIN parent_items p ON p.id = c.parent_id',
  'CREATE VIEW `v_prices` AS SELECT status, COUNT(*) AS n, AVG(price) AS avg_price FROM app_table_020 GROUP BY status',
];
const TRIGGER = 'CREATE TRIGGER `parent_items_touch` BEFORE UPDATE ON parent_items FOR EACH ROW SET NEW.modified = GREATEST(NEW.modified, OLD.modified + INTERVAL 1 MICROSECOND)';

async function finished(conn: mysql.Connection, db: string): Promise<boolean> {
  const [r] = await conn.query("SELECT TABLE_COMMENT AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'parent_items'", [db]);
  return (r as { c: string }[])[0]?.c === MARKER(INIT_SHAPE_VERSION);
}

/** Returns the cached source of this fill, or generates it; `serverUrl` has no database part. */
export async function ensureInitShape(serverUrl: string, fill: number, opts: { fresh?: boolean; log: (line: string) => void }): Promise<CatalogueInfo> {
  const db = initShapeDatabase(fill);
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4_unicode_ci', multipleStatements: false });
  try {
    const started = Date.now();
    const reused = !opts.fresh && (await finished(conn, db));
    if (reused) opts.log(`Reusing the cached _init-shaped source \`${db}\` (--fresh rebuilds it).`);
    else await generate(conn, db, fill, opts.log);
    const tables = shapeTables(fill).map((t) => `\`${db}\`.\`${t.name}\``);
    await conn.query(`ANALYZE TABLE ${tables.join(', ')}`);
    const [size] = await conn.query(
      `SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [db],
    );
    const rows = await exactRowCounts(conn, db);
    const totalRows = [...rows.values()].reduce((a, b) => a + b, 0);
    return { database: db, scaleMb: 0, batches: 0, bytes: Number((size as { b: string }[])[0].b), rows, totalRows, reused, generateMs: reused ? 0 : Date.now() - started };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** The statements that create the shape's tables, views and trigger (no rows). */
export function shapeSchemaSql(fill: number): string[] {
  return [...shapeTables(fill).map(createSql), ...VIEWS, TRIGGER];
}

/** The statements that fill the created tables: a number table, the rows, the number table dropped. */
export function shapeSeedSql(fill: number): string[] {
  const tables = shapeTables(fill);
  const most = Math.max(...tables.map((t) => t.rows));
  let digits = 'SELECT a0.d AS n FROM _bench_digits a0';
  for (let place = 1, scale = 10; scale < most; place++, scale *= 10) {
    digits = `SELECT x.n + ${scale} * a${place}.d AS n FROM (${digits}) x, _bench_digits a${place}`;
  }
  return [
    'CREATE TABLE _bench_digits (d TINYINT UNSIGNED PRIMARY KEY)',
    'INSERT INTO _bench_digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)',
    'CREATE TABLE _bench_seq (n INT UNSIGNED PRIMARY KEY)',
    `INSERT INTO _bench_seq ${digits}`,
    ...tables.flatMap((t, i) => (t.rows > 0 ? [insertSql(t, i)] : [])),
    'DROP TABLE _bench_seq, _bench_digits',
  ];
}

async function generate(conn: mysql.Connection, db: string, fill: number, log: (line: string) => void): Promise<void> {
  log(`Generating the _init-shaped source \`${db}\` (${INIT_TABLES} tables, fill ×${fill})…`);
  await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.query(`USE \`${db}\``);
  await conn.query("SET SESSION time_zone = '+00:00', sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'");
  for (const sql of [...shapeSchemaSql(fill), ...shapeSeedSql(fill)]) await conn.query(sql);
  await conn.query(`ALTER TABLE parent_items COMMENT = '${MARKER(INIT_SHAPE_VERSION)}'`);
}
