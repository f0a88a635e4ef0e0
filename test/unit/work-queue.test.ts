import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runQueue } from '../../src/core/work-queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('tasks added while others run are picked up by idle workers, urgent ones first', async () => {
  const done: string[] = [];
  const busy = new Set<number>();
  let overlap = false;
  await runQueue([0, 1], ['load a', 'load b', 'load c'], async (w, task, queue) => {
    if (busy.has(w)) overlap = true;
    busy.add(w);
    await tick(task === 'load a' ? 30 : 5);
    done.push(task);
    if (task.startsWith('load')) queue.add(`index ${task.slice(5)}`, true);
    busy.delete(w);
  });
  assert.equal(overlap, false, 'a worker runs one task at a time');
  // b's index jumps ahead of c, which was queued before it.
  assert.deepEqual(done, ['load b', 'index b', 'load c', 'index c', 'load a', 'index a']);
});

test('a worker idle while the last running task may still add work waits for it', async () => {
  const order: string[] = [];
  await runQueue([0, 1, 2], ['slow'], async (_w, task, queue) => {
    if (task === 'slow') {
      await tick(20);
      queue.add('follow-up');
    }
    order.push(task);
  });
  assert.deepEqual(order, ['slow', 'follow-up']);
});

test('the first failure stops new tasks and is thrown; running ones finish', async () => {
  const started: string[] = [];
  let finished = 0;
  await assert.rejects(
    runQueue([0, 1], ['fail', 'long', 'c', 'd'], async (_w, task) => {
      started.push(task);
      if (task === 'fail') throw new Error('load failed');
      await tick(20);
      finished++;
    }),
    /load failed/,
  );
  assert.deepEqual(started.sort(), ['fail', 'long']);
  assert.equal(finished, 1, 'the task already running was let finish');
});

test('no tasks, no work', async () => {
  let calls = 0;
  await runQueue([0, 1], [], async () => void calls++);
  assert.equal(calls, 0);
});
