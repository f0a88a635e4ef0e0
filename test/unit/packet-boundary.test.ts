import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avoidLostFrames, lostByMysql2 } from '../../src/mysql/packet-boundary.js';

const MAX = 0xffffff;

test('the payloads mysql2 frames wrongly: the last 3 bytes short of each full frame', () => {
  const lost = [MAX - 3, MAX - 2, MAX - 1, 2 * MAX - 3, 2 * MAX - 1, 5 * MAX - 2];
  const fine = [1, 1000, MAX - 4, MAX, MAX + 1, 2 * MAX - 4, 2 * MAX, 5 * MAX + 3];
  for (const n of lost) assert.equal(lostByMysql2(n), true, String(n));
  for (const n of fine) assert.equal(lostByMysql2(n), false, String(n));
});

test('a statement that would be framed wrongly gets trailing spaces, in every encoding; others go as they are', () => {
  const short = 'SELECT 1';
  assert.equal(avoidLostFrames(short), short);
  for (const total of [MAX - 3, MAX - 1, 2 * MAX - 3, 2 * MAX - 5, MAX + 7]) {
    for (const header of [1, 3]) {
      // ASCII: as many bytes as chars.
      const ascii = 'S'.repeat(total - header);
      const out = avoidLostFrames(ascii);
      // Lengths compared, not the strings: a failure should not print 32 MB.
      assert.ok(out.startsWith(ascii) && /^ *$/.test(out.slice(ascii.length)), 'only spaces are added');
      for (const h of [1, 3]) {
        assert.equal(lostByMysql2(h + Buffer.byteLength(out)), false, `${total} utf8 +${h}`);
        assert.equal(lostByMysql2(h + out.length), false, `${total} latin1 +${h}`);
      }
      const atRisk = [1, 3].some((h) => lostByMysql2(h + ascii.length));
      assert.equal(out.length > ascii.length, atRisk, `${total}: padded only when at risk`);
    }
  }
  // Multi-byte text: UTF-8 and one-byte-per-char lengths differ, and both are kept clear.
  const mixed = 'é'.repeat((MAX - 3) / 2 - 1) + 'ab';
  const out = avoidLostFrames(mixed);
  for (const h of [1, 3]) {
    assert.equal(lostByMysql2(h + Buffer.byteLength(out)), false);
    assert.equal(lostByMysql2(h + out.length), false);
  }
});
