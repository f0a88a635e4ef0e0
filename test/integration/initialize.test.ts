// `olympia-data initialize` end to end on the example project, against the real MariaDB and
// Elasticsearch: every row of the decision table as a user meets it (what is in the database, what the
// alias serves, which backups exist, what the summary says), and the INIT_* variables.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { runCli, shown } from '../support/init-cli.js';
import {
  aliasState,
  backupCreatedAt,
  copyExample,
  count,
  databaseExists,
  deleteIndices,
  doneSteps,
  hasBackup,
  jsonOf,
  newDatabaseName,
  publicAddons,
  sql,
  tableNames,
  type ExampleCopy,
  type TestDatabase,
} from '../support/init-projects.js';

const UNREACHABLE_ES = 'http://127.0.0.1:1';
const SEEDED_USERS = 500;

describe('initialize', () => {
  let esUrl: string;
  let project: ExampleCopy;
  const dbs: TestDatabase[] = [];
  let initCreatedAt: string;
  let expectedDocs: number;

  const newDb = async () => {
    const db = await newDatabaseName('init');
    dbs.push(db);
    return db;
  };
  /** Runs the CLI in the project dir with the test services in its environment. */
  const cli = (args: string[], db: TestDatabase, env: Record<string, string> = {}) =>
    runCli(args, { cwd: project.dir, env: { DATABASE_URL: db.url, ELASTICSEARCH_URL: esUrl, ...env } });
  const insertUser = (db: TestDatabase, email: string) =>
    sql(db.url, 'INSERT INTO users (email, username, created, modified) VALUES (?, ?, NOW(), NOW())', [email, email.split('@')[0]]);
  const hasUser = async (db: TestDatabase, email: string) => (await count(db.url, 'users', `email = '${email}'`)) === 1;

  before(async () => {
    esUrl = await ensureElasticsearch();
    project = await copyExample();
  });
  after(async () => {
    for (const db of dbs) await db.drop();
    await deleteIndices(esUrl, project.alias);
    await project.remove();
  });

  test('a fresh database without _init: creates it, migrates, seeds, dumps _init and builds the index', async () => {
    const db = await newDb();
    assert.equal(await databaseExists(db.url), false);
    const r = await cli(['initialize'], db);
    assert.equal(r.code, 0, shown(r));

    assert.equal(await count(db.url, 'users'), SEEDED_USERS);
    assert.ok(hasBackup(project.backupDir, '_init'), '_init was dumped');
    initCreatedAt = await backupCreatedAt(project.backupDir, '_init');
    expectedDocs = await publicAddons(db.url);
    const alias = await aliasState(esUrl, project.alias);
    assert.equal(alias.indices.length, 1);
    assert.match(alias.indices[0], new RegExp(`^${project.alias}-\\d{8}-\\d{6}-\\d{3}$`));
    assert.equal(alias.documents, expectedDocs);

    // The human summary: one line per step with status, duration and detail, then the total.
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines.find((l) => l.includes('Create the database'))!,
      /^✓ done\s+\d+ ms\s+Create the database: created /,
    );
    assert.match(
      lines.find((l) => l.includes('Run migrations'))!,
      /✓ done\s+[\d.]+ m?s\s+Run migrations: 4 applied, 0 already applied/,
    );
    assert.match(
      lines.find((l) => l.includes('Run the seed'))!,
      /✓ done .*Run the seed: \d+ statements from 3 files/,
    );
    assert.match(
      lines.find((l) => l.includes('Dump the seeded data'))!,
      /✓ done .*"_init": 12 tables, [\d,]+ rows/,
    );
    assert.match(
      lines.find((l) => l.includes('Build the search index'))!,
      new RegExp(`✓ done .*${project.alias} → ${alias.indices[0]} \\(${expectedDocs} documents\\)`),
    );
    assert.match(lines.at(-1)!, /^Done in .+ \(seeded, indexed\)\.$/);
    // The plan is announced before the first step starts.
    const planAt = r.stderr.indexOf('Plan:');
    assert.ok(planAt >= 0 && planAt < r.stderr.indexOf('▸ Create the database'), r.stderr);
  });

  test('a fresh database with _init: loads _init instead of seeding, then indexes', async () => {
    const db = await newDb();
    const before = await aliasState(esUrl, project.alias);
    const r = await cli(['initialize', '--json'], db);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.deepEqual(doneSteps(j), ['create-database', 'load', 'migrate', 'index']);
    assert.equal(j.loaded, '_init');
    assert.equal(j.seeded, false);
    assert.equal(j.indexed, true);
    assert.equal(j.ok, true);
    for (const s of j.steps) {
      assert.ok(['done', 'skipped'].includes(s.status));
      assert.equal(typeof s.durationMs, 'number');
      assert.equal(typeof s.reason, 'string');
    }
    assert.doesNotMatch(r.stderr, /Run the seed/, 'the seed did not run');
    assert.equal(await backupCreatedAt(project.backupDir, '_init'), initCreatedAt, '_init was not dumped again');
    assert.equal(await count(db.url, 'users'), SEEDED_USERS);
    const alias = await aliasState(esUrl, project.alias);
    assert.notDeepEqual(alias.indices, before.indices, 'the index was rebuilt from the loaded data');
    assert.equal(alias.documents, expectedDocs);
  });

  test('a database with data: only new migrations run; the data and the index stay', async () => {
    const db = await newDb();
    assert.equal((await cli(['initialize'], db)).code, 0);
    await insertUser(db, 'kept@example.com');
    const before = await aliasState(esUrl, project.alias);
    const migration = join(project.dir, 'migrations', '0005_users_nickname.sql');
    await writeFile(migration, 'ALTER TABLE users ADD COLUMN nickname VARCHAR(50) NULL;\n');
    try {
      const r = await cli(['initialize', '--json'], db);
      assert.equal(r.code, 0, shown(r));
      const j = jsonOf(r.stdout);
      assert.deepEqual(doneSteps(j), ['migrate']);
      assert.equal(j.steps.find((s) => s.kind === 'migrate')!.detail, '1 applied, 4 already applied');
      assert.deepEqual(
        j.steps.filter((s) => s.status === 'skipped').map((s) => s.kind),
        ['skip:load', 'skip:index'],
      );
      assert.equal(j.loaded, null);
      assert.ok(await hasUser(db, 'kept@example.com'), 'the data was kept');
      assert.equal(await count(db.url, 'users'), SEEDED_USERS + 1);
      const [col] = await sql<{ n: number }>(
        db.url,
        "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'nickname'",
      );
      assert.equal(Number(col.n), 1, 'the new migration was applied');
      assert.deepEqual(await aliasState(esUrl, project.alias), before, 'the index was left alone');
    } finally {
      await rm(migration);
    }
  });

  test('--clean: back to the _init state (inserted rows gone) with the index recreated', async () => {
    const db = await newDb();
    assert.equal((await cli(['initialize'], db)).code, 0);
    await insertUser(db, 'gone@example.com');
    const before = await aliasState(esUrl, project.alias);
    const r = await cli(['initialize', '--clean', '--json'], db);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.deepEqual(doneSteps(j), ['clean', 'load', 'migrate', 'index']);
    assert.match(j.steps[0].detail!, new RegExp(`removed indices ${before.indices[0]}`));
    assert.equal(await hasUser(db, 'gone@example.com'), false);
    assert.equal(await count(db.url, 'users'), SEEDED_USERS);
    const after = await aliasState(esUrl, project.alias);
    assert.equal(after.indices.length, 1);
    assert.notEqual(after.indices[0], before.indices[0]);
    assert.equal(after.documents, expectedDocs);
  });

  test('--load NAME: a user backup replaces the data, and the index follows it', async () => {
    const db = await newDb();
    assert.equal((await cli(['initialize'], db)).code, 0);
    await insertUser(db, 'in-backup@example.com');
    await sql(db.url, 'UPDATE addons SET disabled_by_user = 1 WHERE id <= 5');
    const dumped = await cli(['dump', '--name', 'mine'], db);
    assert.equal(dumped.code, 0, shown(dumped));
    await sql(db.url, "DELETE FROM users WHERE email = 'in-backup@example.com'");
    await sql(db.url, 'UPDATE addons SET disabled_by_user = 0');

    const r = await cli(['initialize', '--load', 'mine', '--json'], db);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.equal(j.loaded, 'mine');
    assert.deepEqual(doneSteps(j), ['load', 'migrate', 'index']);
    assert.ok(await hasUser(db, 'in-backup@example.com'), 'the backup was loaded');
    const served = await publicAddons(db.url);
    assert.ok(served < expectedDocs);
    assert.equal((await aliasState(esUrl, project.alias)).documents, served, 'the index serves the loaded data');
  });

  test('--skip-seed without _init: the database is only migrated and no _init is written', async () => {
    const db = await newDb();
    const empty = join(project.dir, 'no-backups-yet');
    const r = await cli(['initialize', '--skip-seed', '--skip-index', '--backup-dir', empty, '--json'], db);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.deepEqual(doneSteps(j), ['create-database', 'migrate']);
    assert.equal(j.steps.find((s) => s.kind === 'skip:seed')!.status, 'skipped');
    assert.ok((await tableNames(db.url)).includes('addons'), 'the schema is there');
    assert.equal(await count(db.url, 'users'), 0, 'nothing was seeded');
    assert.equal(hasBackup(empty, '_init'), false, 'no _init was written');
  });

  test('--skip-index: Elasticsearch is never contacted, so an unreachable one does not matter', async () => {
    const db = await newDb();
    const before = await aliasState(esUrl, project.alias);
    const r = await cli(['initialize', '--skip-index', '--elasticsearch-url', UNREACHABLE_ES], db);
    assert.equal(r.code, 0, shown(r));
    assert.match(r.stdout, /– skipped\s+Index not built: skip-index was given/);
    assert.equal(await count(db.url, 'users'), SEEDED_USERS, '_init was loaded');
    assert.deepEqual(await aliasState(esUrl, project.alias), before);
  });

  describe('INIT_* environment variables', () => {
    test('INIT_CLEAN=true cleans like --clean', async () => {
      const db = await newDb();
      assert.equal((await cli(['initialize', '--skip-index'], db)).code, 0);
      await insertUser(db, 'env-clean@example.com');
      const r = await cli(['initialize', '--json'], db, { INIT_CLEAN: 'true' });
      assert.equal(r.code, 0, shown(r));
      assert.equal(doneSteps(jsonOf(r.stdout))[0], 'clean');
      assert.equal(await hasUser(db, 'env-clean@example.com'), false);
    });

    test('INIT_LOAD=NAME loads that backup; --load wins over it', async () => {
      const db = await newDb();
      const viaEnv = await cli(['initialize', '--json', '--skip-index'], db, { INIT_LOAD: 'mine' });
      assert.equal(viaEnv.code, 0, shown(viaEnv));
      assert.equal(jsonOf(viaEnv.stdout).loaded, 'mine');
      assert.ok(await hasUser(db, 'in-backup@example.com'));

      const flagWins = await cli(['initialize', '--json', '--skip-index', '--load', '_init'], db, { INIT_LOAD: 'mine' });
      assert.equal(flagWins.code, 0, shown(flagWins));
      assert.equal(jsonOf(flagWins.stdout).loaded, '_init');
      assert.equal(await hasUser(db, 'in-backup@example.com'), false);
    });

    test('INIT_SKIP_SEED=1 only migrates when _init is missing', async () => {
      const db = await newDb();
      const empty = join(project.dir, 'still-no-backups');
      const r = await cli(['initialize', '--json', '--backup-dir', empty], db, { INIT_SKIP_SEED: '1', INIT_SKIP_INDEX: 'true' });
      assert.equal(r.code, 0, shown(r));
      assert.equal(jsonOf(r.stdout).seeded, false);
      assert.equal(await count(db.url, 'users'), 0);
      assert.equal(hasBackup(empty, '_init'), false);
    });

    test('INIT_SKIP_INDEX=yes leaves Elasticsearch alone; the --skip-index flag wins over INIT_SKIP_INDEX=no', async () => {
      const db = await newDb();
      const viaEnv = await cli(['initialize', '--elasticsearch-url', UNREACHABLE_ES], db, { INIT_SKIP_INDEX: 'yes' });
      assert.equal(viaEnv.code, 0, shown(viaEnv));
      const flagWins = await cli(['initialize', '--skip-index', '--clean', '--elasticsearch-url', UNREACHABLE_ES], db, { INIT_SKIP_INDEX: 'no' });
      assert.equal(flagWins.code, 0, shown(flagWins));
      assert.equal(await count(db.url, 'users'), SEEDED_USERS);
    });

    test('INIT_CLEAN=maybe is an error naming the variable, and nothing is touched', async () => {
      const db = await newDb();
      assert.equal((await cli(['initialize', '--skip-index'], db)).code, 0);
      await insertUser(db, 'survivor@example.com');
      const r = await cli(['initialize', '--clean'], db, { INIT_CLEAN: 'maybe' });
      assert.equal(r.code, 2, shown(r));
      assert.match(r.stderr, /INIT_CLEAN="maybe" is not a yes\/no value/);
      assert.ok(await hasUser(db, 'survivor@example.com'), 'the database was not cleaned');
    });
  });
});
