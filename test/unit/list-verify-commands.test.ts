// list and verify as commands: what adapters get back, through a real store in a temporary dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupStore } from '../../src/backup/store.js';
import { listBackups } from '../../src/commands/list.js';
import { verifyCommand } from '../../src/commands/verify.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { UsageError } from '../../src/core/errors.js';
import { validateConfig } from '../../src/core/config.js';

test('list reports each backup with its kind, and a damaged one as not valid', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'olympia-list-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new BackupStore(dir);
  assert.deepEqual(await listBackups({ store, config: validateConfig({}, dir) }), []);
  await mkdir(join(dir, 'as'));
  await writeFile(join(dir, 'as', 'db.sql'), 'CREATE TABLE t (id INT);\n');
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken', 'manifest.json'), '{not json');
  const rows = await listBackups({ store, config: validateConfig({}, dir) });
  assert.deepEqual(
    rows.map((r) => [r.name, r.kind, r.valid, r.tables]),
    [
      ['as', 'addons-server', true, null],
      ['broken', 'olympia-data', false, null],
    ],
  );
});

test('verify of an addons-server backup says it has no manifest (exit 2)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'olympia-verify-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'as'));
  await writeFile(join(dir, 'as', 'db.sql'), 'SELECT 1;\n');
  await assert.rejects(verifyCommand({ store: new BackupStore(dir), jobs: 1 }, parseBackupName('as')), (e: unknown) => e instanceof UsageError && /no manifest/.test(e.message));
});
