// The action's cache use against an independently written cache service: nektos/act's cache server
// (cache service v1 protocol), not our fake. The library calls and the whole action, as the runner runs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { restoreInit, saveInit } from '../../src/action/cache.js';
import { initCacheKey, initRestoreKeys } from '../../src/core/cache-key.js';
import { freshDatabase } from '../harness/mariadb.js';
import { actServersBinary, startActServers, type ActServers } from '../support/act-servers.js';
import { describeRun, makeWorkspace, removeWorkspace, runAction } from './run-action.js';

const built = actServersBinary();

describe('against nektos/act cache server', { skip: built.path ? false : `no act cache server: ${built.reason}` }, () => {
  let server: ActServers;
  let workspace: string;
  const saved = { ...process.env };

  before(async () => {
    server = await startActServers(built.path!);
    workspace = await mkdtemp(join(tmpdir(), 'olympia-act-ws-'));
  });
  after(async () => {
    process.env = saved;
    await server.close();
    await rm(workspace, { recursive: true, force: true });
  });

  const useServer = () => {
    for (const k of ['ACTIONS_CACHE_SERVICE_V2', 'ACTIONS_RESULTS_URL']) delete process.env[k];
    Object.assign(process.env, { ACTIONS_CACHE_URL: server.cacheUrl, ACTIONS_RUNTIME_TOKEN: 'act-token', RUNNER_TEMP: join(workspace, '.tmp'), GITHUB_WORKSPACE: workspace });
  };

  test('save, then an exact hit with the same files, a miss, and an older entry through restore-keys', async () => {
    useServer();
    const dir = join(workspace, 'backups', '_init');
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(join(dir, 'manifest.json'), '{"name":"_init"}');
    await writeFile(join(dir, 'data', 'users.00000.tsv'), '1\talice\n');
    const key = initCacheKey({ prefix: 'act', server: 'mariadb-10.11', migrationHash: 'a'.repeat(64) });
    const s = await saveInit([dir], key, { knownAbsent: true });
    assert.equal(s.saved, true, JSON.stringify(s));
    assert.equal((await saveInit([dir], key)).saved, false, 'the key is taken now');

    await rm(dir, { recursive: true });
    assert.deepEqual(await restoreInit([dir], key), { hit: 'exact', matchedKey: key });
    assert.equal(await readFile(join(dir, 'data', 'users.00000.tsv'), 'utf8'), '1\talice\n');

    const other = initCacheKey({ prefix: 'act', server: 'mariadb-10.11', migrationHash: 'b'.repeat(64) });
    assert.deepEqual(await restoreInit([dir], other), { hit: 'miss' });
    assert.deepEqual(await restoreInit([dir], other, initRestoreKeys({ prefix: 'act', server: 'mariadb-10.11' })), { hit: 'partial', matchedKey: key });
    assert.deepEqual(await restoreInit([dir], other, initRestoreKeys({ prefix: 'act', server: 'mysql-8.0' })), { hit: 'miss' }, 'another server never matches');
  });

  test('the action: a cold run seeds and saves, a warm run on a fresh database restores and seeds nothing', { timeout: 180_000 }, async () => {
    const env = { ACTIONS_CACHE_URL: server.cacheUrl, ACTIONS_RUNTIME_TOKEN: 'act-token' };
    const runs = [];
    for (const label of ['cold', 'warm']) {
      const db = await freshDatabase(`act${label}`);
      const ws = await makeWorkspace(`act-${label}`);
      try {
        const r = await runAction({ workspace: ws, inputs: { services: 'external', 'database-url': db.url, 'skip-index': 'true', 'cache-key-prefix': 'act-e2e' }, env });
        assert.equal(r.code, 0, describeRun(r));
        const conn = await mysql.createConnection({ uri: db.url });
        const [rows] = await conn.query('SELECT COUNT(*) AS n FROM users');
        await conn.end();
        runs.push({ r, users: Number((rows as { n: number }[])[0].n) });
      } finally {
        await removeWorkspace(ws);
        await db.drop();
      }
    }
    const [cold, warm] = runs;
    assert.equal(cold.r.outputs['cache-hit'], 'false');
    assert.equal(cold.r.outputs.seeded, 'true');
    assert.match(cold.r.summary, /saved `_init` under the key/);
    assert.equal(warm.r.outputs['cache-hit'], 'true', describeRun(warm.r));
    assert.equal(warm.r.outputs.seeded, 'false');
    assert.equal(warm.r.outputs['cache-matched-key'], cold.r.outputs['cache-key']);
    assert.equal(warm.users, cold.users);
  });
});
