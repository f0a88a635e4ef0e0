// The benchmark's catalogue generator and measurement against the real test server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE_TABLES, catalogueDatabase, dropCatalogue, ensureCatalogue, MARKER_TABLE } from '../../bench/catalogue.js';
import { runMeasured } from '../../bench/measure.js';
import { checkLoad, checksums, connectServer, type Conn } from '../../bench/server.js';
import { ensureMariaDB } from '../harness/mariadb.js';

// Small enough for one batch; a scale nobody benchmarks at, since its cache is dropped here.
const SCALE = 7;

describe('bench catalogue', () => {
  let url: string;
  let conn: Conn;
  const db = catalogueDatabase(SCALE);
  before(async () => {
    url = await ensureMariaDB();
    conn = await connectServer(url);
  });
  after(async () => {
    await dropCatalogue(url, SCALE);
    await conn.end();
  });

  test('generates a dozen related tables with every kind of data the dump must carry', async () => {
    const cat = await ensureCatalogue(url, SCALE, { fresh: true, log: () => undefined });
    assert.equal(cat.reused, false);
    assert.deepEqual([...cat.rows.keys()].sort(), [...CATALOGUE_TABLES, MARKER_TABLE].sort());
    for (const t of CATALOGUE_TABLES) assert.ok(cat.rows.get(t)! > 0, `${t} has rows`);
    assert.ok(cat.bytes > SCALE * 1e6, 'at least the target size');

    // Every foreign key points at an existing row.
    const [fks] = await conn.query(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
      [db],
    );
    assert.ok((fks as unknown[]).length >= 15);
    for (const { t, c, rt, rc } of fks as { t: string; c: string; rt: string; rc: string }[]) {
      const [r] = await conn.query(
        `SELECT COUNT(*) AS n FROM \`${db}\`.\`${t}\` x LEFT JOIN \`${db}\`.\`${rt}\` p ON p.\`${rc}\` = x.\`${c}\` WHERE x.\`${c}\` IS NOT NULL AND p.\`${rc}\` IS NULL`,
      );
      assert.equal(Number((r as { n: string }[])[0].n), 0, `${t}.${c} → ${rt}.${rc} has orphans`);
    }

    const one = async (sql: string) => Number(((await conn.query(sql))[0] as { n: string }[])[0].n);
    assert.ok((await one(`SELECT COUNT(*) AS n FROM \`${db}\`.translations WHERE HEX(localized_string) LIKE '%F09FA68A%'`)) > 0, '4-byte characters (🦊)');
    assert.ok(
      (await one(`SELECT COUNT(*) AS n FROM \`${db}\`.translations WHERE LOCATE(CHAR(9), localized_string) > 0 AND LOCATE(CHAR(92), localized_string) > 0`)) > 0,
      'tabs and backslashes',
    );
    assert.ok((await one(`SELECT COUNT(*) AS n FROM \`${db}\`.translations WHERE LENGTH(localized_string) > 16000`)) > 0, 'long TEXT stored off-page');
    assert.ok((await one(`SELECT COUNT(*) AS n FROM \`${db}\`.file_blobs WHERE LOCATE(UNHEX('00'), data) > 0`)) > 0, 'binary with NUL bytes');
    assert.ok((await one(`SELECT COUNT(*) AS n FROM \`${db}\`.activity_log WHERE JSON_VALID(arguments) AND JSON_EXTRACT(details, '$.files[1]') IS NOT NULL`)) > 0, 'JSON');
    assert.ok(
      (await one(`SELECT COUNT(*) AS n FROM \`${db}\`.users WHERE display_name IS NULL`)) > 0 &&
        (await one(`SELECT COUNT(*) AS n FROM \`${db}\`.users WHERE display_name = ''`)) > 0,
      'NULL and empty strings',
    );
    const [sec] = await conn.query(`SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME <> 'PRIMARY'`, [
      db,
    ]);
    assert.ok(Number((sec as { n: string }[])[0].n) >= 20, 'secondary indexes');
  });

  test('is cached between runs and regenerates identically', async () => {
    const first = await checksums(conn, db, CATALOGUE_TABLES);
    const cached = await ensureCatalogue(url, SCALE, { log: () => undefined });
    assert.equal(cached.reused, true);
    const again = await ensureCatalogue(url, SCALE, { fresh: true, log: () => undefined });
    assert.equal(again.reused, false);
    assert.deepEqual(await checksums(conn, db, CATALOGUE_TABLES), first);
  });

  test('the load check passes on equal data and names the table that lost a row', async () => {
    const cat = await ensureCatalogue(url, SCALE, { log: () => undefined });
    assert.deepEqual(await checkLoad(conn, db, { rows: cat.rows }), { ok: true, problems: [] });
    const expected = new Map(cat.rows);
    expected.set('reviews', cat.rows.get('reviews')! + 1);
    const check = await checkLoad(conn, db, { rows: expected });
    assert.equal(check.ok, false);
    assert.deepEqual(check.problems, [`reviews: rows ${cat.rows.get('reviews')}, source ${cat.rows.get('reviews')! + 1}`]);
  });
});

describe('bench measurement', () => {
  test('reads the peak memory and exit status of a child process', async () => {
    const big = await runMeasured({ command: process.execPath, args: ['-e', 'const b = Buffer.alloc(150e6, 1); console.log(b[5])'] });
    assert.equal(big.exitCode, 0);
    assert.equal(big.stdout.trim(), '1');
    assert.ok(big.peakRss! > 150e6, `peak ${big.peakRss}`);
    const small = await runMeasured({ command: process.execPath, args: ['-e', 'process.stderr.write("nope"); process.exit(3)'] });
    assert.equal(small.exitCode, 3);
    assert.equal(small.stderr, 'nope');
    assert.ok(small.peakRss! < big.peakRss! - 100e6);
  });
});
