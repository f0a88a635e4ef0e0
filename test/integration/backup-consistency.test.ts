// A dump is one moment of the whole database, even while other clients write and the tables are
// read in chunks over several connections: money moved between two tables in transactions (with a
// ledger row per move) adds up in every backup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable } from '../support/fixtures.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { BackupStore } from '../../src/backup/store.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;
const ACCOUNTS = 500;
const START = 1000;

interface Books {
  a: number;
  b: number;
  ledgerRows: number;
  ledgerSum: number;
}

async function books(url: string): Promise<Books> {
  const c = await mysql.createConnection({ uri: url });
  try {
    const [[r]] = (await c.query(
      `SELECT (SELECT SUM(balance) FROM accounts_a) AS a, (SELECT SUM(balance) FROM accounts_b) AS b,
              (SELECT COUNT(*) FROM ledger) AS n, (SELECT COALESCE(SUM(amount), 0) FROM ledger) AS s`,
    )) as unknown as [Record<string, string>[]];
    return { a: Number(r.a), b: Number(r.b), ledgerRows: Number(r.n), ledgerSum: Number(r.s) };
  } finally {
    await c.end();
  }
}

/** Moves money from A to B in transactions, one ledger row each, until stopped. */
function startTransfers(url: string): { stop: () => Promise<number> } {
  let running = true;
  let moves = 0;
  const worker = async (seed: number) => {
    const c = await mysql.createConnection({ uri: url });
    let i = seed;
    try {
      while (running) {
        i++;
        const amount = (i % 7) + 1;
        await c.beginTransaction();
        // Touch the ends of the key range, so rows in different chunks change together.
        await c.query('UPDATE accounts_a SET balance = balance - ? WHERE id = ?', [amount, (i % ACCOUNTS) + 1]);
        await c.query('INSERT INTO ledger (amount) VALUES (?)', [amount]);
        await c.query('UPDATE accounts_b SET balance = balance + ? WHERE id = ?', [amount, ACCOUNTS - (i % ACCOUNTS)]);
        await c.commit();
        moves++;
      }
    } finally {
      await c.end();
    }
  };
  const workers = [worker(0), worker(1000)];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return moves;
    },
  };
}

describe('dump consistency under concurrent writes', () => {
  let source: Db;
  let dest: Db;
  let dir: string;

  before(async () => {
    source = await freshDatabase('cons');
    dest = await freshDatabase('consdst');
    const c = await mysql.createConnection({ uri: source.url });
    for (const t of ['accounts_a', 'accounts_b']) {
      await c.query(`CREATE TABLE ${t} (id INT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB`);
      await c.query(`INSERT INTO ${t} (id, balance) VALUES ${Array.from({ length: ACCOUNTS }, (_, i) => `(${i + 1}, ${START})`).join(', ')}`);
    }
    await c.query('CREATE TABLE ledger (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB');
    await c.end();
    // Bulk that takes a while to read, so the writers get to run during the dump.
    await seedBigTable(source.url, 'bulk', 60_000);
    dir = await mkdtemp(join(tmpdir(), 'olympia-cons-'));
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every table of the backup is from the same moment', async () => {
    const store = new BackupStore(join(dir, 'backups'));
    const total = ACCOUNTS * START * 2;
    for (let round = 0; round < 3; round++) {
      const writers = startTransfers(source.url);
      await new Promise((r) => setTimeout(r, 100));
      const before = await books(source.url);
      const name = parseBackupName(`round-${round}`);
      // Small chunks: each table is read as several key ranges over two connections.
      const d = await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, chunkBytes: 8192, reporter: silentReporter });
      const after = await books(source.url);
      const moves = await writers.stop();
      assert.ok(d.manifest.tables.find((t) => t.name === 'bulk')!.files.length > 1, 'the big table was read in chunks');
      assert.ok(after.ledgerRows > before.ledgerRows, `the writers committed during the dump (${moves} moves in all)`);

      await load({ target: parseDatabaseUrl(dest.url), store, name, jobs: 2, reporter: silentReporter });
      const loaded = await books(dest.url);
      assert.equal(loaded.a + loaded.b, total, `round ${round}: money is neither made nor lost (${JSON.stringify(loaded)})`);
      assert.equal(loaded.b - ACCOUNTS * START, loaded.ledgerSum, `round ${round}: the ledger matches the balances`);
      assert.ok(loaded.ledgerRows >= before.ledgerRows && loaded.ledgerRows <= after.ledgerRows, `round ${round}: the snapshot lies within the dump`);
    }
  });

  test('a dump never deadlocks the application: a transaction holding a row lock and writing on finishes', async () => {
    const store = new BackupStore(join(dir, 'backups-deadlock'));
    const holder = await mysql.createConnection({ uri: source.url });
    const waiter = await mysql.createConnection({ uri: source.url });
    try {
      // A holds a row lock in an open transaction; B waits for that row (for at most 20 s).
      await holder.beginTransaction();
      await holder.query('UPDATE accounts_a SET balance = balance - 1 WHERE id = 1');
      await waiter.query('SET SESSION innodb_lock_wait_timeout = 20');
      const waiting = waiter.query('UPDATE accounts_a SET balance = balance + 1 WHERE id = 1');
      waiting.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
      // The dump's global read lock now waits for B's statement; A's next write waits for the global lock.
      const dumping = dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('while-locked'), jobs: 2, reporter: silentReporter });
      dumping.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      await holder.query('INSERT INTO ledger (amount) VALUES (0)');
      await holder.commit();
      await waiting; // B gets its row once A commits: no lock wait timeout
      assert.ok(Date.now() - started < 15_000, 'A was held back only briefly');
      const d = await dumping;
      assert.ok(d.tables > 0);
    } finally {
      await holder.end();
      await waiter.end();
    }
  });
});
