// A synthetic add-ons catalogue shaped like addons-server's: users, add-ons and their authors,
// versions, files and file blobs, translations with long TEXT, reviews, ratings, collections, tags
// and an activity log with JSON. Rows are generated on the server with INSERT … SELECT over a
// number table, batch by batch, so it is fast and the same batch always yields the same rows.
// The finished catalogue is cached in its own database, marked by a table holding the scale.
import mysql from 'mysql2/promise';

/** Bump when the schema or the row generators change, so cached catalogues are rebuilt. */
export const GENERATOR_VERSION = 1;
export const MARKER_TABLE = '_bench_catalogue';

/** Add-ons per batch; every other count hangs off it (see batchSql). Must be a multiple of 25. */
export const ADDONS_PER_BATCH = 250;
const USERS_PER_BATCH = ADDONS_PER_BATCH * 2;
const COLLECTIONS_PER_BATCH = ADDONS_PER_BATCH / 25;
const TAGS = 1000;
const SEQ_SIZE = 10_000;

export function catalogueDatabase(scaleMb: number): string {
  return `bench_catalogue_${scaleMb}mb`;
}

const DDL = [
  `CREATE TABLE users (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    username VARCHAR(255) NOT NULL,
    display_name VARCHAR(50) NULL,
    email VARCHAR(75) NULL,
    fxa_id VARCHAR(128) NULL,
    biography LONGTEXT NULL,
    homepage VARCHAR(255) NOT NULL DEFAULT '',
    location VARCHAR(255) NOT NULL DEFAULT '',
    averagerating DECIMAL(3,2) NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    last_login DATETIME(6) NULL,
    last_login_ip CHAR(45) NOT NULL DEFAULT '',
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY users_username (username),
    UNIQUE KEY users_email (email),
    KEY users_fxa_id (fxa_id),
    KEY users_created (created)
  )`,
  `CREATE TABLE translations (
    autoid BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    id BIGINT UNSIGNED NOT NULL,
    locale VARCHAR(10) NOT NULL,
    localized_string LONGTEXT NULL,
    localized_string_clean LONGTEXT NULL,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    PRIMARY KEY (autoid),
    UNIQUE KEY translations_id_locale (id, locale)
  )`,
  `CREATE TABLE addons (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    guid VARCHAR(255) NULL,
    slug VARCHAR(30) NULL,
    addontype_id INT UNSIGNED NOT NULL,
    status TINYINT UNSIGNED NOT NULL,
    name BIGINT UNSIGNED NULL,
    summary BIGINT UNSIGNED NULL,
    description BIGINT UNSIGNED NULL,
    default_locale VARCHAR(10) NOT NULL,
    average_rating DECIMAL(3,2) NOT NULL DEFAULT 0,
    bayesian_rating DOUBLE NOT NULL DEFAULT 0,
    total_ratings INT UNSIGNED NOT NULL DEFAULT 0,
    weekly_downloads INT UNSIGNED NOT NULL DEFAULT 0,
    average_daily_users BIGINT UNSIGNED NOT NULL DEFAULT 0,
    disabled_by_user BIT(1) NOT NULL DEFAULT b'0',
    requires_payment TINYINT(1) NOT NULL DEFAULT 0,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    last_updated DATETIME(6) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY addons_guid (guid),
    UNIQUE KEY addons_slug (slug),
    KEY addons_type_status (addontype_id, status),
    KEY addons_name (name),
    KEY addons_last_updated (last_updated),
    KEY addons_weekly_downloads (weekly_downloads)
  )`,
  `CREATE TABLE addons_users (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    addon_id INT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NOT NULL,
    role SMALLINT NOT NULL,
    listed TINYINT(1) NOT NULL,
    position INT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY addons_users_addon_user (addon_id, user_id),
    KEY addons_users_user (user_id),
    CONSTRAINT addons_users_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id),
    CONSTRAINT addons_users_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE versions (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    addon_id INT UNSIGNED NOT NULL,
    version VARCHAR(255) NOT NULL,
    channel TINYINT UNSIGNED NOT NULL,
    release_notes BIGINT UNSIGNED NULL,
    approval_notes LONGTEXT NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY versions_addon_created (addon_id, created),
    KEY versions_release_notes (release_notes),
    CONSTRAINT versions_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id)
  )`,
  `CREATE TABLE files (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    version_id INT UNSIGNED NOT NULL,
    filename VARCHAR(255) NOT NULL,
    hash VARCHAR(255) NOT NULL,
    size INT UNSIGNED NOT NULL,
    status TINYINT UNSIGNED NOT NULL,
    is_signed TINYINT(1) NOT NULL,
    manifest_version SMALLINT NOT NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY files_version (version_id),
    KEY files_hash (hash(64)),
    CONSTRAINT files_version_fk FOREIGN KEY (version_id) REFERENCES versions (id)
  )`,
  `CREATE TABLE file_blobs (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    file_id INT UNSIGNED NOT NULL,
    sha256 BINARY(32) NOT NULL,
    mime VARCHAR(64) NOT NULL,
    data MEDIUMBLOB NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY file_blobs_sha256 (sha256),
    KEY file_blobs_file (file_id),
    CONSTRAINT file_blobs_file_fk FOREIGN KEY (file_id) REFERENCES files (id)
  )`,
  `CREATE TABLE reviews (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    addon_id INT UNSIGNED NOT NULL,
    version_id INT UNSIGNED NULL,
    user_id INT UNSIGNED NOT NULL,
    reply_to INT UNSIGNED NULL,
    rating TINYINT UNSIGNED NULL,
    body LONGTEXT NULL,
    ip_address VARCHAR(45) NOT NULL,
    deleted TINYINT(1) NOT NULL DEFAULT 0,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY reviews_addon_created (addon_id, created),
    KEY reviews_user (user_id),
    KEY reviews_version (version_id),
    KEY reviews_reply_to (reply_to),
    CONSTRAINT reviews_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id),
    CONSTRAINT reviews_version_fk FOREIGN KEY (version_id) REFERENCES versions (id),
    CONSTRAINT reviews_user_fk FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT reviews_reply_fk FOREIGN KEY (reply_to) REFERENCES reviews (id)
  )`,
  `CREATE TABLE ratings (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    addon_id INT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NOT NULL,
    score TINYINT UNSIGNED NOT NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ratings_addon_user (addon_id, user_id),
    KEY ratings_user (user_id),
    CONSTRAINT ratings_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id),
    CONSTRAINT ratings_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE collections (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    uuid BINARY(16) NOT NULL,
    author_id INT UNSIGNED NULL,
    slug VARCHAR(30) NULL,
    name BIGINT UNSIGNED NULL,
    description LONGTEXT NULL,
    listed TINYINT(1) NOT NULL,
    addon_count INT UNSIGNED NOT NULL,
    default_locale VARCHAR(10) NOT NULL,
    created DATETIME(6) NOT NULL,
    modified DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY collections_uuid (uuid),
    UNIQUE KEY collections_author_slug (author_id, slug),
    CONSTRAINT collections_author_fk FOREIGN KEY (author_id) REFERENCES users (id)
  )`,
  `CREATE TABLE collection_addons (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    collection_id INT UNSIGNED NOT NULL,
    addon_id INT UNSIGNED NOT NULL,
    user_id INT UNSIGNED NULL,
    ordering INT UNSIGNED NOT NULL,
    comments LONGTEXT NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY collection_addons_pair (collection_id, addon_id),
    KEY collection_addons_addon (addon_id),
    CONSTRAINT collection_addons_collection_fk FOREIGN KEY (collection_id) REFERENCES collections (id),
    CONSTRAINT collection_addons_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id),
    CONSTRAINT collection_addons_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
  `CREATE TABLE tags (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    tag_text VARCHAR(128) NOT NULL,
    num_addons INT NOT NULL,
    enable_for_random_shelf TINYINT(1) NOT NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY tags_text (tag_text),
    KEY tags_num_addons (num_addons)
  )`,
  `CREATE TABLE addon_tags (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    addon_id INT UNSIGNED NOT NULL,
    tag_id INT UNSIGNED NOT NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY addon_tags_pair (tag_id, addon_id),
    KEY addon_tags_addon (addon_id),
    CONSTRAINT addon_tags_addon_fk FOREIGN KEY (addon_id) REFERENCES addons (id),
    CONSTRAINT addon_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id)
  )`,
  `CREATE TABLE activity_log (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id INT UNSIGNED NULL,
    action SMALLINT UNSIGNED NOT NULL,
    arguments JSON NOT NULL,
    details JSON NULL,
    created DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY activity_log_action_created (action, created),
    KEY activity_log_user (user_id),
    CONSTRAINT activity_log_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
  )`,
];

/** Table names in creation (parent before child) order. */
export const CATALOGUE_TABLES = DDL.map((d) => /^CREATE TABLE (\w+)/.exec(d)![1]);

// Text pools: several languages, 4-byte characters (emoji, musical symbols), and the characters
// dump formats must escape: quotes, backslashes, tabs, newlines.
const PHRASES = [
  'Blocks trackers & ads: fast, light, "open source"; works offline.\tTab\\and\\backslashes\nand a new line 🦊🚀',
  'Schützt Ihre Privatsphäre beim Surfen. Ärger mit Werbung? Nö! 𝄞 Größe: klein.',
  "Protège votre vie privée, l'outil « idéal » pour naviguer sereinement ✓ — ça marche.",
  '広告をブロックし、プライバシーを守ります。高速で軽量な拡張機能です 😀🎉',
  'Простое расширение для управления вкладками и закладками 🧩 без лишнего.',
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
  'Dark mode for every site 🌙 — tweak contrast, sepia & brightness per domain.',
  "Password manager: it's \"safe\", it's local, it's yours. C:\\Users\\fox\\vault 🔐",
];
const NAMES = ['Fox Tools', 'Outils Renard', 'Fuchswerkzeuge', '狐のツール 🦊', 'Tab Wrangler', 'Ad Zapper', 'Night Owl 🦉', 'Privacy Badger-ish'];
const LOCALES = ['en-US', 'fr', 'de', 'ja'];

function lit(s: string): string {
  return mysql.escape(s);
}

/** A deterministic pick from a list by an integer SQL expression. */
function pick(expr: string, items: string[]): string {
  return `ELT(1 + ((${expr}) % ${items.length}), ${items.map(lit).join(', ')})`;
}

/** A deterministic DATETIME(6) between 2012 and 2024 derived from an integer SQL expression. */
function at(expr: string, salt = 1): string {
  return `(TIMESTAMP('2012-01-01 00:00:00') + INTERVAL ((${expr}) * ${7919 * salt} % 378000000) SECOND + INTERVAL ((${expr}) * ${104729 * salt} % 1000000) MICROSECOND)`;
}

/** The statements that add batch `b` (0-based): every child row points at parents of its batch. */
export function batchSql(b: number): string[] {
  const A = ADDONS_PER_BATCH;
  const U = USERS_PER_BATCH;
  const C = COLLECTIONS_PER_BATCH;
  const a0 = b * A; // addon ids a0+1 … a0+A
  const u0 = b * U;
  const v0 = b * A * 5; // 5 versions (and files, and blobs) per add-on
  const c0 = b * C;
  const seq = (limit: number) => `FROM _bench_seq s WHERE s.n < ${limit}`;
  const out: string[] = [];

  if (b === 0) {
    out.push(`INSERT INTO tags (id, tag_text, num_addons, enable_for_random_shelf, created)
      SELECT s.n + 1, CONCAT(${pick('s.n', ['tag', 'étiquette', '标签', 'émoji-🏷️', 'Schlagwort'])}, '-', s.n), (s.n * 37) % 5000, s.n % 7 = 0, ${at('s.n')} ${seq(TAGS)}`);
  }

  out.push(`INSERT INTO users (id, username, display_name, email, fxa_id, biography, homepage, location, averagerating, deleted, last_login, last_login_ip, created, modified)
    SELECT ${u0} + s.n + 1,
      CONCAT('user', ${u0} + s.n + 1, IF(s.n % 11 = 0, '_ñandú', '')),
      CASE WHEN s.n % 17 = 0 THEN NULL WHEN s.n % 19 = 0 THEN '' ELSE CONCAT(${pick('s.n', NAMES)}, ' ', s.n) END,
      IF(s.n % 13 = 0, NULL, CONCAT('user', ${u0} + s.n + 1, '@example.com')),
      IF(s.n % 3 = 0, NULL, SHA2(CONCAT('fxa', ${u0} + s.n), 256)),
      IF(s.n % 4 = 0, NULL, REPEAT(CONCAT(${pick('s.n * 3', PHRASES)}, ' '), 1 + s.n % 4)),
      IF(s.n % 5 = 0, CONCAT('https://example.com/~', s.n), ''),
      ${pick('s.n', ['', 'Berlin', 'Paris', '東京', 'São Paulo'])},
      IF(s.n % 7 = 0, NULL, ((s.n * 13) % 401) / 100 + 1),
      s.n % 97 = 0,
      IF(s.n % 9 = 0, NULL, ${at(`${u0} + s.n`, 3)}),
      CONCAT('10.', s.n % 256, '.', (s.n DIV 256) % 256, '.', ${b} % 256),
      ${at(`${u0} + s.n`)}, ${at(`${u0} + s.n`, 2)}
    ${seq(U)}`);

  out.push(`INSERT INTO addons (id, guid, slug, addontype_id, status, name, summary, description, default_locale, average_rating, bayesian_rating, total_ratings, weekly_downloads, average_daily_users, disabled_by_user, requires_payment, created, modified, last_updated)
    SELECT ${a0} + s.n + 1,
      IF(s.n % 50 = 0, NULL, CONCAT('{', LEFT(MD5(CONCAT('guid', ${a0} + s.n)), 8), '-', ${a0} + s.n + 1, '}')),
      CONCAT('addon-', ${a0} + s.n + 1),
      1 + s.n % 4, 4 - (s.n % 11 = 0), (${a0} + s.n + 1) * 4, (${a0} + s.n + 1) * 4 + 1, (${a0} + s.n + 1) * 4 + 2,
      ${pick('s.n', LOCALES)},
      ((s.n * 7) % 401) / 100 + 1, ((s.n * 7) % 401) / 100 + 0.987654321,
      (s.n * 31) % 20000, (s.n * 7919) % 1000000, (s.n * 104729) % 5000000000,
      s.n % 23 = 0, s.n % 29 = 0,
      ${at(`${a0} + s.n`)}, ${at(`${a0} + s.n`, 2)}, IF(s.n % 10 = 0, NULL, ${at(`${a0} + s.n`, 3)})
    ${seq(A)}`);

  // Name, summary and description of every add-on in 4 locales; some descriptions are long enough
  // to be stored off-page.
  out.push(`INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
    SELECT t.tid, t.locale, t.text, IF(t.field = 2, LEFT(REPLACE(t.text, '\\n', ' '), 300), NULL), ${at('t.tid')}, ${at('t.tid', 2)}
    FROM (
      SELECT (${a0} + s.n DIV 12 + 1) * 4 + (s.n DIV 4) % 3 AS tid, (s.n DIV 4) % 3 AS field, ELT(1 + s.n % 4, ${LOCALES.map(lit).join(', ')}) AS locale,
        CASE (s.n DIV 4) % 3
          WHEN 0 THEN CONCAT(${pick('s.n DIV 12 + s.n % 4', NAMES)}, ' #', ${a0} + s.n DIV 12 + 1)
          WHEN 1 THEN CONCAT(${pick('s.n', PHRASES)}, ' ', ${pick('s.n + 3', PHRASES)})
          ELSE REPEAT(CONCAT(${pick('s.n DIV 12 * 5 + s.n % 4', PHRASES)}, ' [', SHA2(CONCAT('d', ${a0} + s.n DIV 12, '-', s.n % 4), 256), ']\\n'),
                      IF((${a0} + s.n DIV 12) % 50 = 7, 120, 4 + (${a0} * 7 + s.n * 13) % 12))
        END AS text
      ${seq(A * 12)}
    ) t`);

  out.push(`INSERT INTO addons_users (id, addon_id, user_id, role, listed, position)
    SELECT ${a0 * 2} + s.n + 1, ${a0} + s.n DIV 2 + 1, ${u0} + s.n % ${U} + 1, IF(s.n % 2 = 0, 1, 4), s.n % 2 = 0, s.n % 2 ${seq(A * 2)}`);

  out.push(`INSERT INTO versions (id, addon_id, version, channel, release_notes, approval_notes, deleted, created, modified)
    SELECT ${v0} + s.n + 1, ${a0} + s.n DIV 5 + 1, CONCAT(1 + s.n % 5, '.', s.n % 10, '.', (s.n * 7) % 100, IF(s.n % 9 = 0, 'b1', '')),
      1 + (s.n % 6 = 0), 4000000000 + ${v0} + s.n + 1,
      IF(s.n % 3 = 0, '', CONCAT('Reviewer note: ', ${pick('s.n * 5', PHRASES)})), s.n % 37 = 0,
      ${at(`${v0} + s.n`)}, ${at(`${v0} + s.n`, 2)}
    ${seq(A * 5)}`);

  out.push(`INSERT INTO translations (id, locale, localized_string, localized_string_clean, created, modified)
    SELECT 4000000000 + ${v0} + s.n + 1, 'en-US', CONCAT('Release notes ', 1 + s.n % 5, ':\\n', REPEAT(CONCAT('* ', ${pick('s.n * 3 + 1', PHRASES)}, '\\n'), 1 + s.n % 4)), NULL,
      ${at(`${v0} + s.n`)}, ${at(`${v0} + s.n`, 2)}
    ${seq(A * 5)}`);

  out.push(`INSERT INTO files (id, version_id, filename, hash, size, status, is_signed, manifest_version, created)
    SELECT ${v0} + s.n + 1, ${v0} + s.n + 1, CONCAT('addon-', ${a0} + s.n DIV 5 + 1, '-', 1 + s.n % 5, '.0.xpi'),
      CONCAT('sha256:', SHA2(CONCAT('file', ${v0} + s.n), 256)), 10000 + (s.n * 7919) % 9000000, 4 - (s.n % 11 = 0), s.n % 8 <> 0, 2 + (s.n % 4 = 0),
      ${at(`${v0} + s.n`)}
    ${seq(A * 5)}`);

  // Arbitrary bytes (every byte value occurs, including 0x00, tab, newline and backslash), 1–3 KB.
  out.push(`INSERT INTO file_blobs (id, file_id, sha256, mime, data)
    SELECT ${v0} + s.n + 1, ${v0} + s.n + 1, UNHEX(SHA2(CONCAT('blob', ${v0} + s.n), 256)), ${pick('s.n', ['application/x-xpinstall', 'image/png', 'application/json'])},
      REPEAT(UNHEX(SHA2(CONCAT('data', ${v0} + s.n), 512)), 16 + (s.n * 7) % 32)
    ${seq(A * 5)}`);

  out.push(`INSERT INTO reviews (id, addon_id, version_id, user_id, reply_to, rating, body, ip_address, deleted, created, modified)
    SELECT ${a0 * 10} + s.n + 1, ${a0} + s.n DIV 10 + 1, IF(s.n % 13 = 0, NULL, ${v0} + (s.n DIV 10) * 5 + s.n % 5 + 1), ${u0} + (s.n * 7) % ${U} + 1,
      IF(s.n % 10 = 9, ${a0 * 10} + s.n, NULL), IF(s.n % 10 = 9, NULL, 1 + s.n % 5),
      CASE WHEN s.n % 31 = 0 THEN NULL WHEN s.n % 37 = 0 THEN '' ELSE CONCAT(${pick('s.n * 7', PHRASES)}, ' ', REPEAT('Great add-on! ', s.n % 12)) END,
      CONCAT('192.168.', s.n % 256, '.', ${b} % 256), s.n % 41 = 0, ${at(`${a0 * 10} + s.n`)}, ${at(`${a0 * 10} + s.n`, 2)}
    ${seq(A * 10)}`);

  out.push(`INSERT INTO ratings (id, addon_id, user_id, score, created)
    SELECT ${a0 * 20} + s.n + 1, ${a0} + s.n DIV 20 + 1, ${u0} + s.n % ${U} + 1, 1 + (s.n * 7) % 5, ${at(`${a0 * 20} + s.n`)} ${seq(A * 20)}`);

  out.push(`INSERT INTO collections (id, uuid, author_id, slug, name, description, listed, addon_count, default_locale, created, modified)
    SELECT ${c0} + s.n + 1, UNHEX(MD5(CONCAT('collection', ${c0} + s.n))), IF(s.n % 5 = 4, NULL, ${u0} + s.n + 1), CONCAT('favourites-', ${c0} + s.n + 1),
      NULL, IF(s.n % 2 = 0, NULL, REPEAT(CONCAT(${pick('s.n', PHRASES)}, ' '), 3)), s.n % 4 <> 0, 25, ${pick('s.n', LOCALES)},
      ${at(`${c0} + s.n`)}, ${at(`${c0} + s.n`, 2)}
    ${seq(C)}`);

  out.push(`INSERT INTO collection_addons (id, collection_id, addon_id, user_id, ordering, comments, created)
    SELECT ${c0 * 25} + s.n + 1, ${c0} + s.n DIV 25 + 1, ${a0} + (s.n * 7) % ${A} + 1, IF(s.n % 3 = 0, NULL, ${u0} + s.n % ${U} + 1), s.n % 25,
      IF(s.n % 5 = 0, CONCAT('Why: ', ${pick('s.n', PHRASES)}), NULL), ${at(`${c0 * 25} + s.n`)}
    ${seq(C * 25)}`);

  out.push(`INSERT INTO addon_tags (id, addon_id, tag_id, created)
    SELECT ${a0 * 6} + s.n + 1, ${a0} + s.n DIV 6 + 1, ((${a0} + s.n DIV 6) * 13 + (s.n % 6) * 101) % ${TAGS} + 1, ${at(`${a0 * 6} + s.n`)} ${seq(A * 6)}`);

  out.push(`INSERT INTO activity_log (id, user_id, action, arguments, details, created)
    SELECT ${a0 * 12} + s.n + 1, IF(s.n % 17 = 0, NULL, ${u0} + (s.n * 3) % ${U} + 1), (s.n * 7) % 60,
      JSON_ARRAY(JSON_OBJECT('addons.addon', ${a0} + s.n DIV 12 + 1), JSON_OBJECT('versions.version', ${v0} + (s.n DIV 12) * 5 + s.n % 5 + 1)),
      IF(s.n % 4 = 0, NULL, JSON_OBJECT('comments', ${pick('s.n', PHRASES)}, 'reviewtype', ${pick('s.n', ['extension', 'theme', 'pending'])},
        'human_review', s.n % 2 = 0, 'files', JSON_ARRAY(${v0} + (s.n DIV 12) * 5 + 1, ${v0} + (s.n DIV 12) * 5 + 2), 'score', (s.n % 1000) / 10)),
      ${at(`${a0 * 12} + s.n`)}
    ${seq(A * 12)}`);
  return out;
}

/** Whether one more batch (about `lastGrowth` bytes) brings `size` closer to `target`. */
export function keepGoing(target: number, size: number, lastGrowth: number): boolean {
  return size + Math.max(0, lastGrowth) / 2 < target;
}

export interface CatalogueInfo {
  database: string;
  scaleMb: number;
  batches: number;
  /** InnoDB DATA_LENGTH + INDEX_LENGTH of the catalogue's tables after ANALYZE TABLE. */
  bytes: number;
  rows: Map<string, number>;
  totalRows: number;
  reused: boolean;
  generateMs: number;
}

type Conn = mysql.Connection;

async function tableBytes(conn: Conn, db: string): Promise<number> {
  await conn.query(`ANALYZE TABLE ${CATALOGUE_TABLES.map((t) => `\`${db}\`.\`${t}\``).join(', ')}`);
  const [r] = await conn.query(`SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?)`, [
    db,
    CATALOGUE_TABLES,
  ]);
  return Number((r as { b: string }[])[0].b);
}

/** Exact row counts of every base table of a database (the check every load must pass). */
export async function exactRowCounts(conn: Conn, db: string): Promise<Map<string, number>> {
  const [tables] = await conn.query(`SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`, [db]);
  const counts = new Map<string, number>();
  for (const { t } of tables as { t: string }[]) {
    const [r] = await conn.query(`SELECT COUNT(*) AS n FROM \`${db}\`.\`${t.replace(/`/g, '``')}\``);
    counts.set(t, Number((r as { n: string }[])[0].n));
  }
  return counts;
}

async function readMarker(conn: Conn, db: string): Promise<{ version: number; scaleMb: number; batches: number } | undefined> {
  try {
    const [r] = await conn.query(`SELECT generator_version AS version, scale_mb AS scaleMb, batches FROM \`${db}\`.${MARKER_TABLE} WHERE finished IS NOT NULL`);
    const row = (r as { version: number; scaleMb: number; batches: number }[])[0];
    return row ? { version: Number(row.version), scaleMb: Number(row.scaleMb), batches: Number(row.batches) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns the cached catalogue for this scale, or generates it. `serverUrl` has no database part.
 * `log` receives progress lines.
 */
export async function ensureCatalogue(serverUrl: string, scaleMb: number, opts: { fresh?: boolean; log: (line: string) => void }): Promise<CatalogueInfo> {
  const db = catalogueDatabase(scaleMb);
  const conn = await mysql.createConnection({ uri: serverUrl, charset: 'utf8mb4_unicode_ci', supportBigNumbers: true, bigNumberStrings: true });
  try {
    const started = Date.now();
    const marker = opts.fresh ? undefined : await readMarker(conn, db);
    let batches: number;
    let reused = false;
    if (marker && marker.version === GENERATOR_VERSION && marker.scaleMb === scaleMb) {
      batches = marker.batches;
      reused = true;
      opts.log(`Reusing the cached catalogue \`${db}\` (${batches} batches; --fresh rebuilds it).`);
    } else {
      batches = await generate(conn, db, scaleMb, opts.log);
    }
    const bytes = await tableBytes(conn, db);
    const rows = await exactRowCounts(conn, db);
    const totalRows = [...rows.values()].reduce((a, b) => a + b, 0);
    return { database: db, scaleMb, batches, bytes, rows, totalRows, reused, generateMs: reused ? 0 : Date.now() - started };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function generate(conn: Conn, db: string, scaleMb: number, log: (line: string) => void): Promise<number> {
  const target = scaleMb * 1e6;
  log(`Generating the catalogue \`${db}\` (target ${scaleMb} MB of InnoDB data + indexes)…`);
  await conn.query(`DROP DATABASE IF EXISTS \`${db}\``);
  await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.query(`USE \`${db}\``);
  await conn.query("SET SESSION foreign_key_checks = 0, time_zone = '+00:00', sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'");
  for (const ddl of DDL) await conn.query(`${ddl} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  // A number table 0…9999 from a cross join of digits; dropped once the catalogue is complete.
  await conn.query('CREATE TABLE _bench_digits (d TINYINT UNSIGNED PRIMARY KEY)');
  await conn.query('INSERT INTO _bench_digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  await conn.query('CREATE TABLE _bench_seq (n INT UNSIGNED PRIMARY KEY)');
  await conn.query(`INSERT INTO _bench_seq SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM _bench_digits a, _bench_digits b, _bench_digits c, _bench_digits e`);
  await conn.query(`CREATE TABLE ${MARKER_TABLE} (generator_version INT NOT NULL, scale_mb INT NOT NULL, batches INT NOT NULL, finished DATETIME NULL)`);
  if (ADDONS_PER_BATCH * 20 > SEQ_SIZE) throw new Error('batch too large for the number table');

  // Add batches until the measured size is as close to the target as a batch allows. Sizes come
  // from InnoDB's page counts, so the same server always stops after the same number of batches.
  let batches = 0;
  let size = 0;
  let last = Date.now();
  for (;;) {
    for (const sql of batchSql(batches)) await conn.query(sql);
    batches++;
    const before = size;
    size = await tableBytes(conn, db);
    if (!keepGoing(target, size, size - before)) break;
    if (Date.now() - last > 5000) {
      log(`  ${batches} batches, ${(size / 1e6).toFixed(0)} MB of ${scaleMb} MB`);
      last = Date.now();
    }
  }
  await conn.query('DROP TABLE _bench_seq, _bench_digits');
  await conn.query(`INSERT INTO ${MARKER_TABLE} VALUES (?, ?, ?, NOW())`, [GENERATOR_VERSION, scaleMb, batches]);
  return batches;
}

export async function dropCatalogue(serverUrl: string, scaleMb: number): Promise<void> {
  const conn = await mysql.createConnection({ uri: serverUrl });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${catalogueDatabase(scaleMb)}\``);
  } finally {
    await conn.end().catch(() => undefined);
  }
}
