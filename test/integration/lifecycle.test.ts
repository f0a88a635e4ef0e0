// The data lifecycle in every order of events, on the example project against the real MariaDB and
// Elasticsearch: a seed that fails midway, loads between initializes, a rebuilt index, and an `_init`
// dumped from migration or seed files that have changed since.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { runCli, shown } from '../support/init-cli.js';
import {
  aliasState,
  copyExample,
  count,
  databaseExists,
  deleteIndices,
  doneSteps,
  jsonOf,
  newDatabaseName,
  publicAddons,
  sql,
  type ExampleCopy,
  type TestDatabase,
} from '../support/init-projects.js';

const SEEDED_USERS = 500;

describe('lifecycle', () => {
  let esUrl: string;
  let project: ExampleCopy;
  const dbs: TestDatabase[] = [];
  const newDb = async () => {
    const db = await newDatabaseName('life');
    dbs.push(db);
    return db;
  };
  const cli = (args: string[], db: TestDatabase) => runCli(args, { cwd: project.dir, env: { DATABASE_URL: db.url, ELASTICSEARCH_URL: esUrl } });
  const step = (stdout: string, kind: string) => jsonOf(stdout).steps.find((s) => s.kind === kind);

  before(async () => {
    esUrl = await ensureElasticsearch();
    project = await copyExample();
  });
  after(async () => {
    for (const db of dbs) await db.drop();
    await deleteIndices(esUrl, project.alias);
    await project.remove();
  });

  test('a seed that fails midway is never taken for data: the next initialize drops it and seeds again', async () => {
    const db = await newDb();
    // A seed hook that writes a row, then fails, as a management command dying halfway would.
    const half = `mysql -h"$MYSQL_HOST" -P"$MYSQL_PORT" -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" "$MYSQL_DATABASE" -e "INSERT INTO users (email, username, created, modified) VALUES ('half@example.com', 'half', NOW(), NOW())" && exit 3`;
    const failed = await cli(['initialize', '--skip-index', '--seed-command', half], db);
    assert.equal(failed.code, 7, shown(failed));
    assert.match(failed.stderr, /partial seed; the next `olympia-data initialize` drops it and seeds again/);
    assert.equal(await count(db.url, 'users'), 1, 'the hook did write before failing');

    const again = await cli(['initialize', '--skip-index', '--json'], db);
    assert.equal(again.code, 0, shown(again));
    assert.deepEqual(doneSteps(jsonOf(again.stdout)), ['flush', 'migrate', 'seed', 'dump-init']);
    assert.match(step(again.stdout, 'flush')!.reason, /the last seed did not finish/);
    assert.equal(await count(db.url, 'users', "email = 'half@example.com'"), 0, 'the partial row is gone');
    assert.equal(await count(db.url, 'users'), SEEDED_USERS);

    const third = await cli(['initialize', '--skip-index', '--json'], db);
    assert.equal(third.code, 0, shown(third));
    assert.deepEqual(doneSteps(jsonOf(third.stdout)), ['migrate'], 'a finished seed is data: nothing is loaded or seeded again');
  });

  test('the index follows the data: load rebuilds it, and an initialize after a load without it does', async () => {
    const db = await newDb();
    const first = await cli(['initialize', '--json'], db);
    assert.equal(first.code, 0, shown(first));
    assert.equal((await aliasState(esUrl, project.alias)).documents, await publicAddons(db.url));

    // A backup with fewer public add-ons than the index holds.
    await sql(db.url, 'UPDATE addons SET status = 5 WHERE id % 3 = 0');
    const fewerDocs = await publicAddons(db.url);
    const dumped = await cli(['dump', '--name', 'fewer'], db);
    assert.equal(dumped.code, 0, shown(dumped));

    const loadAll = await cli(['load', '--name', '_init'], db);
    assert.equal(loadAll.code, 0, shown(loadAll));
    assert.match(loadAll.stdout, /Search index rebuilt/);
    const allDocs = await publicAddons(db.url);
    assert.ok(allDocs > fewerDocs);
    assert.equal((await aliasState(esUrl, project.alias)).documents, allDocs);

    const loadFewer = await cli(['load', '--name', 'fewer', '--skip-index'], db);
    assert.equal(loadFewer.code, 0, shown(loadFewer));
    assert.doesNotMatch(loadFewer.stdout, /Search index rebuilt/);
    assert.equal((await aliasState(esUrl, project.alias)).documents, allDocs, '--skip-index left the index alone');

    const init = await cli(['initialize', '--json'], db);
    assert.equal(init.code, 0, shown(init));
    assert.equal(step(init.stdout, 'index')?.status, 'done');
    assert.match(step(init.stdout, 'index')!.reason, /replaced the data since the index was built/);
    assert.equal((await aliasState(esUrl, project.alias)).documents, fewerDocs);

    const settled = await cli(['initialize', '--json'], db);
    assert.equal(step(settled.stdout, 'skip:index')?.status, 'skipped', 'nothing changed since: no rebuild');

    await sql(db.url, 'UPDATE addons SET status = 4');
    const reindexed = await cli(['reindex'], db);
    assert.equal(reindexed.code, 0, shown(reindexed));
    assert.equal((await aliasState(esUrl, project.alias)).documents, await publicAddons(db.url), 'reindex builds from the database as it is');
  });

  test('an _init from changed seed files is stale and seeded anew; one from older migrations is loaded, migrated and dumped again', async () => {
    const db = await newDb();
    const seeded = await cli(['initialize', '--skip-index'], db);
    assert.equal(seeded.code, 0, shown(seeded));

    await appendFile(join(project.dir, 'seed', '03_reviews.sql'), '\n-- the seed changed\n');
    const stale = await cli(['initialize', '--clean', '--skip-index', '--json'], db);
    assert.equal(stale.code, 0, shown(stale));
    assert.deepEqual(doneSteps(jsonOf(stale.stdout)), ['clean', 'migrate', 'seed', 'dump-init']);
    assert.match(step(stale.stdout, 'seed')!.reason, /"_init" is stale/);

    await writeFile(join(project.dir, 'migrations', '0005_addons_note.sql'), 'ALTER TABLE addons ADD COLUMN note VARCHAR(20) NULL;\n');
    const behind = await cli(['initialize', '--clean', '--skip-index', '--json'], db);
    assert.equal(behind.code, 0, shown(behind));
    assert.deepEqual(doneSteps(jsonOf(behind.stdout)), ['clean', 'load', 'migrate', 'dump-init']);
    assert.equal(step(behind.stdout, 'dump-init')!.title, 'Dump the migrated data as "_init"');
    assert.equal(await count(db.url, 'users'), SEEDED_USERS, 'the seed was loaded, not run');

    const current = await cli(['initialize', '--clean', '--skip-index', '--json'], db);
    assert.deepEqual(doneSteps(jsonOf(current.stdout)), ['clean', 'load', 'migrate'], 'the refreshed _init is current');
    const listed = await cli(['list'], db);
    assert.match(listed.stdout, /^_init\s.*\s[0-9a-f]{12} \(current\)$/m, listed.stdout);
    await appendFile(join(project.dir, 'migrations', '0005_addons_note.sql'), '-- edited\n');
    assert.doesNotMatch((await cli(['list'], db)).stdout, /\(current\)/, 'an edited migration makes it stale');
    assert.match(step(current.stdout, 'migrate')!.detail!, /^0 applied/);
  });

  test('a folder without olympia-data.json: a warning, and a seed it cannot do fails before the database is created', async () => {
    const db = await newDb();
    const empty = await mkdtemp(join(tmpdir(), 'olympia-noconfig-'));
    try {
      const r = await runCli(['initialize', '--skip-index'], { cwd: empty, env: { DATABASE_URL: db.url } });
      assert.equal(r.code, 2, shown(r));
      assert.match(r.stderr, /warning: No olympia-data\.json in /);
      assert.match(r.stderr, /there is none: run from the project directory, or pass --config FILE/);
      assert.equal(await databaseExists(db.url), false, 'nothing was created');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  test('--quiet prints nothing on success; --json still prints the result', async () => {
    const db = await newDb();
    const quiet = await cli(['initialize', '--skip-index', '--quiet'], db);
    assert.equal(quiet.code, 0, shown(quiet));
    assert.equal(quiet.stdout, '');
    assert.equal(quiet.stderr, '');
    const json = await cli(['initialize', '--skip-index', '--quiet', '--json'], db);
    assert.equal(jsonOf(json.stdout).ok, true);
  });
});
