// A load killed at each step of its swap (the steps the load itself runs, stopped after the k-th
// as a kill would), then recovered by the next run: the database's tables, views and triggers and
// the storage directory are all the old ones or all the new ones, and nothing of the load is left.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { namesIn, treeContents } from '../support/files.js';
import { schemaObjects, tableChecksums } from '../support/fixtures.js';
import { beginFill, fillSteps, recoverInterruptedLoad, type SwapContext, swapSteps, type SwapJournal } from '../../src/load/swap-journal.js';
import { serverFlavor } from '../../src/mysql/server-flavor.js';
import { finishStorageSwap, stageStorage } from '../../src/backup/storage-snapshot.js';
import { BackupStore } from '../../src/backup/store.js';
import { dumpBackup } from '../../src/commands/dump.js';
import { makeContext } from '../../src/commands/context.js';
import { validateConfig } from '../../src/core/config.js';
import { load } from '../../src/load/load-backup.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { prepareSwap, stagingNames } from '../../src/load/swap-database.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

let db: Db;
const swapContext = async (conn: Connection): Promise<SwapContext> => ({ conn, target: parseDatabaseUrl(db.url), server: await serverFlavor(conn), reporter: silentReporter });

const OLD_SQL = [
  `CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))`,
  `INSERT INTO a VALUES (1, 'old'), (2, 'old')`,
  `CREATE TABLE only_old (id INT PRIMARY KEY)`,
  `INSERT INTO only_old VALUES (7)`,
  `CREATE VIEW va AS SELECT id FROM a`,
  `CREATE TRIGGER ta BEFORE INSERT ON a FOR EACH ROW SET NEW.v = UPPER(NEW.v)`,
];
const NEW_TABLES = [
  `CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))`,
  `INSERT INTO a VALUES (1, 'new'), (2, 'new'), (3, 'new')`,
  `CREATE TABLE only_new (id INT PRIMARY KEY)`,
  `INSERT INTO only_new VALUES (8), (9)`,
];
const NEW_VIEWS = [{ name: 'vn', createSql: 'CREATE VIEW vn AS SELECT id FROM only_new' }];
const NEW_TRIGGERS = [{ name: 'tn', createSql: 'CREATE TRIGGER tn BEFORE INSERT ON only_new FOR EACH ROW SET NEW.id = NEW.id + 1' }];

async function run(url: string, statements: string[]): Promise<void> {
  const c = await mysql.createConnection({ uri: url });
  for (const s of statements) await c.query(s);
  await c.end();
}

async function schemasPresent(url: string, names: string[]): Promise<string[]> {
  const c = await mysql.createConnection({ uri: url });
  const [r] = await c.query(`SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)`, [names]);
  await c.end();
  return (r as { s: string }[]).map((x) => x.s);
}

async function wholeState(url: string, storage: string) {
  return { tables: await tableChecksums(url), objects: await schemaObjects(url), storage: await treeContents(storage) };
}

describe('a load killed at each step of its swap, then recovered', () => {
  let dir: string;
  let storage: string;
  let oldState: Awaited<ReturnType<typeof wholeState>>;
  let newState: Awaited<ReturnType<typeof wholeState>>;
  const server = () => db.url.slice(0, db.url.lastIndexOf('/'));

  /** Live holds the old data and storage; the staging database and a staged storage copy hold the new. */
  async function setUp(): Promise<SwapJournal> {
    await run(server(), [`DROP DATABASE IF EXISTS \`${db.name}\``, `CREATE DATABASE \`${db.name}\``]);
    await run(db.url, OLD_SQL);
    await rm(dir, { recursive: true, force: true });
    await mkdir(storage, { recursive: true });
    await writeFile(join(storage, 'old.txt'), 'old files');
    const { stage, old, journal } = stagingNames(db.name);
    await run(server(), [`DROP DATABASE IF EXISTS \`${stage}\``, `CREATE DATABASE \`${stage}\``]);
    await run(`${server()}/${stage}`, NEW_TABLES);
    const staged = await stageStorage(storage, async (d) => {
      await mkdir(join(d, 'sub'));
      await writeFile(join(d, 'sub', 'new.txt'), 'new files');
    });
    const conn = await connect(parseDatabaseUrl(db.url), { database: null });
    try {
      const dbs = { live: db.name, stage, old, journal };
      const { liveTriggers, createdLive } = await prepareSwap(conn, dbs);
      assert.equal(createdLive, false, 'live was there before');
      return { ...dbs, liveTriggers, views: NEW_VIEWS, triggers: NEW_TRIGGERS, storage: staged.paths };
    } finally {
      await conn.end();
    }
  }

  /** Runs the first `k` steps on a connection that then goes away, as a killed process's would. */
  async function runSteps(journal: SwapJournal, k: number): Promise<string[]> {
    const conn = await connect(parseDatabaseUrl(db.url), { database: null });
    try {
      const steps = swapSteps(await swapContext(conn), journal);
      for (const s of steps.slice(0, k)) await s.run();
      return steps.map((s) => s.name);
    } finally {
      await conn.end();
    }
  }

  async function recover() {
    const conn = await connect(parseDatabaseUrl(db.url), { database: null });
    try {
      return await recoverInterruptedLoad(conn, parseDatabaseUrl(db.url), { reporter: silentReporter, lockTimeoutS: 10 });
    } finally {
      await conn.end();
    }
  }

  before(async () => {
    db = await freshDatabase('journal');
    dir = await mkdtemp(join(tmpdir(), 'olympia-journal-'));
    storage = join(dir, 'storage');
    // The two whole states, each made by a complete run of the steps (and the old one by none).
    await setUp();
    oldState = await wholeState(db.url, storage);
    await runSteps(await setUp(), Infinity);
    newState = await wholeState(db.url, storage);
  });
  after(async () => {
    const { stage, old, journal } = stagingNames(db.name);
    await run(server(), [`DROP DATABASE IF EXISTS \`${stage}\``, `DROP DATABASE IF EXISTS \`${old}\``, `DROP DATABASE IF EXISTS \`${journal}\``]);
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the two whole states differ in every part', () => {
    assert.deepEqual(oldState.objects, { views: ['va'], triggers: ['a.ta'] });
    assert.deepEqual(newState.objects, { views: ['vn'], triggers: ['only_new.tn'] });
    assert.deepEqual(Object.keys(oldState.tables), ['a', 'only_old']);
    assert.deepEqual(Object.keys(newState.tables), ['a', 'only_new']);
    assert.deepEqual(Object.keys(oldState.storage!), ['old.txt']);
    assert.deepEqual(Object.keys(newState.storage!), [join('sub', 'new.txt')]);
  });

  const names = ['write journal', 'drop live triggers', 'rename tables', 'create views and triggers', 'swap storage', 'drop staging databases'];
  for (let k = 1; k <= names.length; k++) {
    const afterRename = k >= names.indexOf('rename tables') + 1;
    test(`killed after "${names[k - 1]}": recovery ${k === names.length ? 'has nothing to do' : afterRename ? 'finishes the load' : 'keeps the old data'}`, async () => {
      const journal = await setUp();
      assert.deepEqual(await runSteps(journal, k), names, 'the steps are the ones this test names');
      const expected = k === names.length ? 'none' : afterRename ? 'rolled forward' : 'rolled back';
      assert.equal(await recover(), expected);
      assert.deepEqual(await wholeState(db.url, storage), afterRename ? newState : oldState);
      const left = stagingNames(db.name);
      assert.deepEqual(await schemasPresent(db.url, [left.stage, left.old, left.journal]), [], 'no staging or journal database is left');
      assert.deepEqual(
        (await namesIn(dirname(storage))).filter((n) => n.startsWith(`${basename(storage)}.`)),
        [],
        'no storage copy is left',
      );
      assert.equal(await recover(), 'none', 'a second recovery has nothing to do');
    });
  }

  test('killed before its rename, a load into a database it created leaves no database', async () => {
    const journal = await setUp();
    await run(server(), [`DROP DATABASE \`${db.name}\``]);
    const conn = await connect(parseDatabaseUrl(db.url), { database: null });
    const prepared = await prepareSwap(conn, journal);
    await conn.end();
    assert.equal(prepared.createdLive, true);
    await runSteps({ ...journal, liveTriggers: prepared.liveTriggers, createdLive: true }, names.indexOf('drop live triggers') + 1);
    assert.equal(await recover(), 'rolled back');
    assert.deepEqual(await schemasPresent(server(), [db.name]), [], 'the database the load made is gone, as before the load');
  });

  test('a recovery killed midway is finished by the next one', async () => {
    const journal = await setUp();
    await runSteps(journal, names.indexOf('rename tables') + 1);
    // The first recovery dies after its views and triggers (the first step of a roll forward).
    const conn = await connect(parseDatabaseUrl(db.url), { database: null });
    await swapSteps(await swapContext(conn), journal)[names.indexOf('create views and triggers')].run();
    await conn.end();
    assert.equal(await recover(), 'rolled forward');
    assert.deepEqual(await wholeState(db.url, storage), newState);
  });

  test('dump and load first finish a load killed after its rename', async (t) => {
    const backupDir = await mkdtemp(join(tmpdir(), 'olympia-journal-backups-'));
    t.after(() => rm(backupDir, { recursive: true, force: true }));
    const backups = new BackupStore(backupDir);
    await runSteps(await setUp(), names.indexOf('rename tables') + 1);
    const ctx = makeContext({ config: validateConfig({}, backupDir), databaseUrl: db.url, backupDir, storageDir: storage, jobs: 1, reporter: silentReporter });
    const d = await dumpBackup(ctx, { name: parseBackupName('after-kill') });
    assert.deepEqual(
      d.manifest.views.map((v) => v.name),
      ['vn'],
      'the dump holds the new views',
    );
    assert.deepEqual(
      d.manifest.triggers.map((t) => t.name),
      ['tn'],
      'and the new triggers',
    );
    assert.deepEqual(
      d.manifest.storage?.files.map((f) => f.path),
      ['storage/sub/new.txt'],
      'and the new storage',
    );
    assert.deepEqual(await wholeState(db.url, storage), newState);

    // A load that finds the same leftover finishes it too, then loads what it was asked to.
    await runSteps(await setUp(), names.indexOf('swap storage'));
    await load({ target: parseDatabaseUrl(db.url), store: backups, name: parseBackupName('after-kill'), jobs: 1, storageDir: storage, reporter: silentReporter });
    assert.deepEqual(await wholeState(db.url, storage), newState);
    // Without the recovery, the staged copy of this (live) process would be left beside the dir.
    assert.deepEqual(
      (await namesIn(dirname(storage))).filter((n) => n.startsWith(`${basename(storage)}.`)),
      [],
      'no storage copy is left',
    );
  });
});

describe('the storage swap, from every state a kill can leave', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'olympia-storage-swap-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  async function layout(parts: { live?: string; staged?: string; aside?: string }) {
    const p = { dir: join(dir, 'live'), staged: join(dir, 'staged'), aside: join(dir, 'aside') };
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    for (const [key, path] of [
      ['live', p.dir],
      ['staged', p.staged],
      ['aside', p.aside],
    ] as const) {
      const content = parts[key];
      if (content === undefined) continue;
      await mkdir(path);
      await writeFile(join(path, 'f'), content);
    }
    return p;
  }

  const states: [string, { live?: string; staged?: string; aside?: string }][] = [
    ['nothing swapped yet', { live: 'old', staged: 'new' }],
    ['no live dir before the load', { staged: 'new' }],
    ['killed between the two renames', { staged: 'new', aside: 'old' }],
    ['killed before the old dir was removed', { live: 'new', aside: 'old' }],
    ['done', { live: 'new' }],
  ];
  for (const [what, parts] of states) {
    test(`${what}: the live dir ends up holding the new files, alone`, async () => {
      const p = await layout(parts);
      await finishStorageSwap(p);
      assert.deepEqual(await treeContents(p.dir), { f: Buffer.from('new').toString('hex') });
      assert.deepEqual(await namesIn(dir), ['live']);
    });
  }

  test('a live dir, a staged one and an old one at once: refused, nothing moved', async () => {
    const p = await layout({ live: 'x', staged: 'new', aside: 'old' });
    await assert.rejects(finishStorageSwap(p), /both it and .*aside exist/);
    assert.deepEqual(await namesIn(dir), ['aside', 'live', 'staged']);
  });
});

describe('a direct fill of an empty database, killed at each point, then recovered', () => {
  let fillDb: Db;
  const server = () => fillDb.url.slice(0, fillDb.url.lastIndexOf('/'));
  const fillContext = async (conn: Connection): Promise<SwapContext> => ({
    conn,
    target: parseDatabaseUrl(fillDb.url),
    server: await serverFlavor(conn),
    reporter: silentReporter,
  });

  /** An empty live database with a fill journal written, and (unless `before`) the backup's tables filled in, plus a table the fill did not make. */
  async function fillUntil(point: 'journal' | 'tables' | number, opts: { createdLive?: boolean } = {}): Promise<SwapJournal> {
    await run(server(), [`DROP DATABASE IF EXISTS \`${fillDb.name}\``, `CREATE DATABASE \`${fillDb.name}\``]);
    const conn = await connect(parseDatabaseUrl(fillDb.url), { database: null });
    try {
      const journal: SwapJournal = {
        live: fillDb.name,
        ...stagingNames(fillDb.name),
        liveTriggers: [],
        views: NEW_VIEWS,
        triggers: NEW_TRIGGERS,
        fill: { tables: ['a', 'only_new'] },
        ...(opts.createdLive ? { createdLive: true } : {}),
      };
      await beginFill(conn, journal);
      if (point === 'journal') return journal;
      await run(fillDb.url, [...NEW_TABLES, 'CREATE TABLE not_ours (id INT PRIMARY KEY)']);
      // As the load tries them: views made in the live database before the journal is switched.
      await run(fillDb.url, [NEW_VIEWS[0].createSql]);
      if (typeof point === 'number') for (const s of fillSteps(await fillContext(conn), journal).slice(0, point)) await s.run();
      return journal;
    } finally {
      await conn.end();
    }
  }

  async function recover() {
    const conn = await connect(parseDatabaseUrl(fillDb.url), { database: null });
    try {
      return await recoverInterruptedLoad(conn, parseDatabaseUrl(fillDb.url), { reporter: silentReporter, lockTimeoutS: 10 });
    } finally {
      await conn.end();
    }
  }

  const tablesOf = async () => Object.keys(await tableChecksums(fillDb.url)).sort();

  before(async () => {
    fillDb = await freshDatabase('fill');
  });
  after(async () => {
    await run(server(), [`DROP DATABASE IF EXISTS \`${stagingNames(fillDb.name).journal}\``]);
    await fillDb.drop();
  });

  test('killed before the fill is complete: its tables and views go, a table it did not make stays, and the journal goes', async () => {
    for (const point of ['journal', 'tables', 0] as const) {
      await fillUntil(point);
      assert.equal(await recover(), 'rolled back', String(point));
      assert.deepEqual(await tablesOf(), point === 'journal' ? [] : ['not_ours'], String(point));
      assert.deepEqual(await schemaObjects(fillDb.url), { views: [], triggers: [] }, String(point));
      assert.deepEqual(await schemasPresent(server(), [stagingNames(fillDb.name).journal]), [], `${point}: the journal is gone`);
      assert.equal(await recover(), 'none');
    }
  });

  test('killed before the fill is complete, in a database the load created: the database goes too, unless another client put something in it', async () => {
    const present = async () => (await schemasPresent(server(), [fillDb.name])).length === 1;
    await fillUntil('journal', { createdLive: true });
    assert.equal(await recover(), 'rolled back');
    assert.equal(await present(), false, 'the database the load made is gone, as before the load');
    assert.deepEqual(await schemasPresent(server(), [stagingNames(fillDb.name).journal]), []);

    await fillUntil('tables', { createdLive: true });
    assert.equal(await recover(), 'rolled back');
    assert.equal(await present(), true, 'a table the fill did not make keeps the database');
    assert.deepEqual(await tablesOf(), ['not_ours']);

    await fillUntil('journal', { createdLive: true });
    await run(fillDb.url, ['CREATE PROCEDURE not_ours_either() SELECT 1']);
    assert.equal(await recover(), 'rolled back');
    assert.equal(await present(), true, 'so does a routine');
  });

  test('killed once the fill is marked complete: the recovery finishes it (views, triggers) and keeps the tables', async () => {
    // The steps' names only: none is run on this context.
    const names = { conn: null as unknown as Connection, target: parseDatabaseUrl(fillDb.url), server: { mariadb: true, version: 0 }, reporter: silentReporter };
    const steps = fillSteps(names, await fillUntil('journal')).map((s) => s.name);
    assert.deepEqual(steps, ['mark filled', 'create views and triggers', 'swap storage', 'drop staging databases']);
    for (let k = 1; k < steps.length; k++) {
      await fillUntil(k);
      assert.equal(await recover(), 'rolled forward', `after ${steps[k - 1]}`);
      assert.deepEqual(await tablesOf(), ['a', 'not_ours', 'only_new']);
      const objects = await schemaObjects(fillDb.url);
      assert.deepEqual([objects.views, objects.triggers.length], [['vn'], 1], `after ${steps[k - 1]}`);
      assert.deepEqual(await schemasPresent(server(), [stagingNames(fillDb.name).journal]), []);
    }
  });

  test('a pending journal that names a fill, or a filling one that does not, is refused and nothing is dropped', async () => {
    const journal = await fillUntil('tables');
    const jdb = `\`${journal.journal}\``;
    await run(server(), [`RENAME TABLE ${jdb}.fill_pending TO ${jdb}.swap_pending`]);
    await assert.rejects(recover(), /is pending but names a fill/);
    await run(server(), [`RENAME TABLE ${jdb}.swap_pending TO ${jdb}.fill_pending`, `UPDATE ${jdb}.fill_pending SET doc = JSON_REMOVE(doc, '$.fill')`]);
    await assert.rejects(recover(), /is filling but does not name a fill/);
    assert.deepEqual(await tablesOf(), ['a', 'not_ours', 'only_new']);
    await run(server(), [`DROP DATABASE ${jdb}`]);
  });
});
