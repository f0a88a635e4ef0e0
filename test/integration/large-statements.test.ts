// Statements longer than one protocol packet, of the lengths mysql2 frames wrongly on its own
// (src/mysql/packet-boundary.ts): through our connections they run, and the connection stays usable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Connection } from '../../src/mysql/connect.js';
import { queryBytes, STATEMENT_HEADROOM } from '../../src/mysql/query-bytes.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { freshDatabase } from '../harness/mariadb.js';

const MAX = 0xffffff;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let conn: Connection;

before(async () => {
  db = await freshDatabase('large_statements');
  conn = await connect(parseDatabaseUrl(db.url));
});
after(async () => {
  await conn?.end();
  await db?.drop();
});

test('statements ending 1 to 3 bytes short of a full packet, or of two, run and leave the connection usable', { timeout: 120_000 }, async () => {
  const pre = "SELECT LENGTH('";
  const post = "') AS n";
  // Payload = the command byte and the statement: these are the lengths mysql2 alone loses.
  for (const payload of [MAX - 3, MAX - 1, 2 * MAX - 3]) {
    const filler = payload - 1 - pre.length - post.length;
    const [rows] = await conn.query(pre + 'a'.repeat(filler) + post);
    assert.equal(Number((rows as { n: number | string }[])[0].n), filler, `payload ${payload}`);
    const [again] = await conn.query('SELECT 1 AS one');
    assert.equal(Number((again as { one: number | string }[])[0].one), 1, `after payload ${payload}`);
  }
});

test('statements sent as bytes run byte for byte, at those lengths too', { timeout: 120_000 }, async () => {
  await conn.query('CREATE TABLE bytes_in (v LONGBLOB, t VARCHAR(20) CHARACTER SET utf8mb4)');
  const pre = Buffer.from("INSERT INTO bytes_in VALUES (_binary'");
  // A byte that is not UTF-8 inside a binary literal, and text after it read as utf8mb4.
  const post = Buffer.concat([Buffer.from([0xff]), Buffer.from("', 'é🦊')")]);
  for (const payload of [1 + pre.length + post.length + 10, MAX - 3, MAX - 1, 2 * MAX - 3]) {
    const filler = payload - 1 - pre.length - post.length;
    const sql = Buffer.concat([Buffer.alloc(STATEMENT_HEADROOM), pre, Buffer.alloc(filler, 0x61), post]);
    const r = await queryBytes(conn, sql);
    assert.equal(r.affectedRows, 1, `payload ${payload}`);
    const [rows] = await conn.query('SELECT LENGTH(v) AS n, HEX(RIGHT(v, 1)) AS last, t FROM bytes_in');
    const row = (rows as { n: number | string; last: string; t: string }[])[0];
    assert.deepEqual([Number(row.n), row.last, row.t], [filler + 1, 'FF', 'é🦊'], `payload ${payload}`);
    await conn.query('DELETE FROM bytes_in');
  }
});
