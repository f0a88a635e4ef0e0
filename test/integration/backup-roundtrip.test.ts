import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase } from '../harness/mariadb.js';
import { schemaObjects, seedBigTable, seedTypes, snapshotData, tableChecksums } from '../support/fixtures.js';
import { stagingNames } from '../../src/load/swap-database.js';
import { loadAccountName } from '../../src/load/accounts.js';
import { rowsReadInBulk } from '../../src/dump/table-dump.js';
import { dump } from '../../src/dump/dump-database.js';
import { load } from '../../src/load/load-backup.js';
import { BackupStore } from '../../src/backup/store.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { silentReporter } from '../../src/core/reporter.js';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { serverFlavor } from '../../src/mysql/server-flavor.js';
import { statementGuard } from '../../src/load/confinement.js';
import { stageManifestBackup } from '../../src/load/stage-manifest-backup.js';

describe('dump then load', () => {
  let source: Awaited<ReturnType<typeof freshDatabase>>;
  let dest: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  before(async () => {
    source = await freshDatabase('src');
    dest = await freshDatabase('dst');
    await seedTypes(source.url);
    dir = await mkdtemp(join(tmpdir(), 'olympia-rt-'));
  });
  after(async () => {
    await source.drop();
    await dest.drop();
  });

  test('every type round-trips exactly, with views, triggers, keys and storage', async () => {
    const store = new BackupStore(join(dir, 'backups'));
    const storage = join(dir, 'storage');
    await mkdir(join(storage, 'addons', '1'), { recursive: true });
    await writeFile(join(storage, 'addons', '1', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    await writeFile(join(storage, 'readme.txt'), 'hello');
    const name = parseBackupName('rt');
    const d = await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, storageDir: storage, reporter: silentReporter, chunkBytes: 1 });
    assert.equal(d.tables, 3);
    assert.ok((await readdir(join(dir, 'backups', 'rt'))).includes('manifest.json'));
    // An empty table, or an empty range of a split one, writes no file.
    const empty = d.manifest.tables.find((t) => t.name === 'empty_table')!;
    assert.deepEqual([empty.rows, empty.files], [0, []]);
    const files = await readdir(join(dir, 'backups', 'rt', 'data'));
    assert.equal(files.filter((f) => f.startsWith('empty_table.')).length, 0);
    assert.deepEqual(files.sort(), d.manifest.tables.flatMap((t) => t.files.map((f) => f.path.slice('data/'.length))).sort());
    for (const f of d.manifest.tables.flatMap((t) => t.files)) assert.ok(f.size > 0 && f.rows > 0, f.path);

    const destStorage = join(dir, 'dest-storage');
    await mkdir(destStorage);
    await writeFile(join(destStorage, 'stale.txt'), 'old');
    const l = await load({ target: parseDatabaseUrl(dest.url), store, name, jobs: 2, storageDir: destStorage, reporter: silentReporter });
    assert.equal(l.rows, d.rows);
    assert.deepEqual(await snapshotData(dest.url), await snapshotData(source.url));
    assert.deepEqual(await readdir(destStorage, { recursive: true }).then((f) => f.sort()), ['addons', 'addons/1', 'addons/1/icon.png', 'readme.txt']);
    assert.deepEqual(await readFile(join(destStorage, 'addons', '1', 'icon.png')), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));

    const c = await mysql.createConnection({ uri: dest.url });
    const [view] = await c.query('SELECT COUNT(*) AS n FROM public_addons');
    assert.equal(Number((view as { n: number }[])[0].n), 2);
    await c.query("INSERT INTO addons (slug) VALUES ('UPPER')");
    const [lower] = await c.query("SELECT slug FROM addons WHERE slug = 'upper' COLLATE utf8mb4_bin");
    assert.equal((lower as unknown[]).length, 1, 'the trigger came back');
    const [fk] = await c.query(`SELECT CONSTRAINT_NAME AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`);
    assert.deepEqual(
      (fk as { n: string }[]).map((r) => r.n),
      ['addons_author_fk'],
    );
    const [emptyBack] = await c.query('SELECT COUNT(*) AS n FROM empty_table');
    assert.equal(Number((emptyBack as { n: number }[])[0].n), 0, 'the empty table is created from its definition alone');
    const [idx] = await c.query(`SHOW INDEX FROM users WHERE Key_name = 'users_email'`);
    assert.equal((idx as unknown[]).length, 1, 'secondary index rebuilt');
    await assert.rejects(c.query("INSERT INTO users (email) VALUES ('a@example.com')"), /Duplicate/);
    await c.end();
  });
});

describe("MariaDB's own types and the rarer MySQL ones", () => {
  test('INET4, INET6, UUID, zero dates, BIT(64), padded BINARY, odd ENUMs and invisible columns round-trip by LOAD DATA and by INSERTs', async (t) => {
    const source = await freshDatabase('types');
    const dests = [await freshDatabase('types'), await freshDatabase('types')];
    try {
      const c = await mysql.createConnection({ uri: source.url });
      const flavor = await serverFlavor(c as unknown as Connection);
      // INET6 came in MariaDB 10.5, UUID in 10.7, INET4 in 10.10.
      if (!flavor.mariadb || flavor.version < 101000) {
        await c.end();
        return t.skip('needs MariaDB 10.10 or later');
      }
      await c.query("SET sql_mode = ''");
      await c.query(
        `CREATE TABLE odd (id INT PRIMARY KEY, i6 INET6, u UUID, i4 INET4, dz DATE, dtz DATETIME, b64 BIT(64), bn BINARY(5),
           e ENUM('','x','ü'), inv INT INVISIBLE, st INT AS (id * 2) STORED, vc VARCHAR(10))`,
      );
      await c.query(
        `INSERT INTO odd (id, i6, u, i4, dz, dtz, b64, bn, e, inv, vc) VALUES
           (1, '::1', '123e4567-e89b-12d3-a456-426614174000', '10.0.0.1', '0000-00-00', '0000-00-00 00:00:00', 18446744073709551615, X'6100', 'ü', 7, 'trail  '),
           (2, 'fe80::1:2', NULL, NULL, '2024-00-00', NULL, 0, '', '', NULL, '')`,
      );
      await c.end();
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-types-')));
      const name = parseBackupName('types');
      await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 1, reporter: silentReporter });
      const rows = async (url: string) => {
        const n = await mysql.createConnection({ uri: url });
        try {
          const [r] = await n.query(
            'SELECT id, CAST(i6 AS CHAR) i6, CAST(u AS CHAR) u, CAST(i4 AS CHAR) i4, CAST(dz AS CHAR) dz, CAST(dtz AS CHAR) dtz, HEX(b64) b64, HEX(bn) bn, HEX(e) e, inv, st, HEX(vc) vc FROM odd ORDER BY id',
          );
          return r;
        } finally {
          await n.end();
        }
      };
      const expected = await rows(source.url);
      assert.equal((expected as { i6: string }[])[0].i6, '::1');
      for (const [i, method] of (['auto', 'insert'] as const).entries()) {
        await load({ target: parseDatabaseUrl(dests[i].url), store, name, jobs: 1, reporter: silentReporter, method });
        assert.deepEqual(await rows(dests[i].url), expected, method);
      }
    } finally {
      await source.drop();
      for (const d of dests) await d.drop();
    }
  });
});

describe('character sets', () => {
  test('latin1, greek and utf8mb4 columns keep their exact bytes', async () => {
    const source = await freshDatabase('cs');
    const dest = await freshDatabase('cs');
    try {
      const c = await mysql.createConnection({ uri: source.url, charset: 'utf8mb4' });
      await c.query('CREATE TABLE legacy (id INT PRIMARY KEY, l VARCHAR(20) CHARACTER SET latin1, u VARCHAR(20) CHARACTER SET utf8mb4, g TEXT CHARACTER SET greek)');
      await c.query("INSERT INTO legacy VALUES (1, 'café ü', 'café 🦊', 'αβγ'), (2, NULL, '', '')");
      await c.end();
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-cs-')));
      const name = parseBackupName('cs');
      await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, reporter: silentReporter });
      await load({ target: parseDatabaseUrl(dest.url), store, name, jobs: 2, reporter: silentReporter });
      const loaded = await snapshotData(dest.url);
      assert.deepEqual(loaded, await snapshotData(source.url));
      assert.equal(loaded.legacy[0], '1|636166E920FC|636166C3A920F09FA68A|E1E2E3', 'latin1 é is one byte E9, greek α is E1');
    } finally {
      await source.drop();
      await dest.drop();
    }
  });
});

describe('loading without LOAD DATA (server with local_infile off)', () => {
  test('INSERTs give exactly the same data as LOAD DATA', async () => {
    const source = await freshDatabase('ins');
    const dests = [await freshDatabase('ins'), await freshDatabase('ins')];
    try {
      await seedTypes(source.url);
      const c = await mysql.createConnection({ uri: source.url, charset: 'utf8mb4' });
      await c.query("CREATE TABLE legacy (id INT PRIMARY KEY, l VARCHAR(20) CHARACTER SET latin1, e ENUM('a','ü') CHARACTER SET latin1, d DATE, y YEAR)");
      await c.query("INSERT INTO legacy VALUES (1, 'café', 'ü', '2024-02-29', 2024), (2, NULL, NULL, NULL, NULL)");
      // Geometries travel as their internal bytes (1.5 holds a byte 0xF8).
      await c.query('CREATE TABLE shapes (id INT PRIMARY KEY, p POINT, g GEOMETRY)');
      await c.query("INSERT INTO shapes VALUES (1, ST_GeomFromText('POINT(1.5 2.25)'), ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0.5)')), (2, NULL, NULL)");
      // Numbers: extremes, zerofill, and FLOATs whose value has more digits than they print.
      await c.query('CREATE TABLE nums (id INT PRIMARY KEY, d DOUBLE, f FLOAT, m DECIMAL(30,10), u BIGINT UNSIGNED, s SMALLINT(4) ZEROFILL, n INT)');
      await c.query(
        `INSERT INTO nums VALUES (1, -0e0, -0e0, -0.0000000001, 18446744073709551615, 7, -2147483648),
           (2, 1.7976931348623157e308, 3.4e38, 12345678901234567890.1234567890, 0, 0, 2147483647),
           (3, 2.2250738585072014e-308, 1.17549435e-38, -1, 1, 65535, 0), (4, 0.1, 0.1, 0.1, 42, NULL, NULL), (5, 1/3, 1/3, 1/3, 5, 5, 5)`,
      );
      await c.end();
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-ins-')));
      const name = parseBackupName('ins');
      await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, reporter: silentReporter, chunkBytes: 1 });
      // HEX() of a DOUBLE or FLOAT is its integer part: the numbers are compared as DOUBLE text, with the table checksums.
      const numbers = async (url: string) => {
        const n = await mysql.createConnection({ uri: url });
        try {
          const [rows] = await n.query('SELECT id, CAST(d AS CHAR) AS d, f + 0e0 AS f, CAST(m AS CHAR) AS m, CAST(u AS CHAR) AS u, CAST(s AS CHAR) AS s, n FROM nums ORDER BY id');
          const [sum] = await n.query('CHECKSUM TABLE nums');
          return { rows, checksum: (sum as { Checksum: unknown }[])[0].Checksum };
        } finally {
          await n.end();
        }
      };
      const expected = { data: await snapshotData(source.url), numbers: await numbers(source.url) };
      // A FLOAT's value, not the six digits it prints as.
      assert.equal((expected.numbers.rows as { f: number }[])[4].f, 0.3333333432674408);
      for (const [i, method] of (['insert', 'auto'] as const).entries()) {
        await load({ target: parseDatabaseUrl(dests[i].url), store, name, jobs: 2, reporter: silentReporter, method });
        assert.deepEqual({ data: await snapshotData(dests[i].url), numbers: await numbers(dests[i].url) }, expected, method);
      }
    } finally {
      await source.drop();
      for (const d of dests) await d.drop();
    }
  });
});

describe('LOAD DATA refused once the load has begun', () => {
  test('the refused file and the rest go as INSERTs, with one warning, and the data is exact', async () => {
    const source = await freshDatabase('refused');
    const stage = await freshDatabase('refused');
    const workers: Connection[] = [];
    try {
      await seedTypes(source.url);
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-refused-')));
      const name = parseBackupName('refused');
      await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, reporter: silentReporter, chunkBytes: 1 });
      const backup = await store.find(name);
      // The server has local_infile on, so the load starts with LOAD DATA; connections that do not
      // offer local files get it refused the way a server whose local_infile was just turned off does.
      for (let i = 0; i < 2; i++) {
        const w = await connect(parseDatabaseUrl(stage.url), { noLocalFiles: true });
        await w.query('SET foreign_key_checks = 0');
        workers.push(w);
      }
      const warnings: string[] = [];
      const guard = statementGuard(
        'checked',
        await serverFlavor(workers[0]),
        backup.manifest!.tables.map((t) => t.name),
      );
      await stageManifestBackup({ dir: backup.path, manifest: backup.manifest!, workers, guard, reporter: { info() {}, warn: (m: string) => void warnings.push(m) } });
      assert.deepEqual(warnings, ['The server stopped taking LOAD DATA LOCAL during the load (its local_infile was turned off), so the rest of the rows go as INSERT statements.']);
      assert.deepEqual(await snapshotData(stage.url), await snapshotData(source.url));
    } finally {
      await Promise.all(workers.map((w) => w.end()));
      await source.drop();
      await stage.drop();
    }
  });
});

describe('rows of 16 MB and more', () => {
  test('arrive in several protocol packets and round-trip byte for byte, next to small rows, by LOAD DATA and by INSERTs', { timeout: 180_000 }, async () => {
    const source = await freshDatabase('huge');
    const dest = await freshDatabase('huge');
    const byInserts = await freshDatabase('huge');
    try {
      const c = await mysql.createConnection({ uri: source.url });
      await c.query('CREATE TABLE blobs (id INT NOT NULL PRIMARY KEY, data LONGBLOB NOT NULL, note VARCHAR(20))');
      // 16 MB - 1 is the largest single packet; the rows around it take one, two and three.
      const sizes = [(16 << 20) - 40, 16 << 20, (33 << 20) + 7];
      for (const [i, size] of sizes.entries()) {
        const data = Buffer.alloc(size);
        for (let j = 0; j < size; j += 4099) data[j] = (j * 31 + i) & 0xff; // sparse, with TAB/LF/NUL/backslash among them
        await c.query('INSERT INTO blobs VALUES (?, ?, ?)', [i * 10, data, `row ${i}`]);
        await c.query('INSERT INTO blobs VALUES (?, ?, ?)', [i * 10 + 1, Buffer.from([0x5c, 0x09, 0x0a, 0x00]), null]);
      }
      const checksum = async (url: string) => {
        const k = await mysql.createConnection({ uri: url });
        const [rows] = await k.query('SELECT id, LENGTH(data) AS n, SHA2(data, 256) AS h, note FROM blobs ORDER BY id');
        await k.end();
        return rows;
      };
      await c.end();
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-huge-')));
      const name = parseBackupName('huge');
      await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 2, reporter: silentReporter });
      await load({ target: parseDatabaseUrl(dest.url), store, name, jobs: 2, reporter: silentReporter });
      assert.deepEqual(await checksum(dest.url), await checksum(source.url));
      // As the INSERTs are written now, the first row's (in hex) is 3 bytes short of two full packets:
      // a length mysql2 alone loses (src/mysql/packet-boundary.ts).
      await load({ target: parseDatabaseUrl(byInserts.url), store, name, jobs: 2, method: 'insert', reporter: silentReporter });
      assert.deepEqual(await checksum(byInserts.url), await checksum(source.url));
    } finally {
      await source.drop();
      await dest.drop();
      await byInserts.drop();
    }
  });
});

describe('many rows over one connection (the fast row path)', () => {
  test('rows read straight from the socket chunks round-trip exactly, across many 1 MB writes', { timeout: 120_000 }, async () => {
    const source = await freshDatabase('bulk');
    const dest = await freshDatabase('bulk');
    try {
      // ~10 MB: many socket chunks and 1 MB flushes; a table with NULLs, escapes and binary next to it.
      await seedBigTable(source.url, 'many', 60_000);
      await seedTypes(source.url);
      // Fresh statistics: the chunks are planned from the table's size.
      const c = await mysql.createConnection({ uri: source.url });
      await c.query('ANALYZE TABLE many');
      await c.end();
      const store = new BackupStore(await mkdtemp(join(tmpdir(), 'olympia-bulk-')));
      const name = parseBackupName('bulk');
      const before = rowsReadInBulk();
      // One connection, on this thread, so the count above sees its rows; chunks of ~2 MB, so one
      // encoder serves several results in turn.
      const r = await dump({ target: parseDatabaseUrl(source.url), store, name, jobs: 1, chunkBytes: 2 << 20, reporter: silentReporter });
      const files = r.manifest.tables.find((t) => t.name === 'many')!.files.length;
      assert.ok(files >= 3, `${files} files`);
      const bulk = rowsReadInBulk() - before;
      assert.ok(bulk >= 0.9 * 60_000, `${bulk} of ${r.rows} rows took the fast path`);
      await load({ target: parseDatabaseUrl(dest.url), store, name, jobs: 2, reporter: silentReporter });
      assert.deepEqual(await tableChecksums(dest.url), await tableChecksums(source.url));
      assert.deepEqual(await snapshotData(dest.url), await snapshotData(source.url));
    } finally {
      await source.drop();
      await dest.drop();
    }
  });
});

describe('a load into an empty database', () => {
  test('fills it directly, and one that fails midway leaves it empty, with nothing of the load left', async () => {
    const source = await freshDatabase('fillsrc');
    const dest = await freshDatabase('filldest');
    const dir = await mkdtemp(join(tmpdir(), 'olympia-fill-'));
    try {
      await seedTypes(source.url);
      const store = new BackupStore(join(dir, 'backups'));
      await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('good'), jobs: 2, reporter: silentReporter });
      const said: string[] = [];
      const reporter = { ...silentReporter, info: (m: string) => said.push(m), warn: (m: string) => said.push(m) };
      await load({ target: parseDatabaseUrl(dest.url), store, name: parseBackupName('good'), jobs: 2, reporter });
      assert.ok(
        said.some((m) => /straight into the empty/.test(m)),
        said.join('\n'),
      );
      assert.deepEqual(await snapshotData(dest.url), await snapshotData(source.url));
      assert.deepEqual(await schemaObjects(dest.url), await schemaObjects(source.url), 'views and triggers too');

      // A copy whose manifest promises one row more than its users file holds: the fill's row check fails.
      await cp(join(dir, 'backups', 'good'), join(dir, 'backups', 'short'), { recursive: true });
      const path = join(dir, 'backups', 'short', 'manifest.json');
      const manifest = JSON.parse(await readFile(path, 'utf8'));
      manifest.name = 'short';
      const users = manifest.tables.find((t: { name: string }) => t.name === 'users');
      users.rows++;
      users.files[0].rows++;
      await writeFile(path, JSON.stringify(manifest));
      const empty = await freshDatabase('fillfail');
      try {
        await assert.rejects(
          load({ target: parseDatabaseUrl(empty.url), store, name: parseBackupName('short'), jobs: 2, reporter: silentReporter }),
          /Table "users" holds \d+ rows after loading/,
        );
        assert.deepEqual(await snapshotData(empty.url), {}, 'the database is empty again');
        assert.deepEqual(await schemaObjects(empty.url), { views: [], triggers: [] });
        const c = await mysql.createConnection({ uri: empty.url });
        const { stage, old, journal } = stagingNames(empty.name);
        const [left] = await c.query('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', [[stage, old, journal]]);
        const [accounts] = await c.query('SELECT User FROM mysql.user WHERE User = ?', [loadAccountName(empty.name)]);
        await c.end();
        assert.deepEqual([left, accounts], [[], []], 'no staging or journal database, no load account');
      } finally {
        await empty.drop();
      }

      // Into a database that does not exist: the load creates it, and its failure leaves none.
      const missing = await freshDatabase('fillnone');
      await missing.drop();
      try {
        await assert.rejects(
          load({ target: parseDatabaseUrl(missing.url), store, name: parseBackupName('short'), jobs: 2, reporter: silentReporter }),
          /Table "users" holds \d+ rows after loading/,
        );
        const c = await mysql.createConnection({ uri: source.url });
        const { stage, old, journal } = stagingNames(missing.name);
        const [left] = await c.query('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', [[missing.name, stage, old, journal]]);
        await c.end();
        assert.deepEqual(left, [], 'no database is left where there was none');
      } finally {
        await missing.drop();
      }
    } finally {
      await source.drop();
      await dest.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('that fails because another client made one of its tables or views meanwhile drops only what it made', async () => {
    const source = await freshDatabase('fillsrc');
    const dir = await mkdtemp(join(tmpdir(), 'olympia-fill-'));
    // Found empty, then, before the fill creates it, another client makes a table (with a row) or a
    // view the backup has; the fill's CREATE of it fails.
    const clashes = [
      {
        made: ['CREATE TABLE addons (id INT NOT NULL PRIMARY KEY, mine VARCHAR(10) NOT NULL)', "INSERT INTO addons VALUES (1, 'theirs')"],
        error: /addons/,
        left: [{ t: 'addons', kind: 'BASE TABLE' }],
      },
      { made: ["CREATE VIEW public_addons AS SELECT 'theirs' AS mine"], error: /public_addons/, left: [{ t: 'public_addons', kind: 'VIEW' }] },
    ];
    try {
      await seedTypes(source.url);
      const store = new BackupStore(join(dir, 'backups'));
      await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('good'), jobs: 2, reporter: silentReporter });
      for (const clash of clashes) {
        const dest = await freshDatabase('fillclash');
        try {
          const other = async () => {
            const c = await mysql.createConnection({ uri: dest.url });
            for (const sql of clash.made) await c.query(sql);
            await c.end();
          };
          await assert.rejects(
            load({ target: parseDatabaseUrl(dest.url), store, name: parseBackupName('good'), jobs: 2, reporter: silentReporter, beforeSwap: other }),
            clash.error,
          );
          const c = await mysql.createConnection({ uri: dest.url });
          const [objects] = await c.query('SELECT TABLE_NAME AS t, TABLE_TYPE AS kind FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
          const [rows] = await c.query(`SELECT mine FROM ${clash.left[0].t}`);
          const { stage, old, journal } = stagingNames(dest.name);
          const [left] = await c.query('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?)', [[stage, old, journal]]);
          await c.end();
          assert.deepEqual(objects, clash.left, "what the fill made is gone; the other client's stays");
          assert.deepEqual(rows, [{ mine: 'theirs' }], 'and still reads the same');
          assert.deepEqual(left, [], 'no staging or journal database');
        } finally {
          await dest.drop();
        }
      }
    } finally {
      await source.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('a backup directory whose path holds a quote and a backslash loads by LOAD DATA', async () => {
  const source = await freshDatabase('quotesrc');
  const dest = await freshDatabase('quotedst');
  const dir = await mkdtemp(join(tmpdir(), "olympia-o'q\\b-"));
  try {
    await seedTypes(source.url);
    const store = new BackupStore(join(dir, 'backups'));
    await dump({ target: parseDatabaseUrl(source.url), store, name: parseBackupName('q'), jobs: 2, reporter: silentReporter });
    // The harness's server has local_infile on: the load names each file in a LOAD DATA statement.
    await load({ target: parseDatabaseUrl(dest.url), store, name: parseBackupName('q'), jobs: 2, reporter: silentReporter });
    assert.deepEqual(await snapshotData(dest.url), await snapshotData(source.url));
  } finally {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  }
});
