// The dump's schema read: many definitions in a few round trips, each the same as asked alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { listTriggers, readDefinitions, showCreateMany, showCreateTable, showCreateViews } from '../../src/mysql/schema.js';
import { freshDatabase } from '../harness/mariadb.js';

// More than one batch, with names that need quoting.
const TABLES = Array.from({ length: 230 }, (_, i) => (i % 50 === 7 ? `odd \`name\` ${i}` : `t${String(i).padStart(3, '0')}`));

describe('reading many definitions', { timeout: 120_000 }, () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let many: Connection;
  let single: Connection;
  before(async () => {
    db = await freshDatabase('schema_read');
    single = await connect(parseDatabaseUrl(db.url));
    many = await connect(parseDatabaseUrl(db.url), { multipleStatements: true });
    for (const [i, t] of TABLES.entries()) await single.query(`CREATE TABLE \`${t.replace(/`/g, '``')}\` (id INT PRIMARY KEY, v${i} VARCHAR(${i + 3}) NOT NULL DEFAULT 'a;b')`);
    await single.query('CREATE VIEW v1 AS SELECT id FROM t000');
    await single.query('CREATE VIEW `v;2` AS SELECT id FROM t001');
    await single.query('CREATE TRIGGER trg1 BEFORE INSERT ON t002 FOR EACH ROW SET NEW.v2 = UPPER(NEW.v2)');
    await single.query('CREATE TRIGGER trg2 BEFORE INSERT ON t003 FOR EACH ROW SET NEW.v3 = LOWER(NEW.v3)');
  });
  after(async () => {
    await many?.end();
    await single?.end();
    await db?.drop();
  });

  test('a connection that takes several statements gets every table in a few round trips, in the order asked, each as asked alone', async () => {
    const asked = [...TABLES].reverse();
    // Count the queries sent: each is one round trip.
    const query = many.query.bind(many);
    let trips = 0;
    many.query = ((...args: Parameters<typeof query>) => (trips++, query(...args))) as typeof many.query;
    const batched = await showCreateMany(many, db.name, 'TABLE', asked);
    many.query = query;
    assert.equal(batched.length, asked.length);
    assert.ok(trips <= 3, `${trips} round trips for ${asked.length} tables`);
    for (const [i, t] of asked.entries()) assert.equal(batched[i], await showCreateTable(single, db.name, t), t);
  });

  test('a plain connection is asked one statement at a time, with the same answers', async () => {
    const some = TABLES.slice(0, 12);
    assert.deepEqual(await showCreateMany(single, db.name, 'TABLE', some), await showCreateMany(many, db.name, 'TABLE', some));
    assert.deepEqual(await showCreateMany(many, db.name, 'TABLE', []), []);
  });

  test('views and triggers come batched too, without DEFINER', async () => {
    const views = await showCreateViews(many, db.name, ['v1', 'v;2']);
    assert.deepEqual(views, await showCreateViews(single, db.name, ['v1', 'v;2']));
    assert.match(views[1], /^CREATE .*VIEW `v;2` AS select/i);
    for (const v of views) assert.doesNotMatch(v, /DEFINER\s*=/i);
    const triggers = await listTriggers(many, db.name);
    assert.deepEqual(triggers, await listTriggers(single, db.name));
    assert.deepEqual(
      triggers.map((t) => [t.name, t.table]),
      [
        ['trg1', 't002'],
        ['trg2', 't003'],
      ],
    );
    assert.match(triggers[0].createSql, /^CREATE TRIGGER `?trg1`? BEFORE INSERT ON `?t002`?/i);
  });

  test('every definition a dump needs comes in two round trips, each as asked alone', async () => {
    const query = many.query.bind(many);
    let trips = 0;
    many.query = ((...args: Parameters<typeof query>) => (trips++, query(...args))) as typeof many.query;
    const d = await readDefinitions(many, db.name, TABLES, ['v;2', 'v1']);
    many.query = query;
    assert.equal(trips, 2);
    assert.deepEqual(d.tables, await showCreateMany(single, db.name, 'TABLE', TABLES));
    assert.deepEqual(d.views, await showCreateViews(single, db.name, ['v;2', 'v1']));
    assert.deepEqual(d.triggers, await listTriggers(single, db.name));
    assert.deepEqual(await readDefinitions(single, db.name, TABLES.slice(0, 3), []), { ...d, tables: d.tables.slice(0, 3), views: [] });
  });

  test('a database whose name holds a quote and a backslash still lists its triggers', async () => {
    const odd = `${db.name}_o'q\\b`;
    await single.query(`CREATE DATABASE \`${odd}\``);
    try {
      await single.query(`CREATE TABLE \`${odd}\`.t (id INT PRIMARY KEY)`);
      await single.query(`CREATE TRIGGER \`${odd}\`.trg BEFORE INSERT ON \`${odd}\`.t FOR EACH ROW SET NEW.id = NEW.id + 1`);
      const d = await readDefinitions(many, odd, ['t'], []);
      assert.deepEqual(
        d.triggers.map((t) => [t.name, t.table]),
        [['trg', 't']],
      );
      assert.match(d.tables[0], /^CREATE TABLE `t`/);
    } finally {
      await single.query(`DROP DATABASE \`${odd}\``);
    }
  });

  test('a name that does not exist fails the read, naming it', async () => {
    await assert.rejects(showCreateMany(many, db.name, 'TABLE', ['t000', 'missing table', 't001']), /missing table/);
  });
});
