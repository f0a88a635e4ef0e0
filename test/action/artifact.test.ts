// Published backups over the real @actions/artifact, against the FAKE artifact service of fake-actions-services.ts.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBackupName } from '../../src/core/backup-name.js';
import { IntegrityError, NotFoundError, OlympiaError, UsageError } from '../../src/core/errors.js';
import { FakeActionsServices } from './fake-actions-services.js';

// @actions/github reads GITHUB_API_URL when it is first imported, so the fake must be up before the import.
const fake = await FakeActionsServices.start();
const savedEnv = { ...process.env };
Object.assign(process.env, fake.env({ runId: 1001 }));
const { publishBackup, downloadBackup } = await import('../../src/action/artifact.js');

let root: string;

function useRun(runId: number, repository?: string): void {
  Object.assign(process.env, fake.env({ runId, repository }), { GITHUB_WORKSPACE: root, RUNNER_TEMP: join(root, '.temp') });
}

let counter = 0;
async function makeBackup(files: Record<string, string>): Promise<string> {
  const dir = join(root, `source-${++counter}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

async function readTree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await readTree(dir, rel));
    else out[rel] = await readFile(join(dir, rel), 'utf8');
  }
  return out;
}

const BACKUP = {
  'manifest.json': JSON.stringify({ format: 1, name: 'nightly' }),
  'db/schema.sql': 'CREATE TABLE users (id INT PRIMARY KEY);\n',
  'db/users.00001.tsv': '1\talice\n2\tbob\n',
  'storage/uploads/a.png': 'not really a png',
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'olympia-artifact-test-'));
});

after(async () => {
  await fake.close();
  process.env = savedEnv;
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  fake.fault = undefined;
  useRun(1001);
});

describe('publishBackup and downloadBackup', () => {
  test('a published backup downloads into <backup-dir>/<name> with the same files', async () => {
    const name = parseBackupName('nightly');
    const published = await publishBackup(await makeBackup(BACKUP), name, 7);
    assert.ok(published.id > 0);
    assert.ok(published.size > 0);
    const stored = fake.artifacts.find((a) => a.id === published.id);
    assert.equal(stored?.name, 'nightly');
    const days = (Date.parse(stored?.expiresAt ?? '') - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `retention reached the service: ${stored?.expiresAt}`);

    const backupDir = join(root, 'backups-same-run');
    const path = await downloadBackup(name, backupDir);
    assert.equal(path, join(backupDir, 'nightly'));
    assert.deepEqual(await readTree(path), BACKUP);
    assert.deepEqual(await readdir(backupDir), ['nightly'], 'no temporary directory is left behind');
  });

  test('a backup published by another run downloads with a github-token', async () => {
    const name = parseBackupName('from-run-2002');
    useRun(2002);
    await publishBackup(await makeBackup(BACKUP), name);
    useRun(3003);
    const path = await downloadBackup(name, join(root, 'backups-cross-run'), { workflowRunId: 2002, githubToken: 'ghs_fake' });
    assert.deepEqual(await readTree(path), BACKUP);
    assert.ok(
      fake.requests.some((r) => r.service === 'api' && r.path.endsWith('/actions/runs/2002/artifacts')),
      'found through the public API',
    );
  });

  test('another run without a github-token is a usage error naming the input, before any request', async () => {
    const before = fake.requests.length;
    await assert.rejects(
      downloadBackup(parseBackupName('nightly'), join(root, 'backups-no-token'), { workflowRunId: 2002 }),
      (e: unknown) => e instanceof UsageError && e.message.includes('github-token'),
    );
    await assert.rejects(
      downloadBackup(parseBackupName('nightly'), join(root, 'backups-no-token'), { workflowRunId: 5, repository: 'mozilla/addons-server' }),
      (e: unknown) => e instanceof UsageError && e.message.includes('github-token') && e.message.includes('mozilla/addons-server'),
    );
    assert.equal(fake.requests.length, before);
  });

  test('this run named explicitly needs no token', async () => {
    const name = parseBackupName('same-run-by-id');
    await publishBackup(await makeBackup(BACKUP), name);
    const path = await downloadBackup(name, join(root, 'backups-explicit-run'), { workflowRunId: 1001 });
    assert.deepEqual(await readTree(path), BACKUP);
  });

  test('a backup that was never published is a not-found error', async () => {
    await assert.rejects(
      downloadBackup(parseBackupName('never-published'), join(root, 'backups-missing')),
      (e: unknown) => e instanceof NotFoundError && e.message.includes('never-published'),
    );
  });

  test('an artifact without a manifest is refused and leaves nothing behind', async () => {
    const name = parseBackupName('not-a-backup');
    await publishBackup(await makeBackup({ 'notes.txt': 'hello' }), name);
    const backupDir = join(root, 'backups-no-manifest');
    await assert.rejects(downloadBackup(name, backupDir), (e: unknown) => e instanceof IntegrityError && e.message.includes('manifest.json'));
    assert.deepEqual(await readdir(backupDir), []);
  });

  test('a failed download leaves an existing local backup of that name as it was', async () => {
    const name = parseBackupName('keep-local');
    await publishBackup(await makeBackup(BACKUP), name);
    const backupDir = join(root, 'backups-keep');
    await mkdir(join(backupDir, 'keep-local'), { recursive: true });
    await writeFile(join(backupDir, 'keep-local', 'manifest.json'), 'local');
    fake.fault = { mode: 'fail', status: 403, rpcs: ['GetSignedArtifactURL'] };
    await assert.rejects(downloadBackup(name, backupDir), (e: unknown) => e instanceof OlympiaError && e.message.includes('keep-local') && e.message.includes('403'));
    assert.deepEqual(await readTree(join(backupDir, 'keep-local')), { 'manifest.json': 'local' });
    assert.deepEqual(await readdir(backupDir), ['keep-local']);

    fake.fault = undefined;
    await downloadBackup(name, backupDir);
    assert.deepEqual(await readTree(join(backupDir, 'keep-local')), BACKUP, 'a complete download replaces it');
  });

  test('publishing fails with a clear error when the service refuses', async () => {
    fake.fault = { mode: 'fail', status: 403, rpcs: ['CreateArtifact'] };
    await assert.rejects(
      publishBackup(await makeBackup(BACKUP), parseBackupName('refused')),
      (e: unknown) => e instanceof OlympiaError && e.message.includes('Publishing the backup "refused"'),
    );
  });

  test('publishing the same name twice in one run fails with a clear error', async () => {
    const name = parseBackupName('twice');
    await publishBackup(await makeBackup(BACKUP), name);
    await assert.rejects(publishBackup(await makeBackup(BACKUP), name), (e: unknown) => e instanceof OlympiaError && e.message.includes('already exists'));
  });

  test('an empty backup directory is not published', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    await assert.rejects(publishBackup(empty, parseBackupName('empty')), NotFoundError);
  });
});
