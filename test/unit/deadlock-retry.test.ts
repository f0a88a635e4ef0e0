import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryOnDeadlock } from '../../src/load/deadlock-retry.js';

const lockError = (code: string) => Object.assign(new Error(code), { code });

test('a deadlock victim is run again until it goes through', async () => {
  let calls = 0;
  const result = await retryOnDeadlock(async () => {
    calls++;
    if (calls < 3) throw lockError(calls === 1 ? 'ER_LOCK_DEADLOCK' : 'ER_LOCK_WAIT_TIMEOUT');
    return 'loaded';
  });
  assert.equal(result, 'loaded');
  assert.equal(calls, 3);
});

test('other errors are not retried', async () => {
  let calls = 0;
  await assert.rejects(
    retryOnDeadlock(async () => {
      calls++;
      throw lockError('ER_NO_SUCH_TABLE');
    }),
    /ER_NO_SUCH_TABLE/,
  );
  assert.equal(calls, 1);
});

test('a statement that keeps deadlocking fails after the last attempt', async () => {
  let calls = 0;
  await assert.rejects(
    retryOnDeadlock(async () => {
      calls++;
      throw lockError('ER_LOCK_DEADLOCK');
    }, 3),
    /ER_LOCK_DEADLOCK/,
  );
  assert.equal(calls, 3);
});
