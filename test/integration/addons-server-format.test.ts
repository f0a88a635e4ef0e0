// addons-server backups: a directory with db.sql (made here by the real mysqldump; plain or gzip
// despite its name) and storage.tar (plain or gzip), loaded with `olympia-data load --name x`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable, seedTypes, snapshotData } from '../support/fixtures.js';
import { treeContents } from '../support/files.js';
import { runCli } from '../support/cli.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

function mysqldumpBinary(): string | undefined {
  for (const name of ['mysqldump', 'mariadb-dump']) if (spawnSync(name, ['--version']).status === 0) return name;
  return undefined;
}

/** db.sql as a user's mysqldump makes it (binary columns as escaped strings, triggers included). */
function mysqldump(binary: string, url: string): Buffer {
  const u = new URL(url);
  const r = spawnSync(
    binary,
    ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), '--single-transaction', '--triggers', '--routines', u.pathname.slice(1)],
    {
      env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) },
      maxBuffer: 64 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`mysqldump failed: ${r.stderr}`);
  return r.stdout;
}

function tar(args: string[]): void {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${r.stderr}`);
}

describe('loading addons-server backups (db.sql + storage.tar)', () => {
  let source: Db;
  let dest: Db;
  let dir: string;
  let backups: string;
  let storage: string;
  let destStorage: string;
  let dumpBinary: string | undefined;
  let sourceData: Record<string, string[]>;

  before(async () => {
    dumpBinary = mysqldumpBinary();
    source = await freshDatabase('asrc');
    dest = await freshDatabase('adst');
    await seedTypes(source.url);
    await seedBigTable(dest.url, 'live_only', 20, { tag: 'live' });
    dir = await mkdtemp(join(tmpdir(), 'olympia-addons-'));
    backups = join(dir, 'backups');
    storage = join(dir, 'storage');
    await mkdir(join(storage, 'addons', '7'), { recursive: true });
    await writeFile(join(storage, 'addons', '7', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]));
    await writeFile(join(storage, 'README'), 'uploaded files\n');
    destStorage = join(dir, 'dest-storage');
    sourceData = await snapshotData(source.url);
    if (!dumpBinary) return;
    const sql = mysqldump(dumpBinary, source.url);
    for (const [name, gzip] of [
      ['plain', false],
      ['gzipped', true],
    ] as const) {
      await mkdir(join(backups, name), { recursive: true });
      await writeFile(join(backups, name, 'db.sql'), gzip ? gzipSync(sql) : sql);
      tar([gzip ? '-czf' : '-cf', join(backups, name, 'storage.tar'), '-C', storage, '.']);
    }
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of ['plain', 'gzipped']) {
    test(`${name} db.sql and storage.tar load exactly`, async (t) => {
      if (!dumpBinary) return t.skip('mysqldump is not installed');
      await rm(destStorage, { recursive: true, force: true });
      await mkdir(destStorage);
      await writeFile(join(destStorage, 'stale.txt'), 'replaced by the backup');
      const r = await runCli(['load', '--name', name, '--json', '--backup-dir', backups, '--database-url', dest.url, '--storage-dir', destStorage]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.kind, 'addons-server');
      assert.equal(out.tables, 3);
      assert.deepEqual(await snapshotData(dest.url), sourceData, 'every row and value, the old tables gone');
      assert.deepEqual(await treeContents(destStorage), await treeContents(storage));

      const c = await mysql.createConnection({ uri: dest.url });
      const [view] = await c.query('SELECT COUNT(*) AS n FROM public_addons');
      assert.equal(Number((view as { n: number }[])[0].n), 2, 'the view came back');
      await c.query("INSERT INTO addons (slug) VALUES ('MIXED')");
      const [lower] = await c.query("SELECT slug FROM addons WHERE slug = 'mixed' COLLATE utf8mb4_bin");
      assert.equal((lower as unknown[]).length, 1, 'the trigger came back');
      await c.end();
    });
  }

  test('list shows addons-server backups', async (t) => {
    if (!dumpBinary) return t.skip('mysqldump is not installed');
    const r = await runCli(['list', '--json', '--backup-dir', backups]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; size: number }[];
    assert.deepEqual(
      rows.map((x) => [x.name, x.kind]),
      [
        ['gzipped', 'addons-server'],
        ['plain', 'addons-server'],
      ],
    );
    assert.ok(rows.every((x) => x.size > 0));
  });

  test('a truncated gzip db.sql: a clear error, nothing changed', async (t) => {
    if (!dumpBinary) return t.skip('mysqldump is not installed');
    // Something else in the database and the storage dir first, to see that they stay.
    const c = await mysql.createConnection({ uri: dest.url });
    await c.query('DELETE FROM addons WHERE id > 5').finally(() => c.end());
    const before = await snapshotData(dest.url);
    const storageBefore = await treeContents(destStorage);
    await mkdir(join(backups, 'truncated'));
    const full = await readFile(join(backups, 'gzipped', 'db.sql'));
    await writeFile(join(backups, 'truncated', 'db.sql'), full);
    await truncate(join(backups, 'truncated', 'db.sql'), Math.floor(full.length * 0.6));
    tar(['-czf', join(backups, 'truncated', 'storage.tar'), '-C', storage, '.']);

    const r = await runCli(['load', '--name', 'truncated', '--backup-dir', backups, '--database-url', dest.url, '--storage-dir', destStorage]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: Cannot read .*truncated\/db\.sql: unexpected end of file/m);
    assert.match(r.stderr, /hint: The file is truncated or not a SQL dump\./);
    assert.deepEqual(await snapshotData(dest.url), before, 'the database is unchanged');
    assert.deepEqual(await treeContents(destStorage), storageBefore, 'the storage dir is unchanged');
  });
});
