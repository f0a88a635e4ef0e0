// The cache wrapper over the real @actions/cache, against the FAKE cache service of fake-actions-services.ts.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreInit, saveInit } from '../../src/action/cache.js';
import { initCacheKey, initRestoreKeys } from '../../src/core/cache-key.js';
import { FakeActionsServices, recordActionsLog } from './fake-actions-services.js';

const FAULT_TIMEOUT_MS = 1500;

let fake: FakeActionsServices;
let workspace: string;
const savedEnv = { ...process.env };

function useEnv(env: Record<string, string>): void {
  for (const k of ['ACTIONS_CACHE_SERVICE_V2', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_MODE', 'SEGMENT_DOWNLOAD_TIMEOUT_MINS']) delete process.env[k];
  Object.assign(process.env, env, { RUNNER_TEMP: join(workspace, '.runner-temp'), GITHUB_WORKSPACE: workspace });
}

let counter = 0;
/** A fresh `_init`-like directory with a few files; returns its path and contents. */
async function makeBackup(label: string): Promise<{ dir: string; files: Record<string, string> }> {
  const dir = join(workspace, `backups-${label}-${++counter}`, '_init');
  const files = { 'manifest.json': JSON.stringify({ name: '_init', label }), 'db/users.00001.tsv': `1\talice\n2\tbob ${label}\n` };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return { dir, files };
}

async function readAll(dir: string, files: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(files)) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

const hash = (c: string): string => c.repeat(64);

before(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'olympia-cache-test-'));
  fake = await FakeActionsServices.start();
});

after(async () => {
  await fake.close();
  process.env = savedEnv;
  await rm(workspace, { recursive: true, force: true });
});

for (const protocol of ['v2', 'v1'] as const) {
  describe(`with cache service ${protocol}`, () => {
    beforeEach(() => {
      fake.fault = undefined;
      useEnv(fake.env({ cacheVersion: protocol }));
    });

    test('a saved _init restores with an exact hit and the same file contents', async () => {
      const { dir, files } = await makeBackup(`exact-${protocol}`);
      const key = initCacheKey({ migrationHash: hash('a') });
      const saved = await saveInit([dir], key);
      assert.equal(saved.saved, true);
      await rm(dir, { recursive: true });

      const restored = await restoreInit([dir], key);
      assert.deepEqual(restored, { hit: 'exact', matchedKey: key });
      assert.deepEqual(await readAll(dir, files), files);
      assert.ok(
        fake.requests.some((r) => r.service === (protocol === 'v2' ? 'cache-v2' : 'cache-v1')),
        'the fake saw the protocol under test',
      );
    });

    test('a key that was never saved misses and restores nothing', async () => {
      const { dir } = await makeBackup(`miss-${protocol}`);
      await saveInit([dir], initCacheKey({ migrationHash: hash('b') }));
      await rm(dir, { recursive: true });
      const restored = await restoreInit([dir], initCacheKey({ migrationHash: hash('c') }));
      assert.deepEqual(restored, { hit: 'miss' });
      await assert.rejects(readFile(join(dir, 'manifest.json')), { code: 'ENOENT' });
    });

    test('incremental mode: the restore-keys prefix brings back the _init of older migrations as a partial hit', async () => {
      const { dir, files } = await makeBackup(`partial-${protocol}`);
      const prefix = `incremental-${protocol}`;
      const olderKey = initCacheKey({ prefix, migrationHash: hash('d') });
      assert.equal((await saveInit([dir], olderKey)).saved, true);
      await rm(dir, { recursive: true });

      const newKey = initCacheKey({ prefix, migrationHash: hash('e') });
      assert.deepEqual(await restoreInit([dir], newKey), { hit: 'miss' }, 'without restore keys, a new migration hash misses');
      const restored = await restoreInit([dir], newKey, initRestoreKeys({ prefix }));
      assert.deepEqual(restored, { hit: 'partial', matchedKey: olderKey });
      assert.deepEqual(await readAll(dir, files), files);
    });

    test('saving a key that already exists is an info line, not a warning or a failure', async () => {
      const { dir } = await makeBackup(`twice-${protocol}`);
      const key = initCacheKey({ prefix: `twice-${protocol}`, migrationHash: hash('f') });
      assert.equal((await saveInit([dir], key)).saved, true);
      const log = recordActionsLog();
      try {
        assert.deepEqual(await saveInit([dir], key), { saved: false, reason: 'exists' });
      } finally {
        log.stop();
      }
      assert.deepEqual(log.warnings(), []);
      assert.deepEqual(log.errors(), []);
      assert.ok(
        log.lines().some((l) => l.includes('already holds') && l.includes(key)),
        log.lines().join('\n'),
      );
    });
  });
}

describe('service trouble never fails the job', () => {
  beforeEach(() => {
    fake.fault = undefined;
    useEnv(fake.env({ cacheVersion: 'v2' }));
  });

  test('a reservation the service refuses (another job, or anything else): one warning naming its cause, nothing thrown', async () => {
    const { dir } = await makeBackup('race');
    fake.fault = { mode: 'fail', status: 409, services: ['cache-v2'], rpcs: ['CreateCacheEntry'] };
    const log = recordActionsLog();
    let result;
    try {
      result = await saveInit([dir], initCacheKey({ prefix: 'race', migrationHash: hash('1') }));
    } finally {
      log.stop();
    }
    assert.equal(result?.saved, false);
    assert.equal(result?.saved === false && result.reason, 'declined');
    assert.deepEqual(log.errors(), []);
    const warnings = log.warnings();
    assert.equal(warnings.length, 1, log.lines().join('\n'));
    assert.match(
      warnings[0],
      /^::warning::"_init" was not saved to the cache as race-v1-1+: .*another job may be creating this cache.*The job goes on; the next run seeds again\.$/,
    );
  });

  test('a key the library refuses (a comma) is a warning and a failed restore, not a crash', async () => {
    const { dir } = await makeBackup('comma');
    const log = recordActionsLog();
    try {
      assert.equal((await restoreInit([dir], 'a,b')).hit, 'failed');
      const saved = await saveInit([dir], 'a,b');
      assert.equal(saved.saved === false && saved.reason, 'error');
    } finally {
      log.stop();
    }
    assert.equal(log.warnings().filter((w) => w.includes('cannot contain commas')).length, 2, log.lines().join('\n'));
  });

  test('no cache service configured: restore and save are skipped, with an info line', async () => {
    delete process.env.ACTIONS_RESULTS_URL;
    const { dir } = await makeBackup('unavailable');
    const log = recordActionsLog();
    try {
      assert.equal((await restoreInit([dir], initCacheKey({ migrationHash: hash('2') }))).hit, 'unavailable');
      assert.deepEqual(await saveInit([dir], initCacheKey({ migrationHash: hash('2') })), { saved: false, reason: 'unavailable' });
    } finally {
      log.stop();
    }
    assert.deepEqual(log.warnings(), []);
    assert.ok(log.lines().some((l) => l.includes('cache service is not available')));
  });

  test('the service answering 500: the restore fails within the lookup bound, with one warning, after one kind of request', { timeout: 60_000 }, async () => {
    const { dir } = await makeBackup('500');
    fake.fault = { mode: 'fail', status: 500 };
    const log = recordActionsLog();
    const before = fake.requests.length;
    const started = Date.now();
    let restored;
    try {
      restored = await restoreInit([dir], initCacheKey({ prefix: 'fail500', migrationHash: hash('3') }), [], { timeoutMs: FAULT_TIMEOUT_MS });
    } finally {
      log.stop();
    }
    assert.equal(restored.hit, 'failed');
    assert.ok(Date.now() - started < FAULT_TIMEOUT_MS + 1000, 'bounded by the lookup bound');
    assert.equal(log.warnings().length, 1, log.lines().join('\n'));
    assert.match(log.warnings()[0], /Restoring "_init" from the cache failed: .*; the job seeds instead and makes no further cache calls\./);
    const made = fake.requests.slice(before);
    assert.ok(made.some((r) => r.status === 500));
    assert.deepEqual([...new Set(made.map((r) => r.rpc ?? r.path))].length, 1, 'only the lookup was tried');
  });

  test('the service answering 500 on save: not saved, a warning, nothing thrown', { timeout: 60_000 }, async () => {
    const { dir } = await makeBackup('500-save');
    fake.fault = { mode: 'fail', status: 500 };
    const log = recordActionsLog();
    let saved;
    try {
      saved = await saveInit([dir], initCacheKey({ prefix: 'fail500save', migrationHash: hash('4') }), { timeoutMs: FAULT_TIMEOUT_MS });
    } finally {
      log.stop();
    }
    assert.equal(saved.saved, false);
    assert.ok(log.warnings().length >= 1, log.lines().join('\n'));
  });

  test('a hanging service: restore and save give up within their bound with a warning', { timeout: 60_000 }, async () => {
    const { dir } = await makeBackup('hang');
    fake.fault = { mode: 'hang' };
    const key = initCacheKey({ prefix: 'hang', migrationHash: hash('5') });
    const log = recordActionsLog();
    let restored;
    let saved;
    try {
      restored = await restoreInit([dir], key, [], { timeoutMs: FAULT_TIMEOUT_MS });
      saved = await saveInit([dir], key, { timeoutMs: FAULT_TIMEOUT_MS });
    } finally {
      log.stop();
    }
    assert.equal(restored.hit, 'failed');
    assert.equal(saved.saved === false && saved.reason, 'timeout');
    assert.equal(log.warnings().filter((w) => w.includes('within 1.5 s')).length, 2, log.lines().join('\n'));
  });

  test('the timeout can be set through OLYMPIA_CACHE_TIMEOUT_SECONDS', { timeout: 60_000 }, async () => {
    const { dir } = await makeBackup('hang-env');
    fake.fault = { mode: 'hang' };
    process.env.OLYMPIA_CACHE_TIMEOUT_SECONDS = '1';
    const log = recordActionsLog();
    try {
      assert.equal((await restoreInit([dir], initCacheKey({ prefix: 'hangenv', migrationHash: hash('6') }))).hit, 'failed');
    } finally {
      log.stop();
      delete process.env.OLYMPIA_CACHE_TIMEOUT_SECONDS;
    }
    assert.ok(
      log.warnings().some((w) => w.includes('within 1 s')),
      log.lines().join('\n'),
    );
  });
});
