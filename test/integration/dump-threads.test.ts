// A dump's worker threads may be started before the dump knows it needs them (the CLI starts them
// while it loads): the dump takes those, stops the ones it does not need, and never leaves one behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable, tableChecksums } from '../support/fixtures.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { BackupStore } from '../../src/backup/store.js';
import { dumpThreadsStarted, prestartDumpThreads, spareDumpThreads } from '../../src/dump/dump-threads.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { NotFoundError } from '../../src/core/errors.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

describe('dump threads started ahead', () => {
  let source: Db;
  let dest: Db;
  let dir: string;
  let store: BackupStore;
  before(async () => {
    source = await freshDatabase('thr');
    dest = await freshDatabase('thrdst');
    await seedBigTable(source.url, 'big_a', 5_000);
    await seedBigTable(source.url, 'big_b', 5_000);
    dir = await mkdtemp(join(tmpdir(), 'olympia-threads-'));
    store = new BackupStore(dir);
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a dump over four connections serves two on this thread, takes the two threads started ahead, and its backup loads exactly', async () => {
    const before = dumpThreadsStarted();
    prestartDumpThreads(2);
    assert.equal(spareDumpThreads(), 2);
    assert.equal(dumpThreadsStarted(), before + 2);
    const expected = await tableChecksums(source.url);
    const d = await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('ahead'), jobs: 4, chunkBytes: 1, reporter: silentReporter });
    assert.equal(spareDumpThreads(), 0);
    assert.equal(dumpThreadsStarted(), before + 2, 'no thread was started besides those two');
    assert.ok(
      d.manifest.tables.some((t) => t.files.length > 1),
      'the tables were read in several chunks',
    );
    await load({ target: parseDatabaseUrl(dest.url), store, name: parseBackupName('ahead'), jobs: 2, reporter: silentReporter });
    assert.deepEqual(await tableChecksums(dest.url), expected);
  });

  test('a dump over two connections serves both on this thread: no thread is started', async () => {
    const before = dumpThreadsStarted();
    const d = await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('two'), jobs: 2, chunkBytes: 1, reporter: silentReporter });
    assert.ok(
      d.manifest.tables.some((t) => t.files.length > 1),
      'the tables were read in several chunks',
    );
    assert.equal(dumpThreadsStarted(), before, 'a thread was started for a dump the main thread serves alone');
    assert.equal(spareDumpThreads(), 0);
  });

  test('a database under one chunk is read over one connection: the threads started for it are stopped', async () => {
    prestartDumpThreads(3);
    const before = dumpThreadsStarted();
    const d = await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('small'), jobs: 4, reporter: silentReporter });
    assert.equal(d.tables, 3);
    assert.equal(spareDumpThreads(), 0);
    assert.equal(dumpThreadsStarted(), before, 'the dump started no thread of its own');
  });

  test('a dump that fails before it opens its connections stops them too', async () => {
    const missing = { ...parseDatabaseUrl(source.url), database: 'no_such_db_for_threads' };
    await assert.rejects(dump({ target: missing, store, name: parseBackupName('none'), jobs: 3, reporter: silentReporter }), NotFoundError);
    assert.equal(spareDumpThreads(), 0);
  });

  test('a dump started with more threads ahead than it has jobs leaves none of them running', async () => {
    prestartDumpThreads(2);
    await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('one-job'), jobs: 1, reporter: silentReporter });
    assert.equal(spareDumpThreads(), 0);
  });
});
