import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferWideningStatement, WIDE_SERVER_WRITES } from '../../src/mysql/server-write-buffer.js';

const defaults = { maxAllowedPacket: 16 << 20, netBufferLength: 16 << 10 };

test('the statement is a no-op whose packet (command byte + text) is the size asked for', () => {
  const s = bufferWideningStatement(WIDE_SERVER_WRITES, defaults)!;
  assert.match(s, /^DO 0 \/\* +\*\/$/);
  assert.equal(s.length + 1, WIDE_SERVER_WRITES);
});

test('never more than half of max_allowed_packet, which the server would refuse', () => {
  const s = bufferWideningStatement(WIDE_SERVER_WRITES, { maxAllowedPacket: 1 << 20, netBufferLength: 16 << 10 })!;
  assert.equal(s.length + 1, 512 << 10);
});

test('nothing to send where it would not grow the buffer', () => {
  assert.equal(bufferWideningStatement(WIDE_SERVER_WRITES, { maxAllowedPacket: 16 << 10, netBufferLength: 16 << 10 }), undefined);
  assert.equal(bufferWideningStatement(WIDE_SERVER_WRITES, { maxAllowedPacket: 64 << 20, netBufferLength: 1 << 20 }), undefined);
  assert.equal(bufferWideningStatement(2, defaults), undefined);
});
