// Two `initialize` processes on one database never interleave: the second waits for the first (saying
// so), or gives up clearly after --lock-timeout. The hooks of a Django-style project log when they start
// and end, so the order of their work is visible.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCli, shown } from '../support/init-cli.js';
import { createDjangoStyleProject, type DjangoStyleProject } from '../support/django-style-project.js';
import { count, newDatabaseName, type TestDatabase } from '../support/init-projects.js';

describe('concurrent initialize runs', () => {
  let project: DjangoStyleProject;
  const dbs: TestDatabase[] = [];

  before(async () => {
    project = await createDjangoStyleProject({ indexHook: false });
  });
  after(async () => {
    for (const db of dbs) await db.drop();
    await project.remove();
  });

  /** `gate`: the run's migrate hook waits until this file exists. */
  const start = (tag: string, db: TestDatabase, log: string, extra: string[] = [], gate = '') =>
    startCli(['initialize', '--backup-dir', `backups-${tag}-${db.name}`, ...extra], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url, HOOK_LOG: log, RUN_TAG: tag, MIGRATE_WAIT_FOR: gate },
    });
  const events = async (log: string) => (await readFile(log, 'utf8')).trim().split('\n');

  test('the second run waits with a message and starts only after the first has finished', async () => {
    const db = await newDatabaseName('conc');
    dbs.push(db);
    const log = join(project.dir, `${db.name}.log`);
    const gate = join(project.dir, `${db.name}.go`);
    const first = start('A', db, log, [], gate);
    await first.waitForStderr(/\[migrate\] Migrating/); // A holds the lock and is inside its migrate hook
    const second = start('B', db, log);
    await second.waitForStderr(/Another olympia-data run holds the lock on database "[^"]+"; waiting up to 600 s/);
    await writeFile(gate, 'go');
    const [a, b] = await Promise.all([first.result, second.result]);
    assert.equal(a.code, 0, shown(a));
    assert.equal(b.code, 0, shown(b));

    // A created and seeded the database; B found it filled and only migrated. Nothing interleaved.
    assert.deepEqual(await events(log), ['A migrate-start', 'A migrate-end', 'A seed-start', 'A seed-end', 'B migrate-start', 'B migrate-end']);
    assert.match(a.stdout, /✓ done .*Run the seed/);
    assert.match(b.stdout, /– skipped\s+Nothing loaded: the database already holds data/);
    assert.equal(await count(db.url, 'polls_question'), 25, 'seeded once');
  });

  test('with a short --lock-timeout the second run fails clearly (exit 6) and does nothing', async () => {
    const db = await newDatabaseName('conc');
    dbs.push(db);
    const log = join(project.dir, `${db.name}.log`);
    const gate = join(project.dir, `${db.name}.go`);
    const first = start('A', db, log, [], gate);
    await first.waitForStderr(/\[migrate\] Migrating/);
    const second = await start('B', db, log, ['--lock-timeout', '1']).result;
    await writeFile(gate, 'go');
    assert.equal(second.code, 6, shown(second));
    assert.match(second.stderr, /Another olympia-data run kept database "[^"]+" locked for 1 s, so initialize did not start\. Nothing was changed\./);
    assert.match(second.stderr, /--lock-timeout/);

    const a = await first.result;
    assert.equal(a.code, 0, shown(a));
    assert.ok(!(await events(log)).some((e) => e.startsWith('B ')), 'the second run never ran a hook');
  });
});
