import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConnections, serverHeadroom } from '../../src/load/connection-budget.js';

test('a tiny backup gets no more connections than it has work for, whatever --jobs says', () => {
  assert.deepEqual(loadConnections(1000, 3, 500), { count: 3, limitedBy: 'backup' });
  assert.deepEqual(loadConnections(4, 0, 500), { count: 1, limitedBy: 'backup' });
});

test("the server's free connections bound the count", () => {
  assert.deepEqual(loadConnections(1000, 5000, 40), { count: 40, limitedBy: 'server' });
  assert.deepEqual(loadConnections(8, 100, -3), { count: 1, limitedBy: 'server' });
});

test('a request within both limits is taken as it is', () => {
  assert.deepEqual(loadConnections(2, 10, 100), { count: 2 });
  assert.deepEqual(loadConnections(0, 10, 100), { count: 1 });
});

test('headroom keeps a margin and honours a per-user limit', () => {
  assert.equal(serverHeadroom({ maxConnections: 151, connected: 9, maxUserConnections: 0, userConnected: 3 }), 140);
  assert.equal(serverHeadroom({ maxConnections: 151, connected: 9, maxUserConnections: 10, userConnected: 3 }), 6);
});
