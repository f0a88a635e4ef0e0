// The hook route a Django project takes: migrate, seed and index are `python3 manage.py …` commands (from
// olympia-data.json, overridden by flags or OLYMPIA_*_COMMAND), run by initialize and seed against the
// real MariaDB and Elasticsearch.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { runCli, shown } from '../support/init-cli.js';
import { createDjangoStyleProject, type DjangoStyleProject } from '../support/django-style-project.js';
import { count, databaseExists, deleteIndices, doneSteps, hasBackup, jsonOf, newDatabaseName, tableNames, type TestDatabase } from '../support/init-projects.js';

async function documents(esUrl: string, index: string): Promise<number> {
  const res = await fetch(new URL(`/${index}/_count`, esUrl));
  return res.status === 404 ? 0 : Number(((await res.json()) as { count: number }).count);
}

describe('Django-style hooks', () => {
  let esUrl: string;
  let project: DjangoStyleProject;
  const dbs: TestDatabase[] = [];
  const newDb = async () => {
    const db = await newDatabaseName('dj');
    dbs.push(db);
    return db;
  };
  const cli = (args: string[], db: TestDatabase, env: Record<string, string> = {}) =>
    runCli(args, { cwd: project.dir, env: { DATABASE_URL: db.url, ELASTICSEARCH_URL: esUrl, ...env } });

  before(async () => {
    esUrl = await ensureElasticsearch();
    project = await createDjangoStyleProject();
  });
  after(async () => {
    for (const db of dbs) await db.drop();
    await deleteIndices(esUrl, project.index);
    await project.remove();
  });

  test('initialize runs the configured commands with the connection in their environment, streaming their output', async () => {
    const db = await newDb();
    const r = await cli(['initialize'], db);
    assert.equal(r.code, 0, shown(r));
    // manage.py exits 3 if the MYSQL_* parts disagree with DATABASE_URL; it used them to create and fill the table.
    assert.deepEqual(await tableNames(db.url), ['polls_question']);
    assert.equal(await count(db.url, 'polls_question'), 25);
    assert.equal(await documents(esUrl, project.index), 25, 'the index hook reached Elasticsearch through ELASTICSEARCH_URL');
    assert.ok(hasBackup(project.backupDir, '_init'), 'the hook-seeded data was dumped as _init');

    // Output is streamed line by line, prefixed with the hook's name, in order with the steps.
    const err = r.stderr;
    assert.match(err, /Running the migrate hook: python3 manage\.py migrate --noinput/);
    assert.match(err, /\[migrate\]   Applying polls\.0001_initial\.\.\. OK/);
    assert.match(err, /\[seed\] Seeded 25 questions/);
    assert.match(err, new RegExp(`\\[index\\] Indexed 25 questions into ${project.index}`));
    assert.ok(err.indexOf('[migrate]') < err.indexOf('[seed]') && err.indexOf('[seed]') < err.indexOf('[index]'));
    // The password reaches the hook but never the user's screen.
    const password = new URL(db.url).password;
    assert.match(err, /\[migrate\] Migrating mysql:\/\/olympia:\*\*\*@127\.0\.0\.1:\d+\/\w+ as olympia \(password \*\*\*\)/);
    assert.ok(!(r.stdout + r.stderr).includes(password));

    assert.match(r.stdout, /✓ done .*Run migrations: migrate command succeeded/);
    assert.match(r.stdout, /✓ done .*Run the seed: seed command succeeded/);
    assert.match(r.stdout, /✓ done .*Build the search index: index command succeeded/);
  });

  test('a second database loads _init: the migrate and index hooks run, the seed hook does not', async () => {
    const db = await newDb();
    const r = await cli(['initialize', '--json'], db);
    assert.equal(r.code, 0, shown(r));
    const j = jsonOf(r.stdout);
    assert.deepEqual(doneSteps(j), ['create-database', 'load', 'migrate', 'index']);
    assert.equal(j.seeded, false);
    assert.doesNotMatch(r.stderr, /\[seed\]/);
    assert.equal(await count(db.url, 'polls_question'), 25);
  });

  test('seed reruns the seed hook on a flushed database', async () => {
    const db = await newDb();
    assert.equal((await cli(['initialize', '--skip-index'], db)).code, 0);
    const r = await cli(['seed', '--skip-index'], db);
    assert.equal(r.code, 0, shown(r));
    const done = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('✓ done'))
      .map((l) => l.replace(/^✓ done\s+\S+ m?s\s+/, '').replace(/:.*/, ''));
    assert.deepEqual(done, ['Empty the database', 'Remove backup "_init"', 'Run migrations', 'Run the seed', 'Dump the seeded data as "_init"']);
    assert.match(r.stderr, /\[seed\] Seeded 25 questions/);
    assert.equal(await count(db.url, 'polls_question'), 25, 'the flush emptied the table before the seed refilled it');
  });

  test('a failing hook: exit 7 naming the hook, its exit code and its last words', async () => {
    const db = await newDb();
    const r = await cli(['initialize', '--migrate-command', 'python3 manage.py migrate --noinput --fail 9'], db);
    assert.equal(r.code, 7, shown(r));
    assert.match(r.stderr, /error: The migrate hook failed with exit code 9: python3 manage\.py migrate --noinput --fail 9/);
    assert.match(r.stderr, /Table 'polls_choice' already exists/);
    assert.match(r.stderr, /\[migrate\]   Applying polls\.0001_initial\.\.\. OK/, 'its output was shown');
    assert.match(r.stdout, /✗ failed .*Run migrations: The migrate hook failed with exit code 9/);
    assert.match(r.stdout, /· not run\s+Build the search index/, 'nothing ran after the failed step, and the summary says so');
  });

  test('a command that does not exist: exit 7 saying it was not found', async () => {
    const db = await newDb();
    const r = await cli(['initialize', '--skip-index', '--backup-dir', 'none-yet'], db, { OLYMPIA_SEED_COMMAND: 'manage-py-typo seed_data' });
    assert.equal(r.code, 7, shown(r));
    assert.match(r.stderr, /The seed hook's command was not found \(exit code 127\): manage-py-typo seed_data/);
    assert.equal(await databaseExists(db.url), true, 'the steps before it ran');
  });

  test('flags win over OLYMPIA_*_COMMAND, which wins over the config file', async () => {
    const db = await newDb();
    const r = await cli(['initialize', '--skip-index', '--backup-dir', 'none-yet', '--seed-command', 'python3 manage.py seed_data && echo seeded-by-flag'], db, {
      OLYMPIA_SEED_COMMAND: 'echo seeded-by-env',
      OLYMPIA_MIGRATE_COMMAND: 'python3 manage.py migrate --noinput && echo migrated-by-env',
    });
    assert.equal(r.code, 0, shown(r));
    assert.match(r.stderr, /\[seed\] seeded-by-flag/);
    assert.doesNotMatch(r.stderr, /seeded-by-env/);
    assert.match(r.stderr, /\[migrate\] migrated-by-env/);
  });
});
