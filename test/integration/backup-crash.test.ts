// The CLI killed (SIGKILL: no cleanup runs) at random moments of a dump and of a load. A backup
// under its real name is always complete and verifies; a database holds all of the old data or all
// of the new, never a mix; and the next run cleans up after the dead one and works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { schemaObjects, seedBigTable, seedTypes, tableChecksums } from '../support/fixtures.js';
import { namesIn, treeContents } from '../support/files.js';
import { collect, spawnCli, type CliResult } from '../support/cli.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { BackupStore } from '../../src/backup/store.js';
import { verifyBackup } from '../../src/backup/verify.js';
import { parseBackupName, type BackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { stagingNames } from '../../src/load/swap-database.js';
import { lockName } from '../../src/mysql/advisory-lock.js';
import { loadAccountName } from '../../src/load/accounts.js';
import { connect } from '../../src/mysql/connect.js';
import { recoverInterruptedLoad } from '../../src/load/swap-journal.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
const KILLS = 20;

/** Runs the CLI and SIGKILLs it after `delayMs` (if it is still running). */
async function runAndKill(args: string[], delayMs: number): Promise<CliResult> {
  const child = spawnCli(args);
  const done = collect(child, 120_000);
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  const r = await done;
  clearTimeout(timer);
  return r;
}

/** Kill delays spread over [0, full]: one random point in each of KILLS equal slices. */
function delays(fullMs: number): number[] {
  return Array.from({ length: KILLS }, (_, i) => Math.round(((i + Math.random()) / KILLS) * fullMs));
}

async function schemasLike(url: string, names: string[]): Promise<string[]> {
  const c = await mysql.createConnection({ uri: url });
  const [r] = await c.query(`SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)`, [names]);
  await c.end();
  return (r as { s: string }[]).map((x) => x.s);
}

describe('SIGKILL at random moments of a dump', () => {
  let db: Db;
  let dir: string;
  let backups: string;
  let store: BackupStore;
  let expectedRows: number;

  before(async () => {
    db = await freshDatabase('crashdump');
    await seedTypes(db.url);
    await seedBigTable(db.url, 'big', 150_000);
    dir = await mkdtemp(join(tmpdir(), 'olympia-crash-dump-'));
    backups = join(dir, 'backups');
    store = new BackupStore(backups);
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Whatever is under the real name is a complete backup of all the rows, or nothing is. */
  async function assertWholeOrAbsent(name: BackupName, context: string): Promise<boolean> {
    const visible = (await namesIn(backups)).filter((n) => !n.startsWith('.'));
    assert.ok(
      visible.every((n) => n === 'crash' || n.startsWith('fresh-')),
      `${context}: only real backups are visible: ${visible}`,
    );
    // Reading a backup first cleans up after dead writers (a replaced backup is put back).
    await store.find(name).catch(() => undefined);
    const dirExists = await stat(join(backups, name)).then(
      () => true,
      () => false,
    );
    if (!dirExists) return false;
    assert.ok(
      await stat(join(backups, name, 'manifest.json')).then(
        () => true,
        () => false,
      ),
      `${context}: a directory under the real name has its manifest`,
    );
    const b = await store.find(name);
    assert.deepEqual((await verifyBackup(b.path, b.manifest!, 2)).problems, [], `${context}: the backup under the real name verifies`);
    assert.equal(
      b.manifest!.tables.reduce((n, t) => n + t.rows, 0),
      expectedRows,
      `${context}: it holds every row`,
    );
    return true;
  }

  test(`${KILLS} kills: never a half backup under the real name; the next dump cleans up and works`, async () => {
    const first = await collect(spawnCli(['dump', '--name', 'crash', '--chunk-size', '256KB', '--backup-dir', backups, '--database-url', db.url, '--json']));
    assert.equal(first.code, 0, first.stderr);
    expectedRows = JSON.parse(first.stdout).rows;
    const outcomes = { killed: 0, finished: 0 };
    for (const [i, delay] of delays(first.durationMs).entries()) {
      // Odd runs replace an existing backup (--force); even runs write a new name.
      const replace = i % 2 === 1;
      const name = parseBackupName(replace ? 'crash' : `fresh-${i}`);
      // Small chunks, so the kills land among several connections and threads.
      const args = ['dump', '--name', name, '--chunk-size', '256KB', '--backup-dir', backups, '--database-url', db.url, ...(replace ? ['--force'] : [])];
      const r = await runAndKill(args, delay);
      const context = `run ${i} (${replace ? 'replace' : 'new'}, killed after ${delay} ms)`;
      if (r.signal === 'SIGKILL') outcomes.killed++;
      else {
        assert.equal(r.code, 0, `${context}: ${r.stderr}`);
        outcomes.finished++;
      }
      const present = await assertWholeOrAbsent(name, context);
      if (replace) assert.ok(present, `${context}: the older backup of the same name survives`);

      // A later dump of that name works, and leaves no temporary directory or lock behind.
      const again = await dump({ target: parseDatabaseUrl(db.url), store, name, force: true, jobs: 2, reporter: silentReporter });
      assert.equal(again.rows, expectedRows, `${context}: the next dump works`);
      assert.deepEqual(
        (await namesIn(backups)).filter((n) => n.startsWith(`.${name}.`)),
        [],
        `${context}: leftovers of the killed run were cleaned up`,
      );
      if (!replace) await rm(join(backups, name), { recursive: true });
    }
    assert.ok(outcomes.killed >= KILLS / 2, `most runs were killed mid-way (${JSON.stringify(outcomes)})`);
  });
});

/**
 * The database as the next olympia-data run sees it: once the killed run's lock is gone. A
 * statement the dead client had started (say the RENAME TABLE) still runs to its end on the server,
 * and information_schema may list a table set mid-rename; the lock outlives that statement.
 */
async function settledChecksums(url: string, database: string): Promise<Awaited<ReturnType<typeof tableChecksums>>> {
  const c = await mysql.createConnection({ uri: url });
  try {
    const [r] = await c.query('SELECT GET_LOCK(?, 60) AS ok', [lockName(database)]);
    assert.equal(Number((r as { ok: number }[])[0].ok), 1, 'the killed run released its lock');
    return await tableChecksums(url);
  } finally {
    await c.query('SELECT RELEASE_LOCK(?)', [lockName(database)]).catch(() => undefined);
    await c.end();
  }
}

describe('SIGKILL at random moments of a load', () => {
  let source: Db;
  let live: Db;
  let dir: string;
  let backups: string;
  let store: BackupStore;
  let liveStorage: string;
  let oldState: Awaited<ReturnType<typeof tableChecksums>>;
  let newState: Awaited<ReturnType<typeof tableChecksums>>;
  let oldFiles: Record<string, string> | null;
  let newFiles: Record<string, string> | null;
  const wholeState = async () => ({ tables: await tableChecksums(live.url), objects: await schemaObjects(live.url), storage: await treeContents(liveStorage) });
  let oldWhole: Awaited<ReturnType<typeof wholeState>>;
  let newWhole: Awaited<ReturnType<typeof wholeState>>;

  before(async () => {
    source = await freshDatabase('crashsrc');
    live = await freshDatabase('crashlive');
    await seedTypes(source.url);
    await seedBigTable(source.url, 'big', 150_000, { tag: 'new' });
    await seedBigTable(live.url, 'big', 60_000, { tag: 'old' });
    await seedBigTable(live.url, 'only_old', 1_000, { tag: 'only' });
    dir = await mkdtemp(join(tmpdir(), 'olympia-crash-load-'));
    backups = join(dir, 'backups');
    store = new BackupStore(backups);
    const sourceStorage = join(dir, 'source-storage');
    await mkdir(join(sourceStorage, 'new'), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(sourceStorage, 'new', `${i}.bin`), Buffer.alloc(10_000, i));
    liveStorage = join(dir, 'live-storage');
    await mkdir(liveStorage);
    await writeFile(join(liveStorage, 'old.txt'), 'the old storage');
    const target = (url: string) => parseDatabaseUrl(url);
    await dump({ target: target(source.url), store, name: parseBackupName('new'), jobs: 2, storageDir: sourceStorage, reporter: silentReporter });
    await dump({ target: target(live.url), store, name: parseBackupName('old'), jobs: 2, storageDir: liveStorage, reporter: silentReporter });
    oldState = await tableChecksums(live.url);
    newState = await tableChecksums(source.url);
    oldFiles = await treeContents(liveStorage);
    newFiles = await treeContents(sourceStorage);
    oldWhole = { tables: oldState, objects: await schemaObjects(live.url), storage: oldFiles };
    newWhole = { tables: newState, objects: await schemaObjects(source.url), storage: newFiles };
    assert.notDeepEqual(oldWhole.objects, newWhole.objects, 'the two sides differ in views and triggers too');
  });
  after(async () => {
    await source.drop();
    await live.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const loadOld = () =>
    load({ target: parseDatabaseUrl(live.url), store, name: parseBackupName('old'), jobs: 2, storageDir: liveStorage, reporter: silentReporter, lockTimeoutS: 60 });
  const cliLoadNew = () => ['load', '--name', 'new', '--backup-dir', backups, '--database-url', live.url, '--storage-dir', liveStorage];

  test(`${KILLS} kills: the database holds all the old data or all the new, and the next load works`, async () => {
    const full = await collect(spawnCli(cliLoadNew()));
    assert.equal(full.code, 0, full.stderr);
    assert.deepEqual(await tableChecksums(live.url), newState, 'a complete load brings the new data');
    assert.deepEqual(await treeContents(liveStorage), newFiles);
    await loadOld();
    assert.deepEqual(await tableChecksums(live.url), oldState);

    const seen = { old: 0, new: 0 };
    for (const [i, delay] of delays(full.durationMs).entries()) {
      const r = await runAndKill(cliLoadNew(), delay);
      const context = `run ${i} (killed after ${delay} ms, ${r.signal ?? `exit ${r.code}`})`;
      if (r.signal !== 'SIGKILL') assert.equal(r.code, 0, `${context}: ${r.stderr}`);
      const state = await settledChecksums(live.url, live.name);
      const isOld = JSON.stringify(state) === JSON.stringify(oldState);
      const isNew = JSON.stringify(state) === JSON.stringify(newState);
      assert.ok(isOld || isNew, `${context}: the database holds a mix: ${JSON.stringify(state)}`);
      seen[isOld ? 'old' : 'new']++;
      // The next run first finishes or undoes a swap the kill cut short: then tables, views,
      // triggers and storage are all the old ones or all the new ones.
      const c = await connect(parseDatabaseUrl(live.url), { database: null });
      await recoverInterruptedLoad(c, parseDatabaseUrl(live.url), { reporter: silentReporter, lockTimeoutS: 60 }).finally(() => c.end());
      const whole = await wholeState();
      assert.ok(
        JSON.stringify(whole) === JSON.stringify(oldWhole) || JSON.stringify(whole) === JSON.stringify(newWhole),
        `${context}: after recovery, the database and storage are one whole: ${JSON.stringify({ ...whole, tables: undefined })}`,
      );

      // The following load works: back to the old data, with nothing of the killed run left.
      await loadOld();
      assert.deepEqual(await tableChecksums(live.url), oldState, `${context}: the next load works`);
      assert.deepEqual(await treeContents(liveStorage), oldFiles);
      const { stage, old, journal } = stagingNames(live.name);
      assert.deepEqual(await schemasLike(live.url, [stage, old, journal]), [], `${context}: no staging or journal database is left`);
      const c2 = await mysql.createConnection({ uri: live.url });
      const [accounts] = await c2.query('SELECT User FROM mysql.user WHERE User = ?', [loadAccountName(live.name)]).finally(() => c2.end());
      assert.deepEqual(accounts, [], `${context}: the killed run's load account is gone`);
      const siblings = (await namesIn(dirname(liveStorage))).filter((n) => n.startsWith(`${basename(liveStorage)}.`));
      assert.deepEqual(siblings, [], `${context}: no staged storage copy is left`);
    }
    assert.ok(seen.old > 0, `some kills landed before the swap (${JSON.stringify(seen)})`);
  });
});

describe('SIGKILL at random moments of a load into an empty database (filled directly)', () => {
  let source: Db;
  let live: Db;
  let dir: string;
  let backups: string;
  let liveStorage: string;
  const wholeState = async () => ({ tables: await tableChecksums(live.url), objects: await schemaObjects(live.url), storage: await treeContents(liveStorage) });
  let emptyWhole: Awaited<ReturnType<typeof wholeState>>;
  let newWhole: Awaited<ReturnType<typeof wholeState>>;

  /** The live database with nothing in it, and its storage as before any load. */
  async function emptyLive(): Promise<void> {
    const c = await mysql.createConnection({ uri: live.url });
    await c.query(`DROP DATABASE ${live.name}`).finally(() => c.query(`CREATE DATABASE ${live.name}`).finally(() => c.end()));
    await rm(liveStorage, { recursive: true, force: true });
    await mkdir(liveStorage);
    await writeFile(join(liveStorage, 'before.txt'), 'storage before the load');
  }

  before(async () => {
    source = await freshDatabase('crashfillsrc');
    live = await freshDatabase('crashfill');
    await seedTypes(source.url);
    await seedBigTable(source.url, 'big', 150_000, { tag: 'new' });
    dir = await mkdtemp(join(tmpdir(), 'olympia-crash-fill-'));
    backups = join(dir, 'backups');
    const sourceStorage = join(dir, 'source-storage');
    await mkdir(join(sourceStorage, 'new'), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(sourceStorage, 'new', `${i}.bin`), Buffer.alloc(10_000, i));
    liveStorage = join(dir, 'live-storage');
    await dump({
      target: parseDatabaseUrl(source.url),
      store: new BackupStore(backups),
      name: parseBackupName('new'),
      jobs: 2,
      storageDir: sourceStorage,
      reporter: silentReporter,
    });
    await emptyLive();
    emptyWhole = await wholeState();
    newWhole = { tables: await tableChecksums(source.url), objects: await schemaObjects(source.url), storage: await treeContents(sourceStorage) };
    assert.deepEqual(emptyWhole.tables, {});
  });
  after(async () => {
    await source.drop();
    await live.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const cliLoadNew = () => ['load', '--name', 'new', '--backup-dir', backups, '--database-url', live.url, '--storage-dir', liveStorage];

  test(`${KILLS} kills: after the next run's recovery the database is empty or whole, and the next load works`, async () => {
    const full = await collect(spawnCli(cliLoadNew()));
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stderr + full.stdout, /straight into the empty/, 'an empty database is filled directly');
    assert.deepEqual(await wholeState(), newWhole, 'a complete load brings the new data');

    const seen = { empty: 0, new: 0, partial: 0 };
    for (const [i, delay] of delays(full.durationMs).entries()) {
      await emptyLive();
      const r = await runAndKill(cliLoadNew(), delay);
      const context = `run ${i} (killed after ${delay} ms, ${r.signal ?? `exit ${r.code}`})`;
      if (r.signal !== 'SIGKILL') assert.equal(r.code, 0, `${context}: ${r.stderr}`);
      const before = await settledChecksums(live.url, live.name);
      if (Object.keys(before).length > 0 && JSON.stringify(before) !== JSON.stringify(newWhole.tables)) seen.partial++;
      const c = await connect(parseDatabaseUrl(live.url), { database: null });
      await recoverInterruptedLoad(c, parseDatabaseUrl(live.url), { reporter: silentReporter, lockTimeoutS: 60 }).finally(() => c.end());
      const whole = await wholeState();
      const isEmpty = JSON.stringify(whole) === JSON.stringify(emptyWhole);
      assert.ok(
        isEmpty || JSON.stringify(whole) === JSON.stringify(newWhole),
        `${context}: after recovery, the database and storage are empty or whole: ${JSON.stringify({ ...whole, tables: Object.keys(whole.tables) })}`,
      );
      seen[isEmpty ? 'empty' : 'new']++;
      const c2 = await mysql.createConnection({ uri: live.url });
      const [accounts] = await c2.query('SELECT User FROM mysql.user WHERE User = ?', [loadAccountName(live.name)]).finally(() => c2.end());
      assert.deepEqual(accounts, [], `${context}: the killed run's load account is gone`);

      // The following load works, into the database as the recovery left it, and clears a storage
      // copy the killed run had staged but not yet journaled.
      const again = await load({
        target: parseDatabaseUrl(live.url),
        store: new BackupStore(backups),
        name: parseBackupName('new'),
        jobs: 2,
        storageDir: liveStorage,
        reporter: silentReporter,
        lockTimeoutS: 60,
      });
      assert.equal(again.tables, Object.keys(newWhole.tables).length, context);
      assert.deepEqual(await wholeState(), newWhole, `${context}: the next load works`);
      const siblings = (await namesIn(dirname(liveStorage))).filter((n) => n.startsWith(`${basename(liveStorage)}.`));
      assert.deepEqual(siblings, [], `${context}: no staged storage copy is left`);
      // A run killed while it was still creating its journal leaves that database empty: nothing
      // was changed yet, and the next load replaces it.
      const { stage, old, journal } = stagingNames(live.name);
      assert.deepEqual(await schemasLike(live.url, [stage, old, journal]), [], `${context}: no staging or journal database is left`);
    }
    assert.ok(seen.empty > 0, `some kills landed mid-fill (${JSON.stringify(seen)})`);
    assert.ok(seen.partial > 0, `some kills left a partly filled database for the recovery to empty (${JSON.stringify(seen)})`);
  });
});
