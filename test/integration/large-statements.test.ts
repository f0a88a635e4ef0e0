// Statements longer than one protocol packet, of the lengths mysql2 frames wrongly on its own
// (src/mysql/packet-boundary.ts): through our connections they run, and the connection stays usable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Connection } from '../../src/mysql/connect.js';
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
