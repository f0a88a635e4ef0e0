// Damaged backups, unwritable backup dirs and a disk that fills up: each is refused with a clear
// message and a non-zero exit, and nothing is changed — not the database, not the storage dir, not
// an older backup of the same name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable, seedTypes, snapshotData } from '../support/fixtures.js';
import { namesIn, treeContents } from '../support/files.js';
import { runCli, type CliResult } from '../support/cli.js';
import { dump } from '../../src/dump/dump-database.js';
import { BackupStore } from '../../src/backup/store.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { stagingNames } from '../../src/load/swap-database.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

function mount(args: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  return r.status === 0 ? undefined : `mount ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`;
}

function umount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

async function databaseExists(url: string, name: string): Promise<boolean> {
  const c = await mysql.createConnection({ uri: url });
  const [r] = await c.query('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
  await c.end();
  return Number((r as { n: number }[])[0].n) > 0;
}

describe('damaged backups are refused before the database is touched', () => {
  let source: Db;
  let dest: Db;
  let dir: string;
  let backups: string;
  let destStorage: string;
  let destBefore: Record<string, string[]>;
  let storageBefore: Record<string, string> | null;

  before(async () => {
    source = await freshDatabase('badsrc');
    dest = await freshDatabase('baddst');
    await seedTypes(source.url);
    await seedBigTable(dest.url, 'live_rows', 50, { tag: 'live' });
    dir = await mkdtemp(join(tmpdir(), 'olympia-bad-'));
    backups = join(dir, 'backups');
    const storage = join(dir, 'storage');
    await mkdir(join(storage, 'icons'), { recursive: true });
    await writeFile(join(storage, 'icons', 'a.png'), Buffer.from([1, 2, 3, 4]));
    destStorage = join(dir, 'dest-storage');
    await mkdir(destStorage);
    await writeFile(join(destStorage, 'live.txt'), 'live storage');
    await dump({ target: parseDatabaseUrl(source.url), store: new BackupStore(backups), name: parseBackupName('good'), jobs: 2, storageDir: storage, reporter: silentReporter });
    destBefore = await snapshotData(dest.url);
    storageBefore = await treeContents(destStorage);
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A copy of the good backup under `name`, damaged by `damage(backupDir, manifest)`. */
  async function damaged(name: string, damage: (path: string, manifest: Record<string, any>) => Promise<void>): Promise<void> {
    const path = join(backups, name);
    await cp(join(backups, 'good'), path, { recursive: true });
    const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'));
    await damage(path, manifest);
  }
  const firstDataFile = async (path: string) =>
    join(path, JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')).tables.find((t: { rows: number }) => t.rows > 3).files[0].path);
  const rewrite = (path: string, m: unknown) => writeFile(join(path, 'manifest.json'), typeof m === 'string' ? m : JSON.stringify(m));

  const cases: { name: string; damage: (path: string, m: Record<string, any>) => Promise<void>; code: number; message: RegExp }[] = [
    {
      name: 'truncated',
      damage: async (p) => truncate(await firstDataFile(p), 10),
      code: 4,
      message: /failed verification .*data\/addons\.00000\.tsv: size is 10 bytes, manifest says \d+ \(truncated\)/,
    },
    {
      name: 'altered',
      damage: async (p) => {
        const f = await firstDataFile(p);
        const bytes = await readFile(f);
        bytes[bytes.length >> 1] ^= 0x01;
        await writeFile(f, bytes);
      },
      code: 4,
      message: /failed verification .*: sha256 is [0-9a-f]{12}…, manifest says [0-9a-f]{12}… \(altered\)/,
    },
    { name: 'missing-file', damage: async (p) => rm(await firstDataFile(p)), code: 4, message: /failed verification .*data\/addons\.00000\.tsv: missing/ },
    { name: 'missing-storage', damage: async (p) => rm(join(p, 'storage', 'icons', 'a.png')), code: 4, message: /storage\/icons\/a\.png: missing/ },
    { name: 'no-manifest', damage: async (p) => rm(join(p, 'manifest.json')), code: 3, message: /has no manifest\.json \(an unfinished or foreign directory\)/ },
    {
      name: 'bad-json',
      damage: async (p) => rewrite(p, '{"format": "olympia-data-backup", "tables": ['),
      code: 4,
      message: /manifest\.json \(invalid JSON: .*\) is not a valid backup manifest/,
    },
    { name: 'empty-manifest', damage: async (p) => rewrite(p, ''), code: 4, message: /invalid JSON/ },
    { name: 'wrong-format', damage: async (p, m) => rewrite(p, { ...m, format: 'mydumper' }), code: 4, message: /"format" is "mydumper", expected "olympia-data-backup"/ },
    {
      name: 'unsafe-path',
      damage: async (p, m) => {
        m.tables[0].files[0].path = '../x';
        await rewrite(p, m);
      },
      code: 4,
      message: /unsafe file path "\.\.\/x"/,
    },
    {
      name: 'newer-format',
      damage: async (p, m) => rewrite(p, { ...m, formatVersion: 99 }),
      code: 4,
      message: /has backup format 99; this olympia-data reads format 1/,
    },
  ];

  const load = (name: string): Promise<CliResult> => runCli(['load', '--name', name, '--backup-dir', backups, '--database-url', dest.url, '--storage-dir', destStorage]);

  async function assertUnchanged(what: string): Promise<void> {
    assert.deepEqual(await snapshotData(dest.url), destBefore, `${what}: the database is unchanged`);
    assert.deepEqual(await treeContents(destStorage), storageBefore, `${what}: the storage dir is unchanged`);
    assert.equal(await databaseExists(dest.url, stagingNames(dest.name).stage), false, `${what}: no staging database was made`);
  }

  test('load refuses each damaged backup with a clear message and the right exit code', async () => {
    for (const c of cases) await damaged(c.name, c.damage);
    const results: CliResult[] = [];
    for (let i = 0; i < cases.length; i += 3) results.push(...(await Promise.all(cases.slice(i, i + 3).map((c) => load(c.name)))));
    cases.forEach((c, i) => {
      const r = results[i];
      assert.equal(r.code, c.code, `${c.name}: ${r.stderr}`);
      assert.match(r.stderr, c.message, c.name);
      assert.match(r.stderr, /^hint: /m, `${c.name} says what to do`);
      assert.equal(r.stdout, '', `${c.name} prints no result`);
    });
    await assertUnchanged('damaged backups');
  });

  test('verify exits 4 on a mismatch, listing each problem, and 0 on a good backup', async () => {
    const good = await runCli(['verify', 'good', '--backup-dir', backups]);
    assert.equal(good.code, 0, good.stderr);
    // Two tables with rows, one empty (no file), and the storage file.
    assert.match(good.stdout, /✓ good: 3 files/);
    const runs = await Promise.all(['truncated', 'altered', 'missing-file', 'bad-json'].map((n) => runCli(['verify', n, '--backup-dir', backups])));
    for (const r of runs) {
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^error: (Backup ".*" failed verification|.*is not a valid backup manifest)/);
    }
    assert.match(runs[0].stdout, /✗ data\/addons\.00000\.tsv: size is 10 bytes/);
    const json = await runCli(['verify', 'altered', '--json', '--backup-dir', backups]);
    assert.equal(json.code, 4);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.ok, false);
    assert.equal(parsed.problems.length, 1);
    assert.match(parsed.problems[0].problem, /altered/);
  });

  test('row counts that do not match the data are caught after staging, before the swap', async () => {
    await damaged('miscounted', async (p, m) => {
      const t = m.tables.find((x: { rows: number }) => x.rows > 3);
      t.rows += 1;
      t.files[0].rows += 1;
      await rewrite(p, m);
    });
    const r = await load('miscounted');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /Table "addons" holds \d+ rows after loading; the backup recorded \d+\. Nothing was changed\./);
    await assertUnchanged('miscounted');
  });

  test('a view the server refuses (it names a database missing here) fails the load before the swap', async () => {
    await damaged('foreign-view', async (p, m) => {
      m.views.push({ name: 'elsewhere', createSql: 'CREATE VIEW elsewhere AS SELECT x FROM olympia_no_such_db.t' });
      await rewrite(p, m);
    });
    const r = await load('foreign-view');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Cannot create view "elsewhere": .*olympia_no_such_db/);
    await assertUnchanged('foreign-view');
  });

  test('the good backup still loads after all that', async () => {
    const r = await load('good');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await snapshotData(dest.url), await snapshotData(source.url));
    assert.deepEqual(await treeContents(destStorage), { 'icons/a.png': '01020304' });
  });
});

describe('unwritable backup dirs and a full disk', () => {
  let db: Db;
  let dir: string;
  const mounts: string[] = [];

  before(async () => {
    db = await freshDatabase('disk');
    await seedTypes(db.url);
    dir = await mkdtemp(join(tmpdir(), 'olympia-disk-'));
  });
  after(async () => {
    for (const m of mounts) umount(m);
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a backup dir under a regular file: a clear error, exit 1', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const r = await runCli(['dump', '--name', 'x', '--backup-dir', join(dir, 'a-file', 'backups'), '--database-url', db.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Cannot create the backup directory .*a-file\/backups: a part of the path is a file, not a directory\./);
    assert.match(r.stderr, /hint: Choose a writable --backup-dir/);
  });

  test('a read-only filesystem: a clear error, exit 1, nothing written', async (t) => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    const skip = mount(['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    if (skip) return t.skip(skip);
    mounts.push(ro);
    for (const backupDir of [ro, join(ro, 'backups')]) {
      const r = await runCli(['dump', '--name', 'x', '--backup-dir', backupDir, '--database-url', db.url]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: Cannot (create a lock file in|create the backup directory) .*: permission denied \(or a read-only filesystem\)\./);
    }
    assert.deepEqual(await namesIn(ro), []);
  });

  test('the disk filling up mid-dump: "disk is full", no new backup, the old one survives', async (t) => {
    const small = join(dir, 'small');
    await mkdir(small);
    const skip = mount(['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', small]);
    if (skip) return t.skip(skip);
    mounts.push(small);
    const backups = join(small, 'backups');
    const first = await runCli(['dump', '--name', 'nightly', '--backup-dir', backups, '--database-url', db.url]);
    assert.equal(first.code, 0, first.stderr);
    const old = await treeContents(join(backups, 'nightly'));

    await seedBigTable(db.url, 'filler', 120_000, { tag: 'filler' }); // about 10 MB of dump: more than the disk holds
    for (const jobs of ['1', '2']) {
      const r = await runCli(['dump', '--name', 'nightly', '--force', '--jobs', jobs, '--chunk-size', '1MB', '--backup-dir', backups, '--database-url', db.url]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^error: Cannot .* the disk is full\./m);
      assert.match(r.stderr, /hint: Free some space or choose another --backup-dir\./);
      assert.deepEqual(await namesIn(backups), ['nightly'], 'no temporary directory or lock is left behind');
      assert.deepEqual(await treeContents(join(backups, 'nightly')), old, 'the older backup is intact');
    }
    const store = new BackupStore(backups);
    const b = await store.find(parseBackupName('nightly'));
    assert.deepEqual((await verifyBackup(b.path, b.manifest!, 1)).problems, []);
    const v = await runCli(['verify', 'nightly', '--backup-dir', backups]);
    assert.equal(v.code, 0, v.stderr);

    const fresh = await runCli(['dump', '--name', 'other', '--backup-dir', backups, '--database-url', db.url]);
    assert.equal(fresh.code, 1, 'a new name fails the same way');
    assert.match(fresh.stderr, /the disk is full/);
    assert.deepEqual(await namesIn(backups), ['nightly']);
  });
});
