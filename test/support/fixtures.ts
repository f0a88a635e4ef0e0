// Test data shared by the backup tests: a schema exercising every type that must round-trip.
import mysql from 'mysql2/promise';

export const TYPES_SCHEMA = [
  `CREATE TABLE users (
     id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
     email VARCHAR(190) NOT NULL,
     name VARCHAR(100) NULL,
     UNIQUE KEY users_email (email)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE addons (
     id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
     author_id INT UNSIGNED NULL,
     slug VARCHAR(64) NOT NULL,
     summary TEXT NULL,
     meta JSON NULL,
     icon BLOB NULL,
     hash BINARY(4) NULL,
     created DATETIME(6) NULL,
     modified TIMESTAMP NULL DEFAULT NULL,
     price DECIMAL(20,6) NULL,
     ratio DOUBLE NULL,
     flags BIT(10) NULL,
     status TINYINT NOT NULL DEFAULT 0,
     slug_len INT AS (CHAR_LENGTH(slug)) VIRTUAL,
     KEY addons_author (author_id),
     CONSTRAINT addons_author_fk FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  `CREATE TABLE empty_table (k VARCHAR(10) NOT NULL PRIMARY KEY) ENGINE=InnoDB`,
  `CREATE VIEW public_addons AS SELECT id, slug FROM addons WHERE status = 4`,
  `CREATE TRIGGER addons_slug_lower BEFORE INSERT ON addons FOR EACH ROW SET NEW.slug = LOWER(NEW.slug)`,
];

export const TRICKY_TEXT = [
  '',
  'tab\there',
  'new\nline',
  'cr\r\nlf',
  'back\\slash \\N \\t',
  'quote \' " `',
  'nul\u0000byte',
  'emoji 🦊🔥 and 𝄞',
  '\\',
  'trailing backslash\\',
  'Ω≈ç√∫˜µ≤≥÷',
];

export async function seedTypes(url: string): Promise<void> {
  const c = await mysql.createConnection({ uri: url, multipleStatements: false });
  await c.query("SET time_zone = '+00:00'");
  for (const sql of TYPES_SCHEMA) await c.query(sql);
  await c.query("INSERT INTO users (id, email, name) VALUES (1, 'a@example.com', 'Ann'), (2, 'b@example.com', NULL), (0, 'zero@example.com', 'zero')");
  let i = 0;
  for (const text of TRICKY_TEXT) {
    i++;
    await c.query(
      `INSERT INTO addons (author_id, slug, summary, meta, icon, hash, created, modified, price, ratio, flags, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, b'1010000001', ?)`,
      [
        i % 3 === 0 ? null : (i % 2) + 1,
        `Slug-${i}`,
        text,
        JSON.stringify({ text, n: i, nested: { list: [1, 2.5, null, true] } }),
        Buffer.from(Array.from({ length: 256 }, (_, b) => (b * i) & 0xff)),
        Buffer.from([0, 9, 10, 92]),
        '2024-02-29 23:59:59.123456',
        '2038-01-19 03:14:07',
        '12345678901234.123456',
        1 / 3,
        i % 5,
      ],
    );
  }
  // NULL vs empty string, all columns NULL.
  await c.query(
    `INSERT INTO addons (slug, summary, meta, icon, hash, created, modified, price, ratio, flags) VALUES ('nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  );
  await c.query(`INSERT INTO addons (slug, summary, icon) VALUES ('empties', '', '')`);
  await c.end();
}

/** Every row of every table, as exact bytes (HEX), for comparing two databases. */
export async function snapshotData(url: string): Promise<Record<string, string[]>> {
  const c = await mysql.createConnection({ uri: url });
  await c.query("SET time_zone = '+00:00'");
  const db = new URL(url).pathname.slice(1);
  const [tables] = await c.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, [db]);
  const out: Record<string, string[]> = {};
  for (const { t } of tables as { t: string }[]) {
    const [cols] = await c.query(`SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [db, t]);
    const exprs = (cols as { c: string }[]).map(({ c: col }) => `IFNULL(HEX(\`${col}\`), 'NULL')`).join(", '|', ");
    const [rows] = await c.query(`SELECT CONCAT(${exprs}) AS r FROM \`${t}\` ORDER BY 1`);
    out[t] = (rows as { r: string }[]).map((r) => r.r);
  }
  await c.end();
  return out;
}

/**
 * A table of `rows` generated rows (about 100 bytes each) built in SQL from a digits table, so
 * tests can make a database whose dump takes a noticeable time without shipping data.
 */
export async function seedBigTable(url: string, table: string, rows: number, opts: { tag?: string } = {}): Promise<void> {
  const c = await mysql.createConnection({ uri: url });
  const tag = opts.tag ?? 'row';
  await c.query(`CREATE TABLE IF NOT EXISTS digits (d TINYINT NOT NULL PRIMARY KEY) ENGINE=InnoDB`);
  await c.query(`INSERT IGNORE INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
  await c.query(
    `CREATE TABLE \`${table}\` (
       id INT UNSIGNED NOT NULL PRIMARY KEY,
       label VARCHAR(64) NOT NULL,
       body VARCHAR(255) NOT NULL,
       amount DECIMAL(12,2) NOT NULL,
       KEY ${table}_label (label)
     ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
  const places = Math.max(1, Math.ceil(Math.log10(rows)));
  const from = Array.from({ length: places }, (_, i) => `digits d${i}`).join(' CROSS JOIN ');
  const n = Array.from({ length: places }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  await c.query(
    `INSERT INTO \`${table}\` (id, label, body, amount)
     SELECT n + 1, CONCAT(?, '-', n), REPEAT(CONCAT(?, ' ', n, '\\t'), 4), (n % 1000) / 10
       FROM (SELECT ${n} AS n FROM ${from}) AS g WHERE n < ?`,
    [tag, tag, rows],
  );
  await c.end();
}

/** Row count and CHECKSUM TABLE of every base table: equal maps mean equal contents. */
export async function tableChecksums(url: string): Promise<Record<string, { rows: number; checksum: string }>> {
  const c = await mysql.createConnection({ uri: url });
  const db = new URL(url).pathname.slice(1);
  const [tables] = await c.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, [db]);
  const out: Record<string, { rows: number; checksum: string }> = {};
  for (const { t } of tables as { t: string }[]) {
    const [[count]] = (await c.query(`SELECT COUNT(*) AS n FROM \`${t}\``)) as unknown as [{ n: number | string }[]];
    const [[sum]] = (await c.query(`CHECKSUM TABLE \`${t}\``)) as unknown as [{ Checksum: number | string | null }[]];
    out[t] = { rows: Number(count.n), checksum: String(sum.Checksum) };
  }
  await c.end();
  return out;
}

/** The views and triggers (as `table.trigger`) of the database, sorted. */
export async function schemaObjects(url: string): Promise<{ views: string[]; triggers: string[] }> {
  const c = await mysql.createConnection({ uri: url });
  const db = new URL(url).pathname.slice(1);
  const [v] = await c.query(`SELECT TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME`, [db]);
  const [t] = await c.query(`SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY n`, [db]);
  await c.end();
  return { views: (v as { n: string }[]).map((x) => x.n), triggers: (t as { n: string }[]).map((x) => x.n) };
}
