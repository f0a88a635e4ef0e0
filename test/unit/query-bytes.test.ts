import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lostByMysql2 } from '../../src/mysql/packet-boundary.js';
import { STATEMENT_HEADROOM, statementPacket } from '../../src/mysql/query-bytes.js';

// Its own memory (not Node's shared pool), so "the same memory" below means no copy was made.
const statement = (sql: Buffer) => {
  const buf = Buffer.allocUnsafeSlow(STATEMENT_HEADROOM + sql.length).fill(0xee, 0, STATEMENT_HEADROOM);
  sql.copy(buf, STATEMENT_HEADROOM);
  return buf;
};

test('the packet is the command bytes mysql2 chose, then the statement bytes unchanged, in the caller buffer', () => {
  const sql = Buffer.from("SELECT _binary'\xe9\x00' AS v", 'latin1');
  for (const command of [[0x03], [0x03, 0x00, 0x01]]) {
    const empty = Buffer.from([0, 0, 0, 0, ...command]);
    const buf = statement(sql);
    const packet = statementPacket(empty, buf);
    assert.deepEqual([...packet.subarray(4, 4 + command.length)], command);
    assert.deepEqual(packet.subarray(4 + command.length), sql);
    assert.equal(packet.buffer, buf.buffer, 'no copy of the statement');
    assert.equal(packet.byteOffset + packet.length, buf.byteOffset + buf.length, 'the statement bytes themselves');
  }
});

test('a statement mysql2 would frame wrongly gets trailing spaces', () => {
  const MAX = 0xffffff;
  const sql = Buffer.alloc(MAX - 2 - 1, 0x61); // payload with the command byte: MAX - 2, a lost length
  assert.ok(lostByMysql2(1 + sql.length));
  const packet = statementPacket(Buffer.from([0, 0, 0, 0, 0x03]), statement(sql));
  assert.ok(!lostByMysql2(packet.length - 4));
  assert.deepEqual(packet.subarray(5, 5 + sql.length), sql);
  assert.match(packet.subarray(5 + sql.length).toString(), /^ +$/);
});

test('a packet that is not a plain query is refused, not sent', () => {
  assert.throws(() => statementPacket(Buffer.from([0, 0, 0, 0, 0x16]), statement(Buffer.from('SELECT 1'))), /not supported/);
  assert.throws(() => statementPacket(Buffer.from([0, 0, 0, 0]), statement(Buffer.from('SELECT 1'))), /not supported/);
});
