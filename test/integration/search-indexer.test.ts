// Native indexing against the real Elasticsearch node and the real MariaDB of the harness.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import mysql from 'mysql2/promise';
import type { IndexDefinition } from '../../src/core/config.js';
import { OlympiaError } from '../../src/core/errors.js';
import { createSearchClient } from '../../src/search/client.js';
import { aliasExists, buildIndex, deleteProjectIndices } from '../../src/search/indexer.js';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { freshDatabase } from '../harness/mariadb.js';

const run = `${process.pid}-${Date.now().toString(36)}`;
const MAPPINGS = {
  mappings: {
    properties: {
      id: { type: 'long' },
      name: { type: 'text' },
      slug: { type: 'keyword' },
      created: { type: 'date' },
      is_disabled: { type: 'boolean' },
      average_rating: { type: 'float' },
      weekly_downloads: { type: 'integer' },
    },
  },
};

let client: Client;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let sql: mysql.Connection;
let projectDir: string;
const aliases: string[] = [];

function alias(name: string): string {
  const a = `t-${name}-${run}`;
  aliases.push(a);
  return a;
}

function definition(a: string, extra: Partial<IndexDefinition> = {}): IndexDefinition {
  return {
    alias: a,
    query: 'SELECT id, name, slug, created, is_disabled, average_rating, weekly_downloads FROM addons',
    id: 'id',
    mappings: 'mappings.json',
    settings: 'settings.json',
    ...extra,
  };
}

async function build(def: IndexDefinition) {
  return buildIndex({ client, databaseUrl: db.url, definition: def, projectDir });
}

async function indicesOf(a: string): Promise<string[]> {
  const rows = await client.cat.indices({ index: `${a}*`, format: 'json', h: 'index' }, { ignore: [404] });
  return (Array.isArray(rows) ? rows.map((r) => r.index ?? '') : []).sort();
}

async function aliasTarget(a: string): Promise<string[]> {
  return Object.keys(await client.indices.getAlias({ name: a }));
}

async function searchNames(a: string, text: string): Promise<string[]> {
  const res = await client.search<{ name: string }>({ index: a, query: { match: { name: text } }, size: 100 });
  return res.hits.hits.map((h) => h._source!.name).sort();
}

before(async () => {
  client = await createSearchClient(await ensureElasticsearch());
  db = await freshDatabase('idx');
  sql = await mysql.createConnection({ uri: db.url });
  await sql.query(`CREATE TABLE addons (
    id INT PRIMARY KEY, name VARCHAR(255) NOT NULL, slug VARCHAR(255) NOT NULL, created DATETIME(6) NULL,
    is_disabled TINYINT(1) NOT NULL DEFAULT 0, average_rating DECIMAL(3,2) NULL, weekly_downloads INT NOT NULL DEFAULT 0)`);
  const rows = Array.from({ length: 120 }, (_, i) => [
    i + 1,
    `${i % 3 === 0 ? 'Tab' : 'Privacy'} helper ${i + 1}`,
    `addon-${i + 1}`,
    `2024-03-0${(i % 9) + 1} 10:20:30.500000`,
    i % 10 === 0 ? 1 : 0,
    (i % 50) / 10,
    i * 7,
  ]);
  await sql.query('INSERT INTO addons VALUES ?', [rows]);
  projectDir = await mkdtemp(join(tmpdir(), 'olympia-index-'));
  await writeFile(join(projectDir, 'mappings.json'), JSON.stringify(MAPPINGS));
  await writeFile(join(projectDir, 'settings.json'), JSON.stringify({ index: { number_of_shards: 1, refresh_interval: '5s' } }));
  await writeFile(join(projectDir, 'bad-mappings.json'), JSON.stringify({ properties: { name: { type: 'no-such-type' } } }));
  await writeFile(join(projectDir, 'addons.sql'), 'SELECT id, name, slug FROM addons WHERE is_disabled = 0;\n');
});

after(async () => {
  await deleteProjectIndices(client, aliases).catch(() => undefined);
  await client?.close();
  await sql?.end();
  await db?.drop();
  if (projectDir) await rm(projectDir, { recursive: true, force: true });
});

describe('buildIndex', () => {
  test('builds an index from a table; every row is searchable through the alias with its types converted', async () => {
    const a = alias('build');
    const result = await build(definition(a));
    assert.equal(result.alias, a);
    assert.equal(result.documents, 120);
    assert.match(result.index, new RegExp(`^${a}-\\d{8}-\\d{6}-\\d{3}$`));
    assert.deepEqual(await aliasTarget(a), [result.index]);
    assert.equal((await client.count({ index: a })).count, 120);
    assert.equal((await searchNames(a, 'tab')).length, 40);

    const doc = await client.get<Record<string, unknown>>({ index: a, id: '11' });
    assert.deepEqual(doc._source, {
      id: 11,
      name: 'Privacy helper 11',
      slug: 'addon-11',
      created: '2024-03-02T10:20:30.500000',
      is_disabled: true,
      average_rating: 1,
      weekly_downloads: 70,
    });
    // Date and boolean fields accepted the converted values: range and term queries find them.
    const disabled = await client.count({ index: a, query: { term: { is_disabled: true } } });
    assert.equal(disabled.count, 12);
    const march2 = await client.count({ index: a, query: { range: { created: { gte: '2024-03-02', lt: '2024-03-03' } } } });
    assert.equal(march2.count, 14);
  });

  test('restores the user settings after the load (refresh back on, default replicas)', async () => {
    const a = alias('settings');
    const { index } = await build(definition(a));
    const settings = await client.indices.getSettings({ index, flat_settings: true });
    const s = settings[index].settings as Record<string, string>;
    assert.equal(s['index.refresh_interval'], '5s');
    assert.equal(s['index.number_of_replicas'], '1');
    assert.equal(s['index.number_of_shards'], '1');
  });

  test('a rebuild moves the alias to a new index, deletes the old one and serves the new rows', async () => {
    const a = alias('rebuild');
    const first = await build(definition(a));
    await sql.query(`INSERT INTO addons (id, name, slug) VALUES (1001, 'Shiny new tab thing', 'shiny')`);
    try {
      const second = await build(definition(a));
      assert.notEqual(second.index, first.index);
      assert.deepEqual(second.replaced, [first.index]);
      assert.deepEqual(await aliasTarget(a), [second.index]);
      assert.deepEqual(await indicesOf(a), [second.index]);
      assert.equal(second.documents, 121);
      assert.ok((await searchNames(a, 'shiny')).includes('Shiny new tab thing'));
    } finally {
      await sql.query('DELETE FROM addons WHERE id = 1001');
    }
  });

  test('an invalid mapping fails with Elasticsearch’s reason and the old index keeps serving', async () => {
    const a = alias('badmap');
    const good = await build(definition(a));
    await assert.rejects(build(definition(a, { mappings: 'bad-mappings.json' })), (e: unknown) => {
      assert.ok(e instanceof OlympiaError);
      assert.match(e.message, /mapper_parsing_exception/);
      assert.match(e.message, /no-such-type/);
      assert.match(e.hint ?? '', /bad-mappings\.json/);
      return true;
    });
    assert.deepEqual(await aliasTarget(a), [good.index]);
    assert.deepEqual(await indicesOf(a), [good.index]);
    assert.equal((await client.count({ index: a })).count, 120);
  });

  test('a bad SQL query fails with the server’s message; the new index is deleted and the alias kept', async () => {
    const a = alias('badsql');
    const good = await build(definition(a));
    await assert.rejects(build(definition(a, { query: 'SELECT id, nme FROM addons' })), (e: unknown) => {
      assert.ok(e instanceof OlympiaError);
      assert.match(e.message, new RegExp(`query of index ${a} failed`));
      assert.match(e.message, /Unknown column 'nme'/);
      return true;
    });
    assert.deepEqual(await aliasTarget(a), [good.index]);
    assert.deepEqual(await indicesOf(a), [good.index]);
  });

  test('a row Elasticsearch rejects fails the build naming the document and the reason', async () => {
    const a = alias('reject');
    await assert.rejects(build(definition(a, { query: "SELECT id, CONCAT('n', id) AS weekly_downloads FROM addons" })), (e: unknown) => {
      assert.ok(e instanceof OlympiaError);
      assert.match(e.message, /rejected document \d+/);
      assert.match(e.message, /weekly_downloads/);
      return true;
    });
    assert.deepEqual(await indicesOf(a), []);
    assert.equal(await aliasExists(client, a), false);
  });

  test('duplicate ids fail the count check instead of silently losing documents', async () => {
    const a = alias('dupes');
    await assert.rejects(build(definition(a, { query: 'SELECT id % 10 AS id, name FROM addons', mappings: undefined })), (e: unknown) => {
      assert.ok(e instanceof OlympiaError);
      assert.match(e.message, /120 rows but the new index holds 10 documents/);
      assert.match(e.hint ?? '', /unique/);
      return true;
    });
    assert.deepEqual(await indicesOf(a), []);
  });

  test('a query without the id column is refused before anything is indexed', async () => {
    const a = alias('noid');
    await assert.rejects(build(definition(a, { query: 'SELECT name, slug FROM addons' })), /returns no column "id".*name, slug/);
    assert.deepEqual(await indicesOf(a), []);
  });

  test('the query may live in a .sql file of the project', async () => {
    const a = alias('sqlfile');
    const result = await build(definition(a, { query: 'addons.sql', mappings: undefined, settings: undefined }));
    assert.equal(result.documents, 108);
  });

  test('an empty result builds an empty index and still moves the alias', async () => {
    const a = alias('empty');
    const result = await build(definition(a, { query: 'SELECT id, name FROM addons WHERE id < 0' }));
    assert.equal(result.documents, 0);
    assert.deepEqual(await aliasTarget(a), [result.index]);
  });

  test('an index Elasticsearch auto-created under the alias name is replaced by the alias', async () => {
    const a = alias('concrete');
    await client.index({ index: a, id: 'stray', document: { name: 'written too early' }, refresh: true });
    assert.equal(await aliasExists(client, a), false);
    const result = await build(definition(a));
    assert.deepEqual(await aliasTarget(a), [result.index]);
    assert.equal((await client.count({ index: a })).count, 120);
  });
});

describe('aliasExists and deleteProjectIndices', () => {
  test('probe the alias, then remove it with every build index of the alias and nothing else', async () => {
    const a = alias('reset');
    const neighbour = `${a}-stats`;
    aliases.push(neighbour);
    assert.equal(await aliasExists(client, a), false);
    const { index } = await build(definition(a));
    assert.equal(await aliasExists(client, a), true);
    const leftover = `${a}-20200101-000000-000`; // an interrupted build
    await client.indices.create({ index: leftover });
    const other = await build(definition(neighbour, { query: 'SELECT id, name FROM addons WHERE id < 5' }));

    const removed = await deleteProjectIndices(client, [a]);
    assert.deepEqual(removed, { aliases: [a], indices: [leftover, index].sort() });
    assert.equal(await aliasExists(client, a), false);
    assert.deepEqual(await indicesOf(a), [other.index]); // `${a}-stats` belongs to another alias
    assert.deepEqual(await deleteProjectIndices(client, [a]), { aliases: [], indices: [] });
  });
});
