// A backup's files on disk: private whatever the umask, and never read through a link.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../harness/mariadb.js';
import { seedTypes } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';
import { BackupStore } from '../../src/backup/store.js';
import { copyBackupStorage, stageStorage } from '../../src/backup/storage-snapshot.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { withPidLock } from '../../src/core/pid-lock.js';

describe('backup files', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let backups: string;

  before(async () => {
    db = await freshDatabase('files');
    await seedTypes(db.url);
    dir = await mkdtemp(join(tmpdir(), 'olympia-files-'));
    backups = join(dir, 'backups');
    const storage = join(dir, 'storage');
    await mkdir(join(storage, 'icons'), { recursive: true });
    await writeFile(join(storage, 'icons', 'a.png'), 'png bytes');
    // umask 000 would make every new file world-writable if the modes were left to it.
    const r = await runCli(['dump', '--name', 'private', '--backup-dir', backups, '--database-url', db.url, '--storage-dir', storage], {
      prefix: ['sh', '-c', 'umask 000; exec "$0" "$@"'],
    });
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a dump under umask 000 is private: directories 0700, files 0600', async () => {
    const root = join(backups, 'private');
    const modes: Record<string, number> = { '.': (await lstat(root)).mode & 0o777, '..': (await lstat(backups)).mode & 0o777 };
    for (const e of await readdir(root, { recursive: true })) modes[e] = (await lstat(join(root, e))).mode & 0o777;
    for (const [path, mode] of Object.entries(modes)) {
      const isDir = (await lstat(join(root, path))).isDirectory();
      assert.equal(mode.toString(8), (isDir ? 0o700 : 0o600).toString(8), `${path} has mode ${mode.toString(8)}`);
    }
    assert.ok(
      Object.keys(modes).some((p) => p.endsWith('a.png')),
      'the storage copy is there too',
    );
  });

  test("loaded storage is not private: files 0644, directories 0755 under umask 000, the top dir the live one's mode", async () => {
    const backup = await new BackupStore(backups).find(parseBackupName('private'));
    const live = join(dir, 'live-storage');
    await mkdir(live);
    await chmod(live, 0o751);
    const old = process.umask(0o000);
    try {
      const staged = await stageStorage(live, copyBackupStorage(backup.path, backup.manifest!.storage!.files));
      const mode = async (p: string) => ((await lstat(join(staged.paths.staged, p))).mode & 0o7777).toString(8);
      assert.deepEqual([await mode('.'), await mode('icons'), await mode(join('icons', 'a.png'))], ['751', '755', '644']);
      await staged.discard();
    } finally {
      process.umask(old);
    }
  });

  test('a pid lock file is 0600', async () => {
    const file = join(dir, 'locks', 'x.lock');
    const mode = await withPidLock(file, 1000, 'testing', async () => (await lstat(file)).mode & 0o777);
    assert.equal(mode.toString(8), '600');
  });

  test('verify refuses a listed file that is a link, even to identical bytes', async () => {
    const root = join(backups, 'linked');
    await cp(join(backups, 'private'), root, { recursive: true });
    const store = new BackupStore(backups);
    const backup = await store.find(parseBackupName('linked'));
    const icon = join(root, 'storage', 'icons', 'a.png');
    await rename(icon, join(dir, 'a.png'));
    await symlink(join(dir, 'a.png'), icon);
    let r = await verifyBackup(root, backup.manifest!, 1);
    assert.deepEqual(r.problems, [{ path: 'storage/icons/a.png', problem: 'a symbolic link (links are not loaded)' }]);

    // The directory above it a link to a copy with the same contents.
    await rm(icon);
    await rename(join(dir, 'a.png'), icon);
    await rename(join(root, 'storage'), join(dir, 'storage-copy'));
    await symlink(join(dir, 'storage-copy'), join(root, 'storage'));
    r = await verifyBackup(root, backup.manifest!, 1);
    assert.deepEqual(
      r.problems.map((p) => p.problem),
      ['storage is a symbolic link (links are not loaded)'],
    );
    const load = await runCli(['load', '--name', 'linked', '--backup-dir', backups, '--database-url', db.url]);
    assert.equal(load.code, 4, load.stderr);
    assert.match(load.stderr, /symbolic link/);
  });
});
