// Several chunks read by one multi-statement query: every result set lands in its own file, the same
// bytes as when each chunk is read alone, whatever sits between them (an empty result, a result
// bigger than one write batch, rows read straight from the socket).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { widenServerWrites } from '../../src/mysql/server-write-buffer.js';
import { dumpChunks, rowsReadInBulk } from '../../src/dump/table-dump.js';
import { dump } from '../../src/dump/dump-database.js';
import { BackupStore } from '../../src/backup/store.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable, seedTypes } from '../support/fixtures.js';

const SELECTS: Record<string, string> = {
  users: 'SELECT * FROM users',
  nothing: 'SELECT * FROM empty_table',
  // ~4 MB: several 1 MB write batches, read in bulk from the socket, in the middle of the batch.
  many: 'SELECT * FROM many',
  addons: 'SELECT * FROM addons',
  few: 'SELECT * FROM many WHERE id <= 3',
};

describe('a batch of chunks in one query', { timeout: 120_000 }, () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let conn: Connection;
  let dir: string;
  before(async () => {
    db = await freshDatabase('batch');
    await seedTypes(db.url);
    await seedBigTable(db.url, 'many', 40_000);
    // As a big dump's connection: rows in large server writes.
    conn = await connect(parseDatabaseUrl(db.url), { reuseReadBuffer: true, multipleStatements: true });
    await widenServerWrites(conn);
    await conn.query('SET character_set_results = binary');
    dir = await mkdtemp(join(tmpdir(), 'olympia-batch-'));
  });
  after(async () => {
    await conn?.end();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('each result set goes to its own file, byte for byte as when read alone, with progress per part', async () => {
    const names = Object.keys(SELECTS);
    await mkdir(join(dir, 'one'), { recursive: true });
    await mkdir(join(dir, 'batch'), { recursive: true });
    const reference = new Map<string, { rows: number; size: number; data: Buffer | null }>();
    for (const n of names) {
      const file = join(dir, 'one', `${n}.tsv`);
      const { results, closed } = await dumpChunks(conn, { parts: [{ sql: SELECTS[n], file }], sync: false });
      await closed;
      reference.set(n, { rows: results[0].rows, size: results[0].size, data: existsSync(file) ? await readFile(file) : null });
    }
    assert.equal(reference.get('many')!.rows, 40_000);
    assert.ok(reference.get('many')!.size > 2 << 20, 'bigger than two write batches');
    assert.equal(reference.get('nothing')!.data, null, 'an empty result writes no file');

    const progress = new Map<number, number>();
    const bulkBefore = rowsReadInBulk();
    const { results, closed } = await dumpChunks(conn, {
      parts: names.map((n) => ({ sql: SELECTS[n], file: join(dir, 'batch', `${n}.tsv`) })),
      sync: false,
      onRows: (part, rows) => progress.set(part, (progress.get(part) ?? 0) + rows),
    });
    await closed;
    assert.ok(rowsReadInBulk() - bulkBefore > 10_000, 'the big part was read straight from the socket');
    for (const [i, n] of names.entries()) {
      const ref = reference.get(n)!;
      assert.equal(results[i].rows, ref.rows, n);
      assert.equal(results[i].size, ref.size, n);
      assert.equal(progress.get(i) ?? 0, ref.rows, `${n}: progress counts its own rows`);
      const file = join(dir, 'batch', `${n}.tsv`);
      if (ref.data === null) {
        assert.equal(existsSync(file), false, `${n}: no file`);
        assert.equal(results[i].size, 0);
      } else {
        const data = await readFile(file);
        assert.ok(data.equals(ref.data), `${n}: same bytes`);
        assert.equal(results[i].sha256, createHash('sha256').update(data).digest('hex'), n);
      }
    }
    // The connection is fine for the next query.
    const [r] = await conn.query('SELECT 1 AS one');
    assert.deepEqual(r, [{ one: 1 }]);
  });

  test('a failing statement in the batch fails the whole query, naming the error', async () => {
    const c = await connect(parseDatabaseUrl(db.url), { reuseReadBuffer: true, multipleStatements: true });
    try {
      await assert.rejects(
        dumpChunks(c, {
          parts: [
            { sql: SELECTS.users, file: join(dir, 'fail-users.tsv') },
            { sql: 'SELECT * FROM no_such_table', file: join(dir, 'fail-missing.tsv') },
            { sql: SELECTS.addons, file: join(dir, 'fail-addons.tsv') },
          ],
          sync: false,
        }),
        /no_such_table/,
      );
      assert.equal(existsSync(join(dir, 'fail-missing.tsv')), false);
      assert.equal(existsSync(join(dir, 'fail-addons.tsv')), false);
    } finally {
      c.destroy();
    }
  });

  test('a dump of many small tables sends far fewer queries than tables, and every table comes back whole', async () => {
    const many = await freshDatabase('batch_many');
    const c = await mysql.createConnection({ uri: many.url }).promise();
    try {
      for (let i = 0; i < 60; i++) {
        await c.query(`CREATE TABLE t${i} (id INT PRIMARY KEY, v VARCHAR(20)${i % 3 === 0 ? ', w DOUBLE' : ''})`);
        // Every fifth table empty, the others with i rows.
        if (i % 5 !== 0) await c.query(`INSERT INTO t${i} (id, v) SELECT seq, CONCAT('row ', seq) FROM seq_1_to_${i}`);
      }
      const store = new BackupStore(join(dir, 'backups'));
      const counted = countQueries();
      const r = await dump({ target: parseDatabaseUrl(many.url), store, name: parseBackupName('many'), jobs: 2, reporter: silentReporter });
      const selects = counted.stop();
      assert.equal(r.tables, 60);
      assert.ok(selects.queries < 20, `${selects.queries} queries for 60 tables`);
      assert.equal(selects.statements, 60, 'one SELECT per table');
      for (const t of r.manifest.tables) {
        const i = Number(t.name.slice(1));
        assert.equal(t.rows, i % 5 === 0 ? 0 : i, t.name);
        assert.equal(t.files.length, i % 5 === 0 ? 0 : 1, t.name);
      }
      const files = await readdir(join(dir, 'backups', 'many', 'data'));
      assert.equal(files.length, 48);
      const t7 = await readFile(join(dir, 'backups', 'many', 'data', 't7.00000.tsv'), 'utf8');
      assert.equal(t7.split('\n').filter(Boolean).length, 7);
      assert.match(t7, /^1\trow 1\n/);
    } finally {
      await c.end();
      await many.drop();
    }
  });
});

/** Counts the row queries the dump's connections send from now on: queries, and SELECT statements in them. */
function countQueries(): { stop(): { queries: number; statements: number } } {
  const proto = (mysql as unknown as { Connection: { prototype: { query: (...a: unknown[]) => unknown } } }).Connection.prototype;
  const original = proto.query;
  let queries = 0;
  let statements = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const sql = typeof args[0] === 'string' ? args[0] : ((args[0] as { sql?: string })?.sql ?? '');
    const selects = sql.split(';\n').filter((s) => /^SELECT .* FROM `batch_many/.test(s)).length;
    if (selects > 0) {
      queries++;
      statements += selects;
    }
    return original.apply(this, args);
  };
  return {
    stop() {
      proto.query = original;
      return { queries, statements };
    },
  };
}
