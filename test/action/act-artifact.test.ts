// Published backups against an independently written artifact service: nektos/act's artifact server (the v4
// twirp API of @actions/artifact), not our fake. The library calls and the whole action, as the runner runs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { publishBackup, downloadBackup } from '../../src/action/artifact.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { NotFoundError } from '../../src/core/errors.js';
import { freshDatabase } from '../harness/mariadb.js';
import { actRuntimeToken, actServersBinary, startActServers, type ActServers } from '../support/act-servers.js';
import { describeRun, makeWorkspace, removeWorkspace, runAction } from './run-action.js';

const built = actServersBinary();

async function count(url: string, table: string): Promise<number> {
  const conn = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
    return Number((rows as { n: number }[])[0].n);
  } finally {
    await conn.end();
  }
}

describe('against nektos/act artifact server', { skip: built.path ? false : `no act servers: ${built.reason}` }, () => {
  let servers: ActServers;
  let root: string;
  const saved = { ...process.env };

  before(async () => {
    servers = await startActServers(built.path!);
    root = await mkdtemp(join(tmpdir(), 'olympia-act-artifact-'));
  });
  after(async () => {
    process.env = saved;
    await servers.close();
    await rm(root, { recursive: true, force: true });
  });

  /** The service environment of one job of workflow run `run`. */
  const jobEnv = (run: number, job: number) => ({ ACTIONS_RESULTS_URL: servers.resultsUrl, ACTIONS_RUNTIME_TOKEN: actRuntimeToken(run, job), GITHUB_RUN_ID: String(run) });

  test('a published backup downloads in another job of the run with the same files; an unknown name is NotFound', async () => {
    Object.assign(process.env, jobEnv(31, 1), { GITHUB_WORKSPACE: root, RUNNER_TEMP: join(root, '.temp') });
    const files: Record<string, string> = {
      'manifest.json': '{"format":1,"name":"nightly"}',
      'data/users.00000.tsv': '1\talice\n2\tbob\n',
      'storage/uploads/a b.png': 'not really a png',
    };
    const source = join(root, 'source');
    for (const [name, content] of Object.entries(files)) {
      await mkdir(join(source, name, '..'), { recursive: true });
      await writeFile(join(source, name), content);
    }
    const published = await publishBackup(source, parseBackupName('nightly'));
    assert.ok(published.id > 0);

    Object.assign(process.env, jobEnv(31, 2));
    const backupDir = join(root, 'backups');
    const path = await downloadBackup(parseBackupName('nightly'), backupDir);
    assert.equal(path, join(backupDir, 'nightly'));
    for (const [name, content] of Object.entries(files)) assert.equal(await readFile(join(path, name), 'utf8'), content, name);
    assert.deepEqual(await readdir(backupDir), ['nightly'], 'no staging directory is left behind');

    await assert.rejects(downloadBackup(parseBackupName('weekly'), backupDir), NotFoundError);
  });

  test('the action: job 1 publishes what it initialized, job 2 loads it into a fresh database', { timeout: 240_000 }, async () => {
    const first = await freshDatabase('actpub');
    const second = await freshDatabase('actload');
    const ws1 = await makeWorkspace('act-pub');
    const ws2 = await makeWorkspace('act-load');
    try {
      const publish = await runAction({
        workspace: ws1,
        inputs: { services: 'external', 'database-url': first.url, 'skip-index': 'true', cache: 'false', publish: 'weekly' },
        env: jobEnv(32, 1),
      });
      assert.equal(publish.code, 0, describeRun(publish));
      assert.match(publish.outputs['artifact-id'], /^[1-9]\d*$/, describeRun(publish));

      const load = await runAction({
        workspace: ws2,
        inputs: { services: 'external', 'database-url': second.url, 'skip-index': 'true', artifact: 'weekly' },
        env: jobEnv(32, 2),
      });
      assert.equal(load.code, 0, describeRun(load));
      assert.equal(load.outputs.loaded, 'weekly');
      assert.equal(load.outputs.seeded, 'false');
      const users = await count(first.url, 'users');
      assert.ok(users > 0);
      assert.equal(await count(second.url, 'users'), users);
    } finally {
      await Promise.all([removeWorkspace(ws1), removeWorkspace(ws2), first.drop(), second.drop()]);
    }
  });
});
