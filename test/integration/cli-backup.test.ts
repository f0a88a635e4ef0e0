// The backup commands as a user runs them: exit codes, messages on stderr, results on stdout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { seedTypes, snapshotData } from '../support/fixtures.js';
import { namesIn, treeContents } from '../support/files.js';
import { collect, peakRss, runCli, spawnCli } from '../support/cli.js';
import { COMMANDS } from '../../src/cli/args.js';
import { BackupStore } from '../../src/backup/store.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { parseBackupName } from '../../src/core/backup-name.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('olympia-data backup commands (CLI)', () => {
  let db: Db;
  let dest: Db;
  let dir: string;
  let backups: string;
  const cli = (args: string[], extra: string[] = ['--backup-dir', backups, '--database-url', db.url]) => runCli([...args, ...extra]);

  before(async () => {
    db = await freshDatabase('cli');
    dest = await freshDatabase('clidst');
    await seedTypes(db.url);
    dir = await mkdtemp(join(tmpdir(), 'olympia-cli-'));
    backups = join(dir, 'backups');
  });
  after(async () => {
    await db.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('--help on every command exits 0 and documents its flags', async () => {
    const results = await Promise.all(Object.keys(COMMANDS).map(async (name) => ({ name, r: await runCli([name, '--help']) })));
    for (const { name, r } of results) {
      assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: olympia-data ${name}`), name);
      for (const flag of Object.keys(COMMANDS[name].options)) assert.ok(r.stdout.includes(`--${flag}`), `${name} --help documents --${flag}`);
      assert.match(r.stdout, /--database-url/);
    }
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    assert.match(main.stdout, /Exit codes: 0 ok/);
  });

  test('an unknown flag is a usage error (exit 2) naming the command', async () => {
    const r = await runCli(['dump', '--nmae', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: dump: Unknown option '--nmae'/);
    assert.match(r.stderr, /olympia-data dump --help/);
    const l = await runCli(['load', '--force']);
    assert.equal(l.code, 2);
    assert.match(l.stderr, /^error: load: Unknown option '--force'/);
  });

  test('dump, list, verify and load with --json: parseable results with their fields', async () => {
    const d = await cli(['dump', '--name', 'one', '--json']);
    assert.equal(d.code, 0, d.stderr);
    const dumped = JSON.parse(d.stdout);
    assert.deepEqual(Object.keys(dumped).sort(), ['bytes', 'durationMs', 'name', 'path', 'rows', 'tables']);
    assert.equal(dumped.name, 'one');
    assert.equal(dumped.path, join(backups, 'one'));
    assert.equal(dumped.tables, 3);
    assert.equal(dumped.rows, 16);

    const l = await cli(['list', '--json']);
    assert.equal(l.code, 0, l.stderr);
    const [entry] = JSON.parse(l.stdout);
    assert.equal(entry.name, 'one');
    assert.equal(entry.tables, 3);
    assert.equal(entry.rows, 16);
    assert.ok(entry.size > 0);
    assert.ok(!Number.isNaN(Date.parse(entry.created)));

    const v = await cli(['verify', 'one', '--json']);
    assert.equal(v.code, 0, v.stderr);
    // One data file per table with rows: empty_table has none.
    assert.deepEqual({ ...JSON.parse(v.stdout), bytes: 0 }, { name: 'one', ok: true, files: 2, bytes: 0, problems: [] });

    const ld = await runCli(['load', '--name', 'one', '--json', '--backup-dir', backups, '--database-url', dest.url]);
    assert.equal(ld.code, 0, ld.stderr);
    const loaded = JSON.parse(ld.stdout);
    assert.equal(loaded.name, 'one');
    assert.equal(loaded.kind, 'olympia-data');
    assert.equal(loaded.tables, 3);
    assert.equal(loaded.rows, 16);
    assert.deepEqual(await snapshotData(dest.url), await snapshotData(db.url));
  });

  test('list shows name, created, size, tables and rows', async () => {
    const r = await cli(['list']);
    assert.equal(r.code, 0, r.stderr);
    const [head, row] = r.stdout.trimEnd().split('\n');
    assert.match(head, /^NAME\s+CREATED\s+SIZE\s+TABLES\s+ROWS\s+MIGRATIONS$/);
    assert.match(row, /^one\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\s+\d+(\.\d)? KB\s+3\s+16\s+-$/);
    const empty = await runCli(['list', '--backup-dir', join(dir, 'none')]);
    assert.equal(empty.code, 0);
    assert.match(empty.stdout, /No backups in/);
  });

  test('an existing name without --force is an error naming the path and the flag; --force replaces it', async () => {
    const before = await treeContents(join(backups, 'one'));
    const r = await cli(['dump', '--name', 'one']);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(join(backups, 'one')), r.stderr);
    assert.match(r.stderr, /--force/);
    assert.deepEqual(await treeContents(join(backups, 'one')), before, 'the existing backup is untouched');

    const c = await mysql.createConnection({ uri: db.url });
    await c.query("INSERT INTO users (email) VALUES ('new@example.com')");
    await c.end();
    const f = await cli(['dump', '--name', 'one', '--force', '--json']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(JSON.parse(f.stdout).rows, 17);
    const store = new BackupStore(backups);
    const b = await store.find(parseBackupName('one'));
    assert.equal((await verifyBackup(b.path, b.manifest!, 2)).problems.length, 0);
    assert.deepEqual(await namesIn(backups), ['one'], 'no temporary or old directory is left behind');
  });

  test('a missing backup: exit 3 and the error lists the backups that exist', async () => {
    for (const args of [
      ['load', '--name', 'nope'],
      ['verify', 'nope'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /There is no backup named "nope"/);
      assert.match(r.stderr, /Existing backups: one\./);
    }
  });

  test('bad names are rejected before any filesystem access', async () => {
    const missing = join(dir, 'must-not-exist');
    const bad = ['', '.', '..', 'a/b', '../x', '/abs', 'tab\there', 'bell\x07', 'new\nline', 'x'.repeat(129)];
    // Every name through dump; a few through load and verify (each run is a node start-up).
    const runs = [
      ...bad.map((name) => ['dump', '--name', name]),
      ...['', '../x', 'a\x01b'].flatMap((name) => [
        ['load', '--name', name],
        ['verify', name],
      ]),
    ];
    const results = [];
    for (let i = 0; i < runs.length; i += 4) {
      results.push(...(await Promise.all(runs.slice(i, i + 4).map((args) => runCli([...args, '--backup-dir', missing, '--database-url', db.url])))));
    }
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${JSON.stringify(runs[i])}: ${r.stderr}`);
      assert.match(r.stderr, /^error: The backup name .*(empty|not allowed|path separator|control character|characters long)/, JSON.stringify(runs[i]));
      assert.match(r.stderr, /hint: Use letters, digits/);
    });
    await assert.rejects(stat(missing), { code: 'ENOENT' }, 'the backup dir was not created');
  });

  test('an unreachable server: exit 5 within a bounded time, no password, nothing created', async () => {
    const url = `mysql://olympia:Hunter2-Pa55word@127.0.0.1:${await closedPort()}/nothing`;
    const missing = join(dir, 'unreachable');
    for (const args of [
      ['dump', '--name', 'x'],
      ['load', '--name', 'one'],
    ]) {
      const r = await runCli([...args, '--backup-dir', args[0] === 'dump' ? missing : backups, '--database-url', url], { timeoutMs: 30_000 });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /refused the connection/);
      assert.match(r.stderr, /olympia:\*\*\*@127\.0\.0\.1/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('Hunter2'), 'the password is never printed');
    }
    await assert.rejects(stat(missing), { code: 'ENOENT' }, 'a failed dump creates no backup dir');
    // DATABASE_URL from the environment is masked the same way.
    const e = await runCli(['dump', '--backup-dir', missing], { env: { DATABASE_URL: url }, timeoutMs: 30_000 });
    assert.equal(e.code, 5);
    assert.ok(!`${e.stdout}${e.stderr}`.includes('Hunter2'));
  });

  test('bad credentials: exit 5 naming the user, never the password', async () => {
    const wrong = withPassword(db.url, 'Wr0ng-S3cret');
    const before = await snapshotData(db.url);
    for (const args of [
      ['dump', '--name', 'creds'],
      ['load', '--name', 'one'],
    ]) {
      const r = await runCli([...args, '--backup-dir', backups, '--database-url', wrong], { timeoutMs: 30_000 });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /denied access to user "olympia"/);
      assert.match(r.stderr, /Check the user and password/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes('Wr0ng-S3cret'), r.stderr);
    }
    assert.deepEqual(await namesIn(backups), ['one'], 'no backup and no leftovers from the failed dump');
    assert.deepEqual(await snapshotData(db.url), before);
  });

  test('a dump while another process writes the same name fails with the lock message (exit 6)', async () => {
    const store = new BackupStore(backups);
    const holder = await store.beginWrite(parseBackupName('locked'), { force: false });
    try {
      const r = await cli(['dump', '--name', 'locked', '--force']);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, new RegExp(`Another olympia-data process \\(pid ${process.pid}\\) is writing the backup "locked"`));
    } finally {
      await holder.abort();
    }
    const r = await cli(['dump', '--name', 'locked']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('two dumps to the same name at once: one waits or fails cleanly, the result verifies', async () => {
    const runs = await Promise.all([0, 1, 2].map(() => collect(spawnCli(['dump', '--name', 'race', '--force', '--backup-dir', backups, '--database-url', db.url]))));
    const ok = runs.filter((r) => r.code === 0);
    assert.ok(ok.length >= 1, runs.map((r) => r.stderr).join('\n'));
    for (const r of runs.filter((x) => x.code !== 0)) {
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /Another olympia-data process \(pid \d+\) is writing the backup "race"/);
    }
    const v = await cli(['verify', 'race']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(
      (await namesIn(backups)).filter((n) => n.startsWith('.')),
      [],
      'no lock or temporary directory is left',
    );
  });

  test('dumping large rows keeps the process memory bounded (200 × 1 MB LONGBLOB)', async () => {
    const big = await freshDatabase('blobs');
    try {
      const c = await mysql.createConnection({ uri: big.url });
      await c.query('CREATE TABLE digits (d TINYINT NOT NULL PRIMARY KEY)');
      await c.query('INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
      await c.query('CREATE TABLE blobs (id INT NOT NULL PRIMARY KEY, data LONGBLOB NOT NULL)');
      // 1 MB per row, with bytes that need escaping, built by the server.
      await c.query(`INSERT INTO blobs SELECT n, REPEAT(CONCAT(CHAR(65 + n % 26), '\\t\\n\\\\', REPEAT('x', 1020)), 1024)
                       FROM (SELECT a.d * 100 + b.d * 10 + e.d AS n FROM digits a, digits b, digits e) g WHERE n < 200`);
      await c.end();
      const out = join(dir, 'blob-backups');
      /** Runs a dump and samples the child's peak RSS (VmHWM) until it exits. */
      const measured = async (name: string, url: string) => {
        const child = spawnCli(['dump', '--name', name, '--jobs', '2', '--backup-dir', out, '--database-url', url]);
        const done = collect(child);
        let peak = 0;
        let finished = false;
        done.finally(() => (finished = true));
        while (!finished) {
          peak = Math.max(peak, (await peakRss(child.pid!)) ?? 0);
          await new Promise((r) => setTimeout(r, 25));
        }
        const r = await done;
        assert.equal(r.code, 0, r.stderr);
        assert.ok(peak > 0, 'the peak was measured');
        return peak;
      };
      // The same command on a tiny database: what the process needs whatever the data.
      const baseline = await measured('tiny', db.url);
      const peak = await measured('blobs', big.url);
      const manifest = JSON.parse(await readFile(join(out, 'blobs', 'manifest.json'), 'utf8'));
      const bytes = manifest.tables.flatMap((t: { files: { size: number }[] }) => t.files).reduce((n: number, f: { size: number }) => n + f.size, 0);
      assert.ok(bytes > 200e6, `the backup holds the 200 MB (${bytes})`);
      const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
      // Holding the table (or even a large part of it) would add 200 MB; streaming adds a few batches.
      assert.ok(peak - baseline < 120 * 2 ** 20, `the 200 MB table raised the dump's peak RSS by ${mb(peak - baseline)} (${mb(baseline)} → ${mb(peak)}), expected under 120 MB`);
      assert.ok(peak < 300 * 2 ** 20, `peak RSS of the dump was ${mb(peak)}, expected under 300 MB`);
      await rm(out, { recursive: true, force: true });
    } finally {
      await big.drop();
    }
  });
});

test('no command at all shows the help on stderr and exits 2; --help exits 0', async () => {
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: olympia-data <command>/);
  assert.match(none.stderr, /no command given/);
  assert.equal(none.stdout, '');
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: olympia-data <command>/);
});
