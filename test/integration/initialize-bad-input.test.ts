// initialize given bad input, against the real services: each case fails with a clear message and the
// documented exit code, and leaves alone what the user did not ask to change.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { runCli, shown } from '../support/init-cli.js';
import { snapshotData } from '../support/fixtures.js';
import {
  aliasState,
  copyExample,
  count,
  databaseExists,
  deleteIndices,
  indicesStartingWith,
  newDatabaseName,
  sql,
  type ExampleCopy,
  type TestDatabase,
} from '../support/init-projects.js';

describe('initialize with bad input', () => {
  let esUrl: string;
  let project: ExampleCopy;
  /** Initialized from the example, holding one row the user added. */
  let db: TestDatabase;
  const dbs: TestDatabase[] = [];
  const cli = (args: string[], env: Record<string, string> = {}, target: TestDatabase = db) =>
    runCli(args, { cwd: project.dir, env: { DATABASE_URL: target.url, ELASTICSEARCH_URL: esUrl, ...env } });
  const untouched = async () => assert.equal(await count(db.url, 'users', "email = 'mine@example.com'"), 1, 'the user row is still there');

  const addMyRow = () => sql(db.url, "INSERT INTO users (email, username, created, modified) VALUES ('mine@example.com', 'mine', NOW(), NOW())");

  before(async () => {
    esUrl = await ensureElasticsearch();
    project = await copyExample();
    db = await newDatabaseName('bad');
    dbs.push(db);
    const r = await cli(['initialize']);
    assert.equal(r.code, 0, shown(r));
    assert.equal((await cli(['dump', '--name', 'last-week'])).code, 0);
    await addMyRow();
  });
  after(async () => {
    for (const d of dbs) await d.drop();
    await deleteIndices(esUrl, project.alias);
    await project.remove();
  });

  test('--load of a missing backup lists the existing ones and changes nothing, even with --clean', async () => {
    const before = await snapshotData(db.url);
    const alias = await aliasState(esUrl, project.alias);
    for (const args of [
      ['--load', 'lastweek'],
      ['--clean', '--load', 'lastweek'],
    ]) {
      const r = await cli(['initialize', ...args]);
      assert.equal(r.code, 3, shown(r));
      assert.match(r.stderr, /There is no backup named "lastweek"; nothing was changed\./);
      assert.match(r.stderr, /Existing backups: "_init", "last-week"\./);
      assert.doesNotMatch(r.stderr, /▸/, 'no step started');
    }
    assert.deepEqual(await snapshotData(db.url), before);
    assert.deepEqual(await aliasState(esUrl, project.alias), alias, 'the index was not dropped');
  });

  test('a damaged backup with --clean fails its check before the database is dropped', async () => {
    const file = join(project.backupDir, 'last-week', 'data', 'users.00000.tsv');
    const original = await readFile(file);
    await appendFile(file, '999\tintruder\n');
    try {
      const r = await cli(['initialize', '--clean', '--load', 'last-week']);
      assert.equal(r.code, 4, shown(r));
      assert.match(r.stderr, /Backup "last-week" failed verification .*users\.00000\.tsv: size is/);
      await untouched();
    } finally {
      await writeFile(file, original);
    }
  });

  test('unknown flags and malformed values are usage errors (exit 2)', async () => {
    const unknown = await cli(['initialize', '--cleen']);
    assert.equal(unknown.code, 2, shown(unknown));
    assert.match(unknown.stderr, /initialize: Unknown option '--cleen'/);
    assert.match(unknown.stderr, /olympia-data initialize --help/);

    const valueless = await cli(['initialize', '--load']);
    assert.equal(valueless.code, 2, shown(valueless));
    assert.match(valueless.stderr, /--load/);

    const badName = await cli(['initialize', '--load', '../etc']);
    assert.equal(badName.code, 2, shown(badName));
    assert.match(badName.stderr, /--load: The backup name "\.\.\/etc" contains a path separator/);

    const badEnv = await cli(['initialize'], { INIT_SKIP_SEED: 'sure' });
    assert.equal(badEnv.code, 2, shown(badEnv));
    assert.match(badEnv.stderr, /INIT_SKIP_SEED="sure" is not a yes\/no value/);

    const badLock = await cli(['initialize', '--lock-timeout', 'soon']);
    assert.equal(badLock.code, 2, shown(badLock));
    await untouched();
  });

  test('Elasticsearch unreachable: exit 5 naming it, before any change; fine with --skip-index', async () => {
    const fresh = await newDatabaseName('bad');
    dbs.push(fresh);
    const r = await cli(['initialize', '--elasticsearch-url', 'http://127.0.0.1:1'], {}, fresh);
    assert.equal(r.code, 5, shown(r));
    assert.match(r.stderr, /Elasticsearch at http:\/\/127\.0\.0\.1:1 could not be reached while checking whether the search index exists/);
    assert.match(r.stderr, /--skip-index/);
    assert.equal(await databaseExists(fresh.url), false, 'the database was not even created');

    const skipped = await cli(['initialize', '--skip-index', '--elasticsearch-url', 'http://127.0.0.1:1'], {}, fresh);
    assert.equal(skipped.code, 0, shown(skipped));
  });

  test("an invalid mapping: Elasticsearch's reason is shown and the old alias keeps serving", async () => {
    const before = await aliasState(esUrl, project.alias);
    assert.ok(before.documents > 0);
    const mappings = join(project.dir, 'search', 'addons.mappings.json');
    const good = await readFile(mappings, 'utf8');
    const bad = JSON.parse(good);
    bad.properties.name = { type: 'txet' };
    await writeFile(mappings, JSON.stringify(bad));
    try {
      const r = await cli(['initialize', '--load', '_init']);
      assert.equal(r.code, 1, shown(r));
      assert.match(r.stderr, /Elasticsearch refused to create the index for .*mapper_parsing_exception: .*No handler for type \[txet\] declared on field \[name\]/);
      assert.match(r.stdout, /✗ failed .*Build the search index/);
      assert.deepEqual(await aliasState(esUrl, project.alias), before, 'the alias still serves the old index');
      assert.deepEqual(await indicesStartingWith(esUrl, project.alias), before.indices, 'no half-built index is left');
    } finally {
      await writeFile(mappings, good);
      await addMyRow(); // the load replaced the data, as asked
    }
  });

  test('MySQL unreachable or refusing: exit 5, and the password is never printed', async () => {
    const secret = 'n0t-for-logs';
    const refused = await cli(['initialize', '--database-url', `mysql://olympia:${secret}@127.0.0.1:1/anything`]);
    assert.equal(refused.code, 5, shown(refused));
    assert.match(refused.stderr, /MySQL at mysql:\/\/olympia:\*\*\*@127\.0\.0\.1:1\/anything refused the connection/);

    const url = new URL(db.url);
    url.password = secret;
    const denied = await cli(['initialize', '--database-url', url.toString()]);
    assert.equal(denied.code, 5, shown(denied));
    assert.match(denied.stderr, /denied access to user "olympia"/);
    for (const r of [refused, denied]) assert.ok(!(r.stdout + r.stderr).includes(secret), shown(r));
    await untouched();
  });
});
