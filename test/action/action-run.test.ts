// The bundled action (dist/index.js) run exactly as the GitHub runner runs it (see run-action.ts), with
// `services: external` against the harness's real MariaDB and Elasticsearch, and the real @actions/cache
// and @actions/artifact code talking to the FAKE cache and artifact services of fake-actions-services.ts.
// Build first: `npm run package`.
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../support/ports.js';
import { createSearchClient } from '../../src/search/client.js';
import { stopLocalMysql } from '../../src/services/mysql-local.js';
import { ensureElasticsearch } from '../harness/elasticsearch.js';
import { freshDatabase } from '../harness/mariadb.js';
import { FakeActionsServices } from './fake-actions-services.js';
import { commands, describeRun, makeWorkspace, removeWorkspace, ROOT, runAction, type ActionRun } from './run-action.js';

const ALIAS = `olympia-action-${process.pid}`;
const RUN_ID = 1001;

let fake: FakeActionsServices;
let esUrl: string;
const cleanups: Array<() => Promise<void>> = [];
/** Every run of this file, for the final secret scan. */
const runs: ActionRun[] = [];
const secrets = new Set<string>(['ghs_defaultJobTokenOfTheFakeRun']);
const timings: Record<string, number> = {};

async function database(): Promise<{ url: string; name: string }> {
  const db = await freshDatabase('action');
  cleanups.push(db.drop);
  secrets.add(decodeURIComponent(new URL(db.url).password));
  return db;
}

async function workspace(edit?: (dir: string) => Promise<void>): Promise<string> {
  const dir = await makeWorkspace(ALIAS, edit);
  cleanups.push(() => removeWorkspace(dir));
  return dir;
}

interface Run {
  workspace?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  runId?: number;
  db?: { url: string };
}

async function run({ workspace: ws, inputs = {}, env = {}, runId = RUN_ID, db }: Run = {}): Promise<ActionRun> {
  const r = await runAction({
    workspace: ws ?? (await workspace()),
    inputs: { services: 'external', ...(db ? { 'database-url': db.url } : {}), 'elasticsearch-url': esUrl, ...inputs },
    env: { ...fake.env({ runId }), ...env },
  });
  runs.push(r);
  return r;
}

function assertOk(r: ActionRun): void {
  assert.equal(r.code, 0, describeRun(r));
  assert.deepEqual(commands(r.stdout, 'error'), [], describeRun(r));
}

function assertFailed(r: ActionRun, pattern: RegExp): string {
  assert.equal(r.code, 1, describeRun(r));
  const errors = commands(r.stdout, 'error');
  assert.equal(errors.length, 1, describeRun(r));
  assert.match(errors[0], pattern, describeRun(r));
  return errors[0];
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    return (await conn.query(sql))[0] as T[];
  } finally {
    await conn.end();
  }
}

async function userCount(url: string): Promise<number> {
  return Number((await query<{ n: number }>(url, 'SELECT COUNT(*) AS n FROM users'))[0].n);
}

async function documents(): Promise<number> {
  const client = await createSearchClient(esUrl);
  try {
    await client.indices.refresh({ index: ALIAS });
    return (await client.count({ index: ALIAS })).count;
  } finally {
    await client.close();
  }
}

const savedKeys = () => fake.caches.filter((c) => c.committed).map((c) => c.key);

/** A fifth migration, portable between MySQL 8 and MariaDB. */
async function addMigration(dir: string): Promise<void> {
  await writeFile(join(dir, 'migrations', '0005_users_nickname.sql'), 'ALTER TABLE users ADD COLUMN nickname VARCHAR(64) NULL;\n');
}

before(async () => {
  fake = await FakeActionsServices.start();
  esUrl = await ensureElasticsearch();
});

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  const client = await createSearchClient(esUrl);
  await client.indices.delete({ index: `${ALIAS}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
  await client.close();
  await fake.close();
  if (timings.cold && timings.warm) {
    const saved = timings.cold - timings.warm;
    console.log(
      `[action cache] examples/olympia: cold run (seed + dump + save) ${(timings.cold / 1000).toFixed(2)} s, ` +
        `warm run (restore + load) ${(timings.warm / 1000).toFixed(2)} s: the warm run ${saved >= 0 ? 'saved' : 'cost'} ${(Math.abs(saved) / 1000).toFixed(2)} s ` +
        `(warm/cold = ${(timings.warm / timings.cold).toFixed(2)}).`,
    );
  }
});

describe('initialize with the _init cache', () => {
  const prefix = 'main';
  let coldKey = '';

  test('a cold run seeds, builds the index, saves _init under the migration key and reports a miss', async () => {
    const db = await database();
    const r = await run({ db, inputs: { 'cache-key-prefix': prefix } });
    assertOk(r);
    timings.cold = r.durationMs;
    assert.equal(r.outputs['cache-hit'], 'false');
    assert.equal(r.outputs.seeded, 'true');
    assert.equal(r.outputs.loaded, '');
    assert.equal(r.outputs.indexed, 'true');
    assert.match(r.outputs['migration-hash'], /^[0-9a-f]{64}$/);
    assert.match(r.outputs['cache-key'], new RegExp(`^${prefix}-mariadb-\\d+\\.\\d+-v1-${r.outputs['migration-hash']}$`), 'the key names the server');
    assert.equal(r.outputs['cache-primary-key'], r.outputs['cache-key']);
    assert.equal(r.outputs['cache-matched-key'], '');
    assert.ok(savedKeys().includes(r.outputs['cache-key']), `saved keys: ${savedKeys().join(', ')}`);
    assert.match(r.outputs['backup-path'], /\/backups\/_init$/);
    assert.match(r.outputs['database-url'], /^mysql:\/\/olympia:[^@]+@127\.0\.0\.1:\d+\//, 'a URL a later step can connect with');
    assert.ok(r.stdout.includes(`::add-mask::${new URL(r.outputs['database-url']).password}`), 'its password is masked in the log');
    assert.equal(r.outputs['elasticsearch-url'], esUrl);
    coldKey = r.outputs['cache-key'];

    assert.equal(await userCount(db.url), 500);
    assert.equal(await documents(), 920);
    // The summary: steps with times and rows, the miss and the save, the key, the backup's size, the chart.
    assert.match(r.summary, /olympia-data initialize: ✅ done/);
    assert.match(r.summary, /\| ✅ \| Run the seed \| \d/);
    assert.match(r.summary, /\| ✅ \| Dump the seeded data as '?"?_init/);
    assert.match(r.summary, /\*\*miss\*\*/);
    assert.match(r.summary, /saved `_init` under the key/);
    assert.ok(r.summary.includes(coldKey));
    assert.match(r.summary, /\| `_init` \| seeded \| 12 \| 17,313 \| [\d.]+ (KB|MB) \|/);
    assert.match(r.summary, /```mermaid\npie showData\n {4}title Where the time went \(seconds\)\n/);
    assert.match(r.summary, / {4}"Run the seed" : \d+\.\d\d\n/);
    // Log groups per step.
    assert.ok(r.stdout.includes('::group::Restore "_init" from the cache'), r.stdout);
    assert.ok(r.stdout.includes('::group::Run the seed'), r.stdout);
    assert.ok(r.stdout.includes('::endgroup::'));
  });

  test('a warm run on a fresh database and a fresh checkout restores _init: cache-hit, loaded _init, not seeded', async () => {
    assert.ok(coldKey, 'the cold run ran first');
    const db = await database();
    const r = await run({ db, inputs: { 'cache-key-prefix': prefix } });
    assertOk(r);
    timings.warm = r.durationMs;
    assert.equal(r.outputs['cache-hit'], 'true');
    assert.equal(r.outputs['cache-key'], coldKey);
    assert.equal(r.outputs['cache-matched-key'], coldKey);
    assert.equal(r.outputs.seeded, 'false');
    assert.equal(r.outputs.loaded, '_init');
    assert.equal(r.outputs.indexed, 'true');
    assert.equal(await userCount(db.url), 500);
    assert.equal(await documents(), 920);
    assert.match(r.summary, /✅ \*\*hit\*\*/);
    assert.match(r.summary, /\| `_init` \| restored from the cache \| 12 \| 17,313 \|/);
    assert.equal(savedKeys().filter((k) => k === coldKey).length, 1, 'the entry is not saved twice');
  });

  test('a changed migration file misses the cache, seeds again and saves under a new key', async () => {
    const db = await database();
    const ws = await workspace(async (dir) => appendFile(join(dir, 'migrations', '0004_addons_requires_payment.sql'), '\n-- reworded comment\n'));
    const r = await run({ db, workspace: ws, inputs: { 'cache-key-prefix': prefix, 'skip-index': 'true' } });
    assertOk(r);
    assert.equal(r.outputs['cache-hit'], 'false');
    assert.equal(r.outputs.seeded, 'true');
    assert.notEqual(r.outputs['cache-key'], coldKey);
    assert.ok(savedKeys().includes(r.outputs['cache-key']));
    assert.equal(r.outputs.indexed, 'false');
    assert.equal(r.outputs['elasticsearch-url'], '', 'with skip-index Elasticsearch is not used');
  });

  test('incremental: the _init of older migrations is restored, only the new migration runs, the result is saved under the new key', async () => {
    const incremental = 'incremental';
    const cold = await run({ db: await database(), inputs: { 'cache-key-prefix': incremental, 'skip-index': 'true' } });
    assertOk(cold);

    const db = await database();
    const ws = await workspace(addMigration);
    const r = await run({ db, workspace: ws, inputs: { 'cache-key-prefix': incremental, 'skip-index': 'true', incremental: 'true' } });
    assertOk(r);
    assert.equal(r.outputs['cache-hit'], 'false', 'an older entry is not a hit');
    assert.equal(r.outputs.loaded, '_init');
    assert.equal(r.outputs.seeded, 'false');
    assert.notEqual(r.outputs['cache-key'], cold.outputs['cache-key']);
    assert.match(r.summary, /partial hit/);
    assert.ok(r.summary.includes(cold.outputs['cache-key']), 'the summary names the entry it restored');
    assert.match(r.summary, /Run migrations \| [\d.]+ m?s \| +\| 1 applied, 4 already applied/);
    assert.match(r.summary, /Dump the migrated data as "_init"/);
    assert.ok(savedKeys().includes(r.outputs['cache-key']));
    assert.equal(await userCount(db.url), 500);
    assert.equal((await query(db.url, "SHOW COLUMNS FROM users LIKE 'nickname'")).length, 1);

    // The saved entry is the migrated data: a plain run with the same migrations hits it and seeds nothing.
    const db2 = await database();
    const again = await run({ db: db2, workspace: await workspace(addMigration), inputs: { 'cache-key-prefix': incremental, 'skip-index': 'true' } });
    assertOk(again);
    assert.equal(again.outputs['cache-hit'], 'true');
    assert.equal(again.outputs.seeded, 'false');
    assert.equal((await query(db2.url, "SHOW COLUMNS FROM users LIKE 'nickname'")).length, 1);
    assert.match(again.summary, /Run migrations \| [\d.]+ m?s \| +\| 0 applied, 5 already applied/);
  });
  test('two branches, incremental: an _init with migrations this branch lacks is never loaded, nor saved under its key', async () => {
    const prefix2 = 'branches';
    const branchA = async (dir: string) => {
      await writeFile(join(dir, 'migrations', '0005_a_only.sql'), 'ALTER TABLE users ADD COLUMN from_a INT NULL;\n');
      await writeFile(join(dir, 'migrations', '0006_a_more.sql'), 'ALTER TABLE users ADD COLUMN more_a INT NULL;\n');
    };
    const branchB = async (dir: string) => writeFile(join(dir, 'migrations', '0005_b_only.sql'), 'ALTER TABLE users ADD COLUMN from_b INT NULL;\n');

    const a = await run({ db: await database(), workspace: await workspace(branchA), inputs: { 'cache-key-prefix': prefix2, 'skip-index': 'true' } });
    assertOk(a);
    assert.ok(savedKeys().includes(a.outputs['cache-key']), "branch A's _init is the newest entry");

    const db = await database();
    const b = await run({ db, workspace: await workspace(branchB), inputs: { 'cache-key-prefix': prefix2, 'skip-index': 'true', incremental: 'true' } });
    assertOk(b);
    assert.match(b.summary, /partial hit/, "the restore-keys prefix finds A's entry");
    assert.equal(b.outputs.seeded, 'true', "A's _init is stale for B: B seeds");
    assert.doesNotMatch(b.summary, /Load backup "_init"/, "A's _init was not loaded");
    assert.deepEqual(
      (await query(db.url, "SHOW COLUMNS FROM users WHERE Field IN ('from_a', 'more_a', 'from_b')")).map((c) => (c as { Field: string }).Field),
      ['from_b'],
      "only B's migration",
    );
    assert.ok(savedKeys().includes(b.outputs['cache-key']), "B's own seed is saved under B's key");

    // What B saved is B's: a later plain run of B hits it and holds no column of A.
    const db2 = await database();
    const again = await run({ db: db2, workspace: await workspace(branchB), inputs: { 'cache-key-prefix': prefix2, 'skip-index': 'true' } });
    assertOk(again);
    assert.equal(again.outputs['cache-hit'], 'true');
    assert.deepEqual(
      (await query(db2.url, "SHOW COLUMNS FROM users WHERE Field IN ('from_a', 'more_a', 'from_b')")).map((c) => (c as { Field: string }).Field),
      ['from_b'],
    );
  });
});

test('services: local starts the MySQL installed on the runner, without Docker, where database-url says', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const ws = await workspace();
  const url = `mysql://runner:local-secret@127.0.0.1:${port}/local_app`;
  try {
    const r = await run({ workspace: ws, inputs: { services: 'local', 'database-url': url, 'skip-index': 'true', cache: 'false' } });
    assertOk(r);
    assert.equal(r.outputs.seeded, 'true');
    assert.equal(r.outputs['database-url'], url);
    assert.equal(await userCount(url), 500);
  } finally {
    await stopLocalMysql(join(ws, '.olympia-data', 'services', 'mysql'));
  }
});

describe('cache service trouble never fails the job', () => {
  // The library retries a 500 for about half a minute per call; the action's lookup bound (here 5 s) ends
  // that, and a restore that failed is the last cache call of the job.
  test('the cache service answering 500: one warning naming it, one bounded wait, no save; the job seeds and stays green', async () => {
    fake.fault = { mode: 'fail', status: 500, services: ['cache-v2'] };
    try {
      const db = await database();
      const before = fake.requests.length;
      const r = await run({ db, inputs: { 'cache-key-prefix': 'fault-500', 'skip-index': 'true' }, env: { OLYMPIA_CACHE_LOOKUP_TIMEOUT_SECONDS: '5' } });
      assertOk(r);
      assert.equal(r.outputs['cache-hit'], 'false');
      assert.equal(r.outputs.seeded, 'true');
      const warnings = commands(r.stdout, 'warning');
      assert.equal(warnings.length, 1, describeRun(r));
      assert.match(warnings[0], /^Restoring "_init" from the cache failed: .+; the job seeds instead and makes no further cache calls\.$/);
      const rpcs = new Set(fake.requests.slice(before).map((q) => q.rpc));
      assert.deepEqual([...rpcs], ['GetCacheEntryDownloadURL'], 'nothing after the failed lookup');
      assert.match(r.summary, /restore failed/);
      assert.match(r.summary, /not attempted: the restore failed/);
      assert.equal(await userCount(db.url), 500);
      assert.ok(!savedKeys().includes(r.outputs['cache-key']));
    } finally {
      fake.fault = undefined;
    }
  });

  test('the cache service hanging: the job waits once, for the lookup bound, then seeds and stays green', async () => {
    fake.fault = { mode: 'hang', services: ['cache-v2'] };
    try {
      const db = await database();
      const before = fake.requests.length;
      const r = await run({ db, inputs: { 'cache-key-prefix': 'fault-hang', 'skip-index': 'true' }, env: { OLYMPIA_CACHE_LOOKUP_TIMEOUT_SECONDS: '2' } });
      assertOk(r);
      assert.equal(r.outputs['cache-hit'], 'false');
      assert.equal(r.outputs.seeded, 'true');
      const warnings = commands(r.stdout, 'warning');
      assert.deepEqual(warnings, ['Restoring "_init" from the cache failed: the cache service did not answer within 2 s; the job seeds instead and makes no further cache calls.']);
      assert.equal(fake.requests.slice(before).length, 1, 'one request, never answered');
      assert.ok(r.durationMs < 60_000, 'the hung request does not hold the process open');
      assert.match(r.summary, /⚠️ \*\*restore failed\*\*: the cache service did not answer within 2 s/);
    } finally {
      fake.fault = undefined;
    }
  });

  test('a save the service refuses: a warning naming the cause, and the summary says not saved', async () => {
    fake.fault = { mode: 'fail', status: 409, services: ['cache-v2'], rpcs: ['CreateCacheEntry'] };
    try {
      const db = await database();
      const r = await run({ db, inputs: { 'cache-key-prefix': 'fault-save', 'skip-index': 'true' } });
      assertOk(r);
      const warnings = commands(r.stdout, 'warning');
      assert.equal(warnings.length, 1, describeRun(r));
      assert.match(warnings[0], /^"_init" was not saved to the cache as fault-save-mariadb-[\d.]+-v1-[0-9a-f]{64}: .+\. The job goes on; the next run seeds again\.$/);
      assert.match(r.summary, /\| ⚠️ \| Save "_init" to the cache \|/);
      assert.doesNotMatch(r.summary, /✅ \| Save/);
    } finally {
      fake.fault = undefined;
    }
  });
});

describe('published backups and the other commands', () => {
  let source: { url: string };
  let ws: string;

  before(async () => {
    source = await database();
    ws = await workspace();
  });

  test('publish: NAME dumps the initialized database and uploads it as an artifact (artifact-id)', async () => {
    const r = await run({ db: source, workspace: ws, inputs: { cache: 'false', 'skip-index': 'true', publish: 'nightly', 'retention-days': '5' } });
    assertOk(r);
    assert.match(r.outputs['artifact-id'], /^[1-9]\d*$/);
    const artifact = fake.artifacts.find((a) => a.id === Number(r.outputs['artifact-id']));
    assert.equal(artifact?.name, 'nightly');
    assert.equal(artifact?.finalized, true);
    assert.equal(r.outputs['backup-path'], join(ws, 'backups', 'nightly'));
    assert.ok((await stat(join(r.outputs['backup-path'], 'manifest.json'))).isFile());
    assert.match(r.summary, /Publish "nightly" as a workflow artifact/);
    assert.match(r.summary, /\| `nightly` \| published as an artifact \| 12 \| 17,313 \|/);
  });

  test('artifact: NAME downloads the published backup in a fresh checkout and loads it', async () => {
    const db = await database();
    const r = await run({ db, inputs: { artifact: 'nightly', 'skip-index': 'true' } });
    assertOk(r);
    assert.equal(r.outputs.loaded, 'nightly');
    assert.equal(r.outputs.seeded, 'false');
    assert.equal(await userCount(db.url), 500);
    assert.match(r.summary, /Download the published backup "nightly"/);
  });

  test('artifact: RUN_ID/NAME downloads from another run with github-token', async () => {
    const db = await database();
    const r = await run({ db, runId: 2002, inputs: { artifact: `${RUN_ID}/nightly`, 'github-token': 'ghs_fakeTokenForTheFakeService', 'skip-index': 'true' } });
    assertOk(r);
    assert.equal(r.outputs.loaded, 'nightly');
    assert.equal(await userCount(db.url), 500);
    secrets.add('ghs_fakeTokenForTheFakeService');
  });

  test('artifact: NAME that was never published fails the run, naming it (a wrong name is not service trouble)', async () => {
    const db = await database();
    const r = await run({ db, inputs: { artifact: 'weekly', 'skip-index': 'true' } });
    const error = assertFailed(r, /^No published backup "weekly" was found in this workflow run\./);
    assert.match(error, /Hint: Publish it earlier in this run, or name the run that published it: RUN_ID\/NAME\./);
    assert.deepEqual(await query(db.url, 'SHOW TABLES'), [], 'nothing was initialized');
  });

  test('artifact service trouble during initialize: a warning, and the run initializes without the artifact', async () => {
    fake.fault = { mode: 'fail', status: 403, services: ['artifact'] };
    try {
      const db = await database();
      const r = await run({ db, inputs: { artifact: 'nightly', 'skip-index': 'true', cache: 'false' } });
      assertOk(r);
      assert.equal(r.outputs.loaded, '');
      assert.equal(r.outputs.seeded, 'true');
      const warnings = commands(r.stdout, 'warning');
      assert.ok(
        warnings.some((w) => /^Downloading the backup "nightly" from this workflow run failed: .*403.* Initializing without the published backup "nightly" instead/s.test(w)),
        describeRun(r),
      );
      assert.match(r.summary, /\| ⚠️ \| Download the published backup "nightly" \|/);
      assert.equal(await userCount(db.url), 500);
    } finally {
      fake.fault = undefined;
    }
  });

  test('artifact service trouble while publishing after an initialize: a warning, the backup stays on disk, artifact-id is empty', async () => {
    fake.fault = { mode: 'fail', status: 403, services: ['artifact'] };
    try {
      const r = await run({ db: source, workspace: ws, inputs: { cache: 'false', 'skip-index': 'true', publish: 'unpublished' } });
      assertOk(r);
      assert.equal(r.outputs['artifact-id'], '');
      assert.equal(r.outputs['backup-path'], join(ws, 'backups', 'unpublished'));
      assert.ok((await stat(join(ws, 'backups', 'unpublished', 'manifest.json'))).isFile());
      assert.ok(
        commands(r.stdout, 'warning').some((w) => /but it was not published: the artifact-id output is empty\.$/.test(w)),
        describeRun(r),
      );
      assert.ok(!fake.artifacts.some((a) => a.name === 'unpublished' && a.finalized));
    } finally {
      fake.fault = undefined;
    }
  });

  test('command: dump writes a timestamped backup; command: load loads it into another database', async () => {
    await query(source.url, "UPDATE users SET username = 'renamed-before-dump' WHERE id = 1");
    const dumped = await run({ db: source, workspace: ws, inputs: { command: 'dump' } });
    assertOk(dumped);
    assert.match(dumped.outputs['backup-path'], /\/backups\/\d{8}T\d{6}Z$/);
    const name = dumped.outputs['backup-path'].split('/').pop()!;
    assert.equal(dumped.outputs['artifact-id'], '');

    const db = await database();
    const loaded = await run({ db, workspace: ws, inputs: { command: 'load', load: name } });
    assertOk(loaded);
    assert.equal(loaded.outputs.loaded, name);
    assert.equal(await userCount(db.url), 500);
    assert.equal((await query<{ username: string }>(db.url, 'SELECT username FROM users WHERE id = 1'))[0].username, 'renamed-before-dump');
    assert.match(loaded.summary, /olympia-data load: ✅ done/);
  });

  test('command: seed re-seeds from nothing and saves the new _init to the cache', async () => {
    const db = await database();
    const r = await run({ db, inputs: { command: 'seed', 'skip-index': 'true', 'cache-key-prefix': 'seed-command' } });
    assertOk(r);
    assert.equal(r.outputs.seeded, 'true');
    assert.ok(savedKeys().includes(r.outputs['cache-key']));
    assert.equal(await userCount(db.url), 500);
    assert.match(r.summary, /olympia-data seed: ✅ done/);
  });
});

test('a failing migration is an error annotation on its file and line', async () => {
  const ws = await workspace(async (dir) => writeFile(join(dir, 'migrations', '0005_broken.sql'), '-- adds a column\nALTER TABLE users\n  ADD COLUMN broken NOT_A_TYPE;\n'));
  const r = await run({ db: await database(), workspace: ws, inputs: { 'skip-index': 'true', cache: 'false' } });
  assert.equal(r.code, 1, describeRun(r));
  const line = r.stdout.split('\n').find((l) => l.startsWith('::error file='));
  assert.match(line ?? '', /^::error file=migrations\/0005_broken\.sql,line=2::Migration 0005_broken\.sql failed at statement 1 of 1/, describeRun(r));
});

describe('bad input: a clear error naming what is wrong, before anything is touched', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown command', { command: 'migrate' }, /The command input "migrate" is not known; it must be one of initialize, seed, dump, load/],
    ['an unknown services value', { services: 'podman' }, /The services input "podman" is not known; it must be one of docker, external/],
    ['a non-boolean boolean', { 'skip-seed': 'yes' }, /The skip-seed input must be true or false, not "yes"/],
    ['a publish name with a path separator', { publish: '../etc' }, /The publish input: The backup name "\.\.\/etc" contains a path separator/],
    ['a load name with a bad character', { load: 'my backup' }, /The load input: The backup name "my backup" contains the character " "/],
    ['an artifact reference of the wrong shape', { artifact: 'a/b/c' }, /The artifact input "a\/b\/c" is not a backup reference/],
    ['command: load without a backup', { command: 'load' }, /command: load needs the load or the artifact input/],
  ];
  for (const [what, inputs, message] of cases) {
    test(what, async () => {
      const db = await database();
      const r = await run({ db, inputs });
      assertFailed(r, message);
      assert.deepEqual(await query(db.url, 'SHOW TABLES'), [], 'the database is untouched');
    });
  }

  test('an artifact from another run without github-token', async () => {
    const r = await run({ db: await database(), inputs: { artifact: '4242/nightly', 'github-token': '' } });
    assertFailed(r, /Downloading the backup "nightly" from workflow run 4242 of octo-org\/octo-repo needs the github-token input/);
    assert.ok(!fake.requests.some((q) => q.path.includes('4242')), 'nothing was asked of the service');
  });

  test('migrations globs matching no files: a warning, and the run goes on', async () => {
    const db = await database();
    const r = await run({ db, inputs: { migrations: 'db/migrations/**\nsrc/*/migrations/*.py', 'skip-index': 'true', cache: 'false' } });
    assertOk(r);
    const warnings = commands(r.stdout, 'warning');
    assert.equal(warnings.length, 1, describeRun(r));
    assert.match(
      warnings[0],
      /^The migrations globs \(db\/migrations\/\*\*, src\/\*\/migrations\/\*\.py\) match no files under .+, so the cache key \S+ covers only the seed files: a schema change will not invalidate the cached _init\./,
    );
    assert.equal(r.outputs.seeded, 'true');
  });

  test('unreachable MySQL: the error names the service and the masked URL, never the password', async () => {
    const password = 'unreachable-Secret-42';
    secrets.add(password);
    const r = await run({ inputs: { 'database-url': `mysql://root:${password}@127.0.0.1:1/olympia` }, env: { OLYMPIA_SERVICE_TIMEOUT_SECONDS: '2' } });
    const error = assertFailed(r, /MySQL at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/olympia was not ready within 2\.0 s/);
    assert.match(error, /Hint: Check that the server is running/);
    assert.match(r.summary, /❌ \| Wait for the services/);
  });

  test('unreachable Elasticsearch: a clear error', async () => {
    const r = await run({ db: await database(), inputs: { 'elasticsearch-url': 'http://127.0.0.1:1' }, env: { OLYMPIA_SERVICE_TIMEOUT_SECONDS: '2' } });
    assertFailed(r, /Elasticsearch at http:\/\/127\.0\.0\.1:1\/? was not ready/);
  });

  test('services: external without database-url', async () => {
    const r = await run({ inputs: {} });
    assertFailed(r, /services: external needs the database-url input/);
  });
});

test('no secret appears in any log line, output, state, env or summary file of any run', () => {
  assert.ok(runs.length >= 20, `ran ${runs.length} times`);
  assert.ok(secrets.size >= 2);
  for (const r of runs) {
    // `::add-mask::` lines are consumed by the runner, which masks the value from then on.
    const visible = r.allText
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const secret of secrets) {
      assert.ok(!visible.includes(secret), `a secret leaked in a run:\n${describeRun(r)}`);
      // A secret the run was given is masked before the first line that is not a mask.
      if (r.stdout.includes(`::add-mask::${secret}`)) {
        const firstOther = r.stdout.split('\n').findIndex((l) => l !== '' && !l.startsWith('::add-mask::'));
        const maskAt = r.stdout.split('\n').indexOf(`::add-mask::${secret}`);
        assert.ok(firstOther === -1 || maskAt < firstOther, 'masked before anything else is logged');
      }
    }
  }
});

test('dist/ is ESM that node loads as action.yml names it (node24, dist/index.js), and dist/cli runs the CLI', async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'dist', 'package.json'), 'utf8'));
  assert.equal(pkg.type, 'module', 'ncc writes ESM; without "type": "module" node would not load it');
  const action = await readFile(join(ROOT, 'action.yml'), 'utf8');
  assert.match(action, /^runs:\n  using: node24\n  main: dist\/index\.js\n/m);
  for (const entry of [join(ROOT, 'dist', 'cli', 'index.js'), join(ROOT, 'bin', 'olympia-data.js')]) {
    const r = spawnSync(process.env.OLYMPIA_ACTION_NODE || process.execPath, [entry, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^olympia-data \d+\.\d+\.\d+\n$/);
  }
});
