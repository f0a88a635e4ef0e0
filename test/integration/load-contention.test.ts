// Many chunks of the same tables loaded at once over several connections: InnoDB may choose one of
// the colliding statements as a deadlock victim, and the load must ride that out, not fail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { tableChecksums } from '../support/fixtures.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { BackupStore } from '../../src/backup/store.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

describe('loading many chunks of one table at once', () => {
  let source: Db;
  let dest: Db;
  let dir: string;
  const store = () => new BackupStore(join(dir, 'backups'));

  before(async () => {
    source = await freshDatabase('contend');
    dest = await freshDatabase('contenddst');
    const c = await mysql.createConnection({ uri: source.url });
    for (const t of ['a', 'b', 'c']) {
      await c.query(`CREATE TABLE ${t} (id INT NOT NULL PRIMARY KEY, v VARCHAR(40) NOT NULL, KEY by_v (v)) ENGINE=InnoDB`);
      await c.query(`INSERT INTO ${t} (id, v) VALUES ${Array.from({ length: 2000 }, (_, i) => `(${i + 1}, 'value ${t} ${i}')`).join(', ')}`);
    }
    await c.end();
    dir = await mkdtemp(join(tmpdir(), 'olympia-contend-'));
    // Tiny chunks: each table becomes a dozen files that the loaders pick up side by side.
    const d = await dump({ target: parseDatabaseUrl(source.url), store: store(), name: parseBackupName('chunks'), jobs: 2, chunkBytes: 4096, reporter: silentReporter });
    assert.ok(
      d.manifest.tables.every((t) => t.files.length >= 4),
      'every table was dumped in several chunks',
    );
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const method of ['auto', 'insert'] as const) {
    test(`every load succeeds and matches the source (${method === 'auto' ? 'LOAD DATA' : 'INSERT'}, 6 connections, 40 rounds)`, async () => {
      const expected = await tableChecksums(source.url);
      for (let round = 0; round < 40; round++) {
        await load({ target: parseDatabaseUrl(dest.url), store: store(), name: parseBackupName('chunks'), jobs: 6, method, reporter: silentReporter });
        assert.deepEqual(await tableChecksums(dest.url), expected, `round ${round}`);
      }
    });
  }
});
