// The action's decisions, through its runtime seam (test/support/fake-action-runtime.ts): what it calls in
// which order, what it saves, what it reports, and what a failure leaves in the outputs and the summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runImpl } from '../../src/action/run.js';
import { fakeRun } from '../support/fake-action-runtime.js';

const cwd = process.cwd();
test.afterEach(() => process.chdir(cwd));

test('a cold run: restore misses, the engine seeds, _init is saved under the migration key', async () => {
  const r = await fakeRun();
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  const key = r.outputs['cache-key'];
  assert.match(key, /^olympia-data-init-mariadb-10\.11-v1-[0-9a-f]{64}$/, 'the server part keeps MariaDB and MySQL entries apart');
  assert.deepEqual(r.calls, ['services external', `restore ${key}`, 'initialize', `save ${key} (no lookup)`]);
  assert.equal(r.outputs['cache-hit'], 'false');
  assert.equal(r.outputs.seeded, 'true');
  assert.match(r.summary, /\| ✅ \| Save "_init" to the cache \|/);
});

test('an exact hit loads _init and saves nothing: the entry exists and entries are immutable', async () => {
  const r = await fakeRun({ restore: { hit: 'exact' }, engine: { loaded: '_init', seeded: false } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.equal(r.calls.filter((c) => c.startsWith('save')).length, 0, r.calls.join(', '));
  assert.equal(r.outputs['cache-hit'], 'true');
  assert.equal(r.outputs.loaded, '_init');
  assert.match(r.summary, /\| ➖ \| Save "_init" to the cache \| {2}\| {2}\| the cache holds it already \|/);
});

test('the save is skipped, and said so, when the run made no _init for the current migrations', async () => {
  const r = await fakeRun({ engine: { loaded: 'other', seeded: false }, inputs: { load: 'other' }, backups: { other: null } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.deepEqual(r.calls, ['services external', 'initialize load=other']);
  assert.match(r.summary, /\| ➖ \| Save "_init" to the cache \| {2}\| {2}\| no "_init" for the current migrations was made \|/);
});

test('a failing engine step: the error with its hint fails the job; save and publish are reported as not run', async () => {
  const r = await fakeRun({ engine: { failAt: 'Run the seed', hint: 'Fix the seed command.' }, inputs: { publish: 'nightly' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, 'Run the seed failed\nHint: Fix the seed command.');
  assert.ok(!r.calls.some((c) => c.startsWith('save') || c.startsWith('publish')), r.calls.join(', '));
  for (const title of ['Dump the seeded data as "_init"', 'Save "_init" to the cache', 'Publish "nightly" as a workflow artifact']) {
    assert.match(r.summary, new RegExp(`\\| ⏸️ \\| ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|`), title);
  }
  assert.equal(r.outputs.seeded, 'false');
  assert.equal(r.outputs['cache-key'].length > 0, true, 'the outputs are written also for a failed run');
});

test('incremental: an older _init the engine loaded and dumped again (a migration prefix) is saved under the new key', async () => {
  const r = await fakeRun({
    inputs: { incremental: 'true' },
    restore: { hit: 'partial', matchedKey: 'olympia-data-init-v1-older' },
    engine: { loaded: '_init', seeded: false, refreshed: true },
  });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  const key = r.outputs['cache-key'];
  assert.deepEqual(r.calls, ['services external', `restore ${key} [olympia-data-init-mariadb-10.11-v1-]`, 'initialize', `save ${key}`]);
});

test('incremental: an older _init loaded but not brought to the current migrations is never saved under the new key', async () => {
  const r = await fakeRun({ inputs: { incremental: 'true' }, restore: { hit: 'partial', matchedKey: 'olympia-data-init-v1-older' }, engine: { loaded: '_init', seeded: false } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.ok(!r.calls.some((c) => c.startsWith('save')), r.calls.join(', '));
});

test('a failed restore costs one warning and no further cache call: the job seeds, the summary says failed', async () => {
  const r = await fakeRun({ restore: { hit: 'failed', cause: 'the cache service did not answer within 30 s' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.equal(r.calls.filter((c) => /^(restore|save)/.test(c)).length, 1, r.calls.join(', '));
  assert.equal(r.outputs.seeded, 'true');
  assert.match(r.summary, /⚠️ \*\*restore failed\*\*: the cache service did not answer within 30 s/);
  assert.match(r.summary, /Cache save:\*\* not attempted: the restore failed/);
});

test('a save the service refuses is a warning step with its cause, not a silent success', async () => {
  const r = await fakeRun({ save: { saved: false, reason: 'declined', cause: 'Failed to save: Unable to reserve cache' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined);
  assert.match(r.summary, /\| ⚠️ \| Save "_init" to the cache \| .* \| not saved: Failed to save: Unable to reserve cache \|/);
  assert.match(r.summary, /Cache save:\*\* not saved: the cache service refused the entry \(see the warning\) \(Failed to save: Unable to reserve cache\)/);
});

test('a published artifact is loaded instead of the cache: the restore is skipped, and said so', async () => {
  const r = await fakeRun({ inputs: { artifact: 'nightly' }, engine: { loaded: 'nightly', seeded: false } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.deepEqual(r.calls.slice(0, 3), ['services external', 'download nightly', 'initialize load=nightly']);
  assert.match(r.summary, /\| ➖ \| Restore "_init" from the cache \| {2}\| {2}\| the published backup "nightly" is loaded instead \|/);
});

test('the database password is masked before anything is logged or started', async () => {
  const r = await fakeRun();
  await runImpl(r.runtime);
  assert.ok(r.secrets.includes('s3cret-pw'));
  assert.ok(!r.log.join('\n').includes('s3cret-pw'));
  // The output is the URL itself, for later steps to connect with; the runner masks the registered password.
  assert.equal(r.outputs['database-url'], 'mysql://app:s3cret-pw@127.0.0.1:3306/app');
});

test('services: external without a database URL fails before any service or cache call', async () => {
  const r = await fakeRun({ inputs: { 'database-url': '' } });
  await runImpl(r.runtime);
  assert.match(r.failed ?? '', /services: external needs the database-url input/);
  assert.deepEqual(r.calls, []);
});

test('command: dump with publish dumps under that name and uploads it; no cache call', async () => {
  const r = await fakeRun({ inputs: { command: 'dump', publish: 'nightly' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.equal(r.calls.filter((c) => /^(restore|save)/.test(c)).length, 0);
  assert.equal(r.outputs['artifact-id'], '42');
  assert.ok(r.calls.some((c) => c.startsWith('dump nightly')) && r.calls.at(-1) === 'publish nightly', r.calls.join(', '));
});

test('lookup-only: the outputs say whether _init is cached; nothing is loaded, seeded or saved', async () => {
  const r = await fakeRun({ inputs: { 'lookup-only': 'true' }, restore: { hit: 'exact', matchedKey: 'x' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, undefined, r.log.join('\n'));
  assert.deepEqual(r.calls, ['services external', `restore ${r.outputs['cache-key']}`]);
  assert.equal(r.outputs['cache-hit'], 'true');
  assert.equal(r.outputs['cache-matched-key'], 'x');
  assert.equal(r.outputs['cache-primary-key'], r.outputs['cache-key']);
  assert.equal(r.outputs.seeded, 'false');
});

test('fail-on-cache-miss: a miss fails the job before anything is seeded; a partial hit counts as found', async () => {
  const miss = await fakeRun({ inputs: { 'fail-on-cache-miss': 'true' } });
  await runImpl(miss.runtime);
  assert.match(miss.failed ?? '', /^No "_init" in the cache under olympia-data-init-mariadb-10\.11-v1-[0-9a-f]{64}\.\nHint: fail-on-cache-miss is set/);
  assert.ok(!miss.calls.includes('initialize'));
  const partial = await fakeRun({
    inputs: { 'fail-on-cache-miss': 'true', 'restore-keys': 'olympia-data-init-' },
    restore: { hit: 'partial', matchedKey: 'olympia-data-init-old' },
  });
  await runImpl(partial.runtime);
  assert.equal(partial.failed, undefined);
  assert.ok(
    partial.calls.some((c) => c.endsWith('[olympia-data-init-]')),
    'the user restore-keys are passed on',
  );
});

test('cache-key-server: none leaves the server out of the key; a literal is used as given', async () => {
  const none = await fakeRun({ inputs: { 'cache-key-server': 'none' } });
  await runImpl(none.runtime);
  assert.match(none.outputs['cache-key'], /^olympia-data-init-v1-[0-9a-f]{64}$/);
  const literal = await fakeRun({ inputs: { 'cache-key-server': 'mysql-8.4' } });
  await runImpl(literal.runtime);
  assert.match(literal.outputs['cache-key'], /^olympia-data-init-mysql-8\.4-v1-/);
});

test('a failure in a migration file is annotated on that file and line, workspace-relative', async () => {
  const r = await fakeRun({ engine: { failAt: 'Run migrations', failIn: 'migrations/0001_initial.sql' } });
  await runImpl(r.runtime);
  assert.equal(r.failed, 'Run migrations failed');
  assert.deepEqual(r.failedAt, { file: 'migrations/0001_initial.sql', line: 3 });
});

test('the post step stops exactly the containers the main step started, and never fails the job', async () => {
  const main = await fakeRun({ inputs: { services: 'docker' }, started: ['olympia-data-mysqld'] });
  await runImpl(main.runtime);
  assert.equal(main.failed, undefined, main.log.join('\n'));
  assert.deepEqual(main.state, { isPost: 'true', startedContainers: '["olympia-data-mysqld"]' });

  const post = await fakeRun({ state: main.state });
  await runImpl(post.runtime);
  assert.deepEqual(post.calls, ['stop olympia-data-mysqld'], 'the post step does nothing else');
  assert.equal(post.failed, undefined);

  const nothing = await fakeRun({ state: { isPost: 'true' } });
  await runImpl(nothing.runtime);
  assert.deepEqual(nothing.calls, []);
  assert.ok(nothing.log.some((l) => /started no containers/.test(l)));
});
