// `olympia-data seed` and `olympia-data reset` end to end on the example project, against the real
// MariaDB and Elasticsearch.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
  indicesStartingWith,
  jsonOf,
  newDatabaseName,
  publicAddons,
  sql,
  type ExampleCopy,
  type TestDatabase,
} from '../support/init-projects.js';

describe('seed and reset', () => {
  let esUrl: string;
  let project: ExampleCopy;
  let db: TestDatabase;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: project.dir, env: { DATABASE_URL: db.url, ELASTICSEARCH_URL: esUrl, ...env } });

  before(async () => {
    esUrl = await ensureElasticsearch();
    project = await copyExample();
    db = await newDatabaseName('seed');
    const r = await cli(['initialize']);
    assert.equal(r.code, 0, shown(r));
  });
  after(async () => {
    await db.drop();
    await deleteIndices(esUrl, project.alias);
    await project.remove();
  });

  test('seed: flushes, replaces _init, migrates, seeds and reindexes', async () => {
    await sql(db.url, "INSERT INTO users (email, username, created, modified) VALUES ('old@example.com', 'old', NOW(), NOW())");
    await sql(db.url, 'CREATE TABLE leftover (id INT PRIMARY KEY)');
    const oldInit = await backupCreatedAt(project.backupDir, '_init');
    const oldAlias = await aliasState(esUrl, project.alias);

    const r = await cli(['seed', '--json']);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.deepEqual(doneSteps(j), ['flush', 'remove-init', 'migrate', 'seed', 'dump-init', 'index']);
    assert.equal(j.seeded, true);
    assert.equal(j.indexed, true);
    assert.equal(j.steps.find((s) => s.kind === 'migrate')!.detail, '4 applied, 0 already applied', 'migrations ran on an empty database');

    assert.equal(await count(db.url, 'users', "email = 'old@example.com'"), 0, 'the old rows are gone');
    assert.equal(await count(db.url, 'users'), 500);
    assert.equal((await sql(db.url, "SHOW TABLES LIKE 'leftover'")).length, 0, 'the flush dropped every table');
    assert.ok(hasBackup(project.backupDir, '_init'));
    assert.notEqual(await backupCreatedAt(project.backupDir, '_init'), oldInit, 'a new _init was dumped');
    const alias = await aliasState(esUrl, project.alias);
    assert.notDeepEqual(alias.indices, oldAlias.indices);
    assert.equal(alias.documents, await publicAddons(db.url));
    assert.deepEqual(await indicesStartingWith(esUrl, project.alias), alias.indices, 'the previous index was deleted');
  });

  test('seed with Elasticsearch unreachable fails before flushing anything', async () => {
    await sql(db.url, "INSERT INTO users (email, username, created, modified) VALUES ('stays@example.com', 'stays', NOW(), NOW())");
    const init = await backupCreatedAt(project.backupDir, '_init');
    const r = await cli(['seed', '--elasticsearch-url', 'http://127.0.0.1:1']);
    assert.equal(r.code, 5, shown(r));
    assert.match(r.stderr, /Elasticsearch at http:\/\/127\.0\.0\.1:1 could not be reached/);
    assert.equal(await count(db.url, 'users', "email = 'stays@example.com'"), 1);
    assert.equal(await backupCreatedAt(project.backupDir, '_init'), init, '_init was kept');
  });

  test('reset without --yes and no terminal: exit 2, nothing dropped', async () => {
    const alias = await aliasState(esUrl, project.alias);
    const r = await cli(['reset']);
    assert.equal(r.code, 2, shown(r));
    assert.match(r.stderr, new RegExp(`reset drops the database "${db.name}".*pass --yes`));
    assert.equal(await databaseExists(db.url), true);
    assert.deepEqual(await aliasState(esUrl, project.alias), alias);
  });

  test("reset --yes: drops the database and the project's indices, and says what it removed", async () => {
    const alias = await aliasState(esUrl, project.alias);
    assert.equal(alias.indices.length, 1);
    const r = await cli(['reset', '--yes']);
    assert.equal(r.code, 0, shown(r));
    assert.match(r.stdout, new RegExp(`Dropped database "${db.name}"\\.`));
    assert.match(r.stdout, new RegExp(`Removed indices: ${alias.indices[0]}\\.`));
    assert.equal(await databaseExists(db.url), false);
    assert.deepEqual(await indicesStartingWith(esUrl, project.alias), []);
    assert.ok(hasBackup(project.backupDir, '_init'), 'backups are not part of the reset');

    const again = await cli(['reset', '--yes']);
    assert.equal(again.code, 0, shown(again));
    assert.match(again.stdout, new RegExp(`Database "${db.name}" did not exist\\.`));
    assert.match(again.stdout, /No search indices to remove\./);
  });

  test('after a reset, initialize starts over from _init', async () => {
    const r = await cli(['initialize', '--json']);
    assert.equal(r.code, 0, shown(r));
    assert.equal(jsonOf(r.stdout).loaded, '_init');
    assert.equal(await count(db.url, 'users'), 500);
    assert.equal((await aliasState(esUrl, project.alias)).documents, await publicAddons(db.url));
  });
});
