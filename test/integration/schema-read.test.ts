// The dump's schema read: many definitions in a few round trips, each the same as asked alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { BATCH_BYTES, BATCH_STATEMENTS, listTriggers, readDefinitions, resultsOf, showCreateMany, showCreateTable, showCreateViews } from '../../src/mysql/schema.js';
import { freshDatabase } from '../harness/mariadb.js';

// Hundreds of tables, some with names that need quoting.
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
      // Without triggers, the definitions take one round trip.
      const bare = await counted(() => readDefinitions(many, odd, ['t'], []));
      assert.equal(bare.sent.length, 1);
      assert.deepEqual(bare.result.triggers, []);
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

  /** Runs `work` on `many`, returning what it returned and the queries it sent (one per round trip). */
  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
    const query = many.query.bind(many);
    const sent: string[] = [];
    many.query = ((...args: Parameters<typeof query>) => (sent.push(String(args[0])), query(...args))) as typeof many.query;
    try {
      return { result: await work(), sent };
    } finally {
      many.query = query;
    }
  }

  test('statements go as many to a round trip as allowed, the last one alone if it is left over, each answer in order', async () => {
    const statements = Array.from({ length: BATCH_STATEMENTS + 1 }, (_, i) => `SELECT ${i} AS n`);
    const { result, sent } = await counted(() => resultsOf(many, statements));
    assert.equal(sent.length, 2);
    assert.deepEqual(
      result.map((rows) => (rows as { n: number }[]).map((r) => Number(r.n))),
      statements.map((_, i) => [i]),
    );
    assert.deepEqual(await resultsOf(many, []), []);
    // The plain connection: one statement at a time, the same answers.
    assert.deepEqual(await resultsOf(single, statements.slice(0, 3)), result.slice(0, 3));
  });

  test('long statements are batched by their bytes too, so no query grows past a small max_allowed_packet', async () => {
    const long = Array.from({ length: 300 }, (_, i) => `SELECT ${i} AS n, '${'x'.repeat(900)}' AS pad`);
    const { result, sent } = await counted(() => resultsOf(many, long));
    assert.ok(sent.length >= Math.ceil((300 * 920) / BATCH_BYTES), `${sent.length} round trips`);
    for (const q of sent) assert.ok(Buffer.byteLength(q) <= BATCH_BYTES, `a query of ${Buffer.byteLength(q)} bytes`);
    assert.deepEqual(
      result.map((rows) => Number((rows as { n: number }[])[0].n)),
      long.map((_, i) => i),
    );
  });

  test('a name that does not exist fails the read, naming it', async () => {
    await assert.rejects(showCreateMany(many, db.name, 'TABLE', ['t000', 'missing table', 't001']), /missing table/);
  });
});
