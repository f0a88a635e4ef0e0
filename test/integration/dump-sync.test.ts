// Which files a dump waits for the disk on, seen as the fsync calls the process makes (strace).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../harness/mariadb.js';
import { seedTypes } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';

const traceable = spawnSync('strace', ['-f', '-o', '/dev/null', 'true']).status === 0;

describe(
  'dump: files synced to disk only where a backup is replaced, or on request',
  { skip: traceable ? false : 'strace is missing or cannot trace here (apt-get install strace)' },
  () => {
    let db: Awaited<ReturnType<typeof freshDatabase>>;
    let dir: string;
    let backups: string;
    let storage: string;
    let runs = 0;

    before(async () => {
      db = await freshDatabase('sync');
      await seedTypes(db.url);
      dir = await mkdtemp(join(tmpdir(), 'olympia-sync-'));
      backups = join(dir, 'backups');
      storage = join(dir, 'storage');
      await mkdir(join(storage, 'icons'), { recursive: true });
      await writeFile(join(storage, 'icons', 'a.png'), 'png bytes');
    });
    after(async () => {
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    });

    /** Dumps under strace; returns the backup's files (data/…, storage/…) the process fsynced, and all its files. */
    async function dump(args: string[]): Promise<{ code: number | null; stderr: string; synced: string[]; files: string[] }> {
      const log = join(dir, `strace-${++runs}.txt`);
      // Small chunks over two connections: the worker thread's files are traced too (-f).
      const r = await runCli(['dump', ...args, '--jobs', '2', '--chunk-size', '4KB', '--backup-dir', backups, '--storage-dir', storage, '--database-url', db.url, '--json'], {
        prefix: ['strace', '-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', log],
      });
      const synced = new Set<string>();
      // A call another thread interrupts is logged as `fsync(12</path> <unfinished ...>`: match the call.
      for (const m of (await readFile(log, 'utf8')).matchAll(/f(?:data)?sync\(\d+<([^>]+)>/g)) {
        const inBackup = /\/((?:data|storage)\/.+)$/.exec(m[1]);
        if (inBackup) synced.add(inBackup[1]);
      }
      const manifest = r.code === 0 ? JSON.parse(await readFile(join(JSON.parse(r.stdout).path, 'manifest.json'), 'utf8')) : undefined;
      const files: string[] = manifest
        ? [...manifest.tables.flatMap((t: { files: { path: string }[] }) => t.files.map((f) => f.path)), ...manifest.storage.files.map((f: { path: string }) => f.path)]
        : [];
      return { code: r.code, stderr: r.stderr, synced: [...synced].sort(), files: files.sort() };
    }

    test('a new backup is left to the kernel, like mysqldump and mydumper do', async () => {
      const r = await dump(['--name', 'one']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.files.filter((f) => f.startsWith('data/')).length > 4, `several chunks: ${r.files.join(', ')}`);
      assert.deepEqual(r.synced, []);
    });

    test('--sync: every data and storage file is on disk before the backup is complete', async () => {
      const r = await dump(['--name', 'two', '--sync']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.synced, r.files);
    });

    test('--force over an existing backup syncs every file before the old one is deleted; --no-sync does not', async () => {
      const forced = await dump(['--name', 'one', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.deepEqual(forced.synced, forced.files);
      const unsynced = await dump(['--name', 'one', '--force', '--no-sync']);
      assert.equal(unsynced.code, 0, unsynced.stderr);
      assert.deepEqual(unsynced.synced, []);
    });

    test('--sync with --no-sync is a usage error', async () => {
      const r = await dump(['--name', 'three', '--sync', '--no-sync']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--sync and --no-sync/);
    });
  },
);
