import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dumpConnections,
  dumpOrder,
  dumpThreads,
  dumpThreadsToPrestart,
  integerKey,
  planChunks,
  rangeCondition,
  WIDE_WRITES_MIN_BYTES,
  widensServerWrites,
} from '../../src/dump/chunk-plan.js';

function covers(ranges: ReturnType<typeof planChunks>, min: bigint, max: bigint): void {
  assert.equal(ranges[0].from, null, 'first range is open below');
  assert.equal(ranges.at(-1)!.to, null, 'last range is open above');
  for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i].from, ranges[i - 1].to, 'ranges are contiguous');
  for (const r of ranges.slice(1)) assert.ok(r.from! > min && r.from! <= max);
}

test('a small table is one chunk', () => {
  assert.deepEqual(planChunks({ dataBytes: 1000, min: 1n, max: 50n, chunkBytes: 1 << 20 }), [{ from: null, to: null }]);
});

test('a table without an integer key is one chunk whatever its size', () => {
  assert.deepEqual(planChunks({ dataBytes: 1e10, chunkBytes: 1 << 20 }), [{ from: null, to: null }]);
});

test('a large table splits into contiguous ranges covering every key', () => {
  const ranges = planChunks({ dataBytes: 100 << 20, min: 1n, max: 1_000_000n, chunkBytes: 10 << 20 });
  assert.equal(ranges.length, 10);
  covers(ranges, 1n, 1_000_000n);
});

test('sparse keys never give more chunks than keys', () => {
  const ranges = planChunks({ dataBytes: 1e9, min: 5n, max: 7n, chunkBytes: 1 << 20 });
  assert.ok(ranges.length <= 3);
  covers(ranges, 5n, 7n);
});

test('huge key values stay exact', () => {
  const min = 9_000_000_000_000_000_000n;
  const ranges = planChunks({ dataBytes: 1e9, min, max: min + 1000n, chunkBytes: 1e8 });
  covers(ranges, min, min + 1000n);
  assert.equal(rangeCondition('`id`', ranges[1]), `\`id\` >= ${ranges[1].from} AND \`id\` < ${ranges[1].to}`);
});

test('the chunk count is capped', () => {
  assert.equal(planChunks({ dataBytes: 1e12, min: 1n, max: 10n ** 12n, chunkBytes: 1, maxChunks: 8 }).length, 8);
});

test('a dump opens no more connections than its data has chunks, and never more than --jobs', () => {
  const MB = 1 << 20;
  assert.equal(dumpConnections(5 * MB, 12, 64 * MB, 8), 1, 'a small database of a few tables: one connection');
  assert.equal(dumpConnections(0, 0, 64 * MB, 4), 1, 'an empty one still gets its connection');
  assert.equal(dumpConnections(100 * MB, 12, 64 * MB, 8), 2);
  assert.equal(dumpConnections(10_000 * MB, 12, 64 * MB, 8), 8, '--jobs caps it');
  assert.equal(dumpConnections(10_000 * MB, 12, 64 * MB, 1), 1);
  assert.equal(dumpConnections(16 * MB, 300, 64 * MB, 2), 2, 'hundreds of small tables are work too');
  assert.equal(dumpConnections(16 * MB, 300, 64 * MB, 16), 2, 'one connection per TABLES_PER_CONNECTION (160) tables');
  assert.equal(dumpConnections(16 * MB, 1000, 64 * MB, 16), 7);
});

test('the main thread serves two connections: a thread for each one past those', () => {
  assert.equal(dumpThreads(1), 0);
  assert.equal(dumpThreads(2), 0);
  assert.equal(dumpThreads(3), 1);
  assert.equal(dumpThreads(8), 6);
  assert.equal(dumpThreads(0), 0);
});

test('threads booted ahead: those of --jobs, no more than the cores can boot at once', () => {
  assert.equal(dumpThreadsToPrestart(8, 2), 0, '--jobs 8 on two cores: none ahead');
  assert.equal(dumpThreadsToPrestart(8, 4), 2);
  assert.equal(dumpThreadsToPrestart(4, 16), 2);
  assert.equal(dumpThreadsToPrestart(1, 16), 0);
  assert.equal(dumpThreadsToPrestart(8, 0), 0);
});

const columns = [
  { name: 'id', dataType: 'bigint' },
  { name: 'code', dataType: 'varchar' },
  { name: 'n', dataType: 'tinyint' },
  { name: 'price', dataType: 'decimal' },
];

test('a primary key of one integer column, of any integer type, is split into ranges', () => {
  assert.equal(integerKey(['id'], columns), 'id');
  assert.equal(integerKey(['n'], columns), 'n');
});

test('composite, non-integer and missing keys are read whole', () => {
  assert.equal(integerKey(['id', 'n'], columns), undefined);
  assert.equal(integerKey(['code'], columns), undefined);
  assert.equal(integerKey(['price'], columns), undefined);
  assert.equal(integerKey(undefined, columns), undefined);
  assert.equal(integerKey([], columns), undefined);
  assert.equal(integerKey(['gone'], columns), undefined, 'a key column not among the dumped ones (e.g. generated)');
});

test('dump order: the biggest chunks first, and tables of about the same chunk size take turns', () => {
  const MB = 1 << 20;
  const task = (table: string, index: number, weight: number) => ({ table, index, weight: weight * MB });
  const tasks = [
    task('small', 0, 3),
    ...[0, 1, 2].map((i) => task('blobs', i, 58)),
    ...[0, 1, 2, 3].map((i) => task('translations', i, 57)),
    task('reviews', 0, 59),
    ...[0, 1].map((i) => task('log', i, 36)),
  ];
  const order = dumpOrder(tasks).map((t) => `${t.table}.${t.index}`);
  assert.deepEqual(order, ['reviews.0', 'blobs.0', 'translations.0', 'blobs.1', 'translations.1', 'blobs.2', 'translations.2', 'translations.3', 'log.0', 'log.1', 'small.0']);
  assert.equal(tasks[0].table, 'small', 'the input is left as it was');
});

test('large server writes are asked for only where each connection reads tens of MB', () => {
  const MB = 1 << 20;
  assert.equal(widensServerWrites(20 * MB, 2), false, 'an _init of 300 small tables');
  assert.equal(widensServerWrites(40 * MB, 1), true);
  assert.equal(widensServerWrites(40 * MB, 2), false, 'the same data over two connections');
  assert.equal(widensServerWrites(WIDE_WRITES_MIN_BYTES * 8, 8), true);
  assert.equal(widensServerWrites(1000 * MB, 0), true, 'no connections counts as one');
  assert.equal(widensServerWrites(0, 1), false);
});
