// The bundled example project (examples/olympia): its migrations and seed run cleanly on the real
// server, a second run changes nothing, and its index query returns the documents it promises.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { loadConfig, projectPath } from '../../src/core/config.js';
import { runNativeMigrations, listPendingMigrations } from '../../src/migrate/native-migrations.js';
import { runNativeSeed } from '../../src/seed/native-seed.js';
import { loadIndexSource } from '../../src/search/index-source.js';
import { buildIndex } from '../../src/search/indexer.js';
import { createSearchClient } from '../../src/search/client.js';
import { ensureElasticsearch } from '../harness/elasticsearch.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'olympia');

async function counts(conn: mysql.Connection): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['users', 'translations', 'addons', 'versions', 'files', 'categories', 'addons_categories', 'addons_users', 'tags', 'users_tags_addons', 'reviews']) {
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM \`${t}\``);
    out[t] = Number((rows as Array<{ n: number }>)[0]!.n);
  }
  return out;
}

async function checksum(conn: mysql.Connection, tables: string[]): Promise<string> {
  const [rows] = await conn.query(`CHECKSUM TABLE ${tables.map((t) => `\`${t}\``).join(', ')}`);
  return JSON.stringify((rows as Array<{ Checksum: number }>).map((r) => r.Checksum));
}

describe('examples/olympia', () => {
  const dbs: Array<Awaited<ReturnType<typeof freshDatabase>>> = [];
  const conns: mysql.Connection[] = [];
  async function open(): Promise<mysql.Connection> {
    const db = await freshDatabase('example');
    dbs.push(db);
    const conn = await mysql.createConnection({ uri: db.url, dateStrings: true });
    conns.push(conn);
    return conn;
  }
  let conn: mysql.Connection;
  before(async () => {
    conn = await open();
  });
  after(async () => {
    for (const c of conns) await c.end();
    for (const d of dbs) await d.drop();
  });

  test('the config names native migrations, seed files and an addons index', async () => {
    const config = await loadConfig(undefined, EXAMPLE);
    assert.equal(config.backupDir, 'backups');
    assert.equal(config.storageDir, 'storage');
    assert.equal(config.migrate.dir, 'migrations');
    assert.deepEqual(config.seed.files, ['seed/*.sql']);
    assert.deepEqual(
      config.index.definitions.map((d) => [d.alias, d.id]),
      [['addons', 'id']],
    );
  });

  test('migrations and seed run cleanly, and a second migration run skips everything', async () => {
    const config = await loadConfig(undefined, EXAMPLE);
    const dir = projectPath(config, config.migrate.dir!);
    const first = await runNativeMigrations(conn, dir);
    assert.equal(first.error, undefined, first.error?.message);
    assert.ok(first.results.length >= 4);
    assert.ok(first.results.every((r) => r.status === 'applied'));

    const seed = await runNativeSeed(conn, { projectDir: config.projectDir, files: config.seed.files });
    assert.deepEqual(seed.paths, ['seed/01_users.sql', 'seed/02_catalogue.sql', 'seed/03_reviews.sql']);
    assert.equal(seed.files, 3);
    assert.ok(seed.statements >= 20);

    const n = await counts(conn);
    assert.deepEqual(n, {
      users: 500,
      translations: 1000 + 100 + 1000 + 2000,
      addons: 1000,
      versions: 2000,
      files: 2000,
      categories: 12,
      addons_categories: 1000 + 267,
      addons_users: 1100,
      tags: 30,
      users_tags_addons: 2000,
      reviews: 3300,
    });

    const second = await runNativeMigrations(conn, dir);
    assert.equal(second.error, undefined);
    assert.deepEqual(
      second.results.map((r) => r.status),
      first.results.map(() => 'skipped'),
    );
    assert.deepEqual(await listPendingMigrations(conn, dir), []);
    assert.deepEqual(await counts(conn), n);
  });

  test('the seed is deterministic: a second database gets identical rows', async () => {
    const config = await loadConfig(undefined, EXAMPLE);
    const other = await open();
    assert.equal((await runNativeMigrations(other, projectPath(config, config.migrate.dir!))).error, undefined);
    await runNativeSeed(other, { projectDir: config.projectDir, files: config.seed.files });
    const tables = ['users', 'translations', 'addons', 'versions', 'files', 'addons_categories', 'addons_users', 'tags', 'users_tags_addons', 'reviews'];
    assert.equal(await checksum(other, tables), await checksum(conn, tables));
  });

  test('the data exercises utf8mb4, DATETIME(6), JSON and foreign keys', async () => {
    const [names] = await conn.query("SELECT localized_string AS s FROM translations WHERE id = 97 AND locale = 'en-US'");
    assert.match((names as Array<{ s: string }>)[0]!.s, /🦊$/u);
    const [times] = await conn.query('SELECT created FROM users WHERE id = 1');
    assert.match((times as Array<{ created: string }>)[0]!.created, /^2020-01-01 01:00:00\.\d{6}$/);
    const [json] = await conn.query("SELECT JSON_UNQUOTE(JSON_EXTRACT(manifest, '$.browser_specific_settings.gecko.id')) AS id FROM files WHERE id = 2");
    const [guid] = await conn.query('SELECT guid FROM addons WHERE id = 1');
    assert.equal((json as Array<{ id: string }>)[0]!.id, (guid as Array<{ guid: string }>)[0]!.guid);
    await assert.rejects(conn.query('INSERT INTO versions (addon_id, version, created, modified) VALUES (999999, "x", NOW(), NOW())'), /foreign key constraint/i);
  });

  test('the addons index query returns one document per public add-on with name, version and rating', async () => {
    const config = await loadConfig(undefined, EXAMPLE);
    const source = await loadIndexSource(config.index.definitions[0]!, config.projectDir);
    const [rows] = await conn.query(source.sql);
    const docs = rows as Array<Record<string, unknown>>;
    const [pub] = await conn.query('SELECT COUNT(*) AS n FROM addons WHERE status = 4 AND disabled_by_user = 0');
    assert.equal(docs.length, Number((pub as Array<{ n: number }>)[0]!.n));
    assert.ok(docs.length > 800 && docs.length < 1000);
    assert.equal(new Set(docs.map((d) => d.id)).size, docs.length, 'ids are unique');

    const mappings = JSON.parse(await readFile(resolve(EXAMPLE, 'search/addons.mappings.json'), 'utf8'));
    assert.deepEqual(Object.keys(docs[0]!).sort(), Object.keys(mappings.properties).sort(), 'the query returns exactly the mapped fields (dynamic: strict)');

    const de = docs.find((d) => d.id === 3)!;
    assert.equal(de.default_locale, 'de');
    assert.equal(de.name, 'Sicherer Blocker 3', 'the name comes from the default locale');
    const one = docs.find((d) => d.id === 1)!;
    assert.equal(one.name, 'Tab Blocker 1');
    assert.equal(one.current_version, '1.3');
    assert.equal(one.tags, 'anti-tracker, photos');
    const rated = docs.filter((d) => d.average_rating !== null);
    assert.ok(rated.length > 0);
    for (const d of rated) assert.ok(Number(d.average_rating) >= 1 && Number(d.average_rating) <= 5);
  });

  test('the addons index builds on the real Elasticsearch with the example settings and mappings', async () => {
    const config = await loadConfig(undefined, EXAMPLE);
    const esUrl = await ensureElasticsearch();
    const client = await createSearchClient(esUrl);
    // A private alias: the node is shared with other tests.
    const alias = `example-addons-${process.pid}-${Date.now().toString(36)}`;
    const definition = { ...config.index.definitions[0]!, alias };
    try {
      const built = await buildIndex({ client, elasticsearchUrl: esUrl, databaseUrl: dbs[0]!.url, definition, projectDir: config.projectDir });
      const [pub] = await conn.query('SELECT COUNT(*) AS n FROM addons WHERE status = 4 AND disabled_by_user = 0');
      assert.equal(built.documents, Number((pub as Array<{ n: number }>)[0]!.n));

      const byName = await client.search({ index: alias, query: { match: { name: 'sicherer' } }, size: 100 });
      const ids = byName.hits.hits.map((h) => Number(h._id));
      assert.ok(ids.includes(3), `German names are searchable (${ids.join(', ')})`);
      const byTag = await client.search({ index: alias, query: { match_phrase: { tags: 'dark mode' } }, size: 1000 });
      const tagged = byTag.hits.hits.map((h) => Number(h._id));
      const [expected] = await conn.query(
        "SELECT COUNT(DISTINCT uta.addon_id) AS n FROM users_tags_addons uta JOIN tags t ON t.id = uta.tag_id JOIN addons a ON a.id = uta.addon_id WHERE t.tag_text = 'dark mode' AND a.status = 4 AND a.disabled_by_user = 0",
      );
      assert.equal(tagged.length, Number((expected as Array<{ n: number }>)[0]!.n), 'tags are searchable');
      const doc = await client.get<Record<string, unknown>>({ index: alias, id: '1' });
      assert.equal(doc._source!.current_version, '1.3');
      assert.equal(typeof doc._source!.is_signed, 'boolean');
    } finally {
      await client.indices.delete({ index: `${alias}-*` }, { ignore: [404] }).catch(() => undefined);
      await client.close();
    }
  });
});
