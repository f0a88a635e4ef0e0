import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchTasks, dataFileName, type DumpSchema, planDump, SMALL_CHUNK_BYTES, splitColumn, tablesToSplit } from '../../src/dump/dump-plan.js';
import type { ColumnInfo, TableInfo } from '../../src/mysql/schema.js';

const MB = 1 << 20;
const col = (name: string, dataType: string, generated = false): ColumnInfo => ({ name, dataType, generated });
const table = (name: string, dataBytes: number): TableInfo => ({ name, engine: 'InnoDB', estimatedRows: dataBytes / 100, dataBytes });

function schema(overrides: Partial<DumpSchema> = {}): DumpSchema {
  const columns = new Map<string, ColumnInfo[]>([
    ['big', [col('id', 'bigint'), col('body', 'text'), col('flags', 'bit'), col('upper_body', 'text', true)]],
    ['small', [col('code', 'varchar'), col('n', 'int')]],
  ]);
  const tables = [table('small', 16 * 1024), table('big', 300 * MB)];
  const keys = new Map(tables.map((t) => [t.name, splitColumn(t.name === 'big' ? ['id'] : ['code'], columns.get(t.name)!)]));
  return {
    database: 'app',
    tables,
    columns,
    keys,
    bounds: new Map([['big', { lo: 1n, hi: 4_000_000n }]]),
    ...overrides,
  };
}

test('only a single integer primary key splits a table', () => {
  assert.equal(splitColumn(['id'], [col('id', 'bigint')]), 'id');
  assert.equal(splitColumn(['code'], [col('code', 'varchar')]), undefined);
  assert.equal(splitColumn(['a', 'b'], [col('a', 'int'), col('b', 'int')]), undefined);
  assert.equal(splitColumn(undefined, [col('id', 'int')]), undefined);
});

test('bounds are asked for only where a table is bigger than a chunk and has a key to split on', () => {
  const s = schema();
  assert.deepEqual(
    tablesToSplit(s, 64 * MB).map((t) => t.name),
    ['big'],
  );
  assert.deepEqual(
    tablesToSplit(s, 512 * MB).map((t) => t.name),
    [],
  );
});

test('a big table becomes key ranges that cover every row, biggest work first', () => {
  const { tasks, entries } = planDump(schema(), 64 * MB);
  const big = tasks.filter((t) => t.table === 'big');
  assert.equal(big.length, 5, '300 MB in 64 MB chunks');
  assert.match(big[0].sql, /WHERE `id` < \d+$/, 'the first range is open below');
  assert.doesNotMatch(big.at(-1)!.sql, /</, 'the last range is open above');
  assert.deepEqual(
    big.map((t) => t.file),
    [0, 1, 2, 3, 4].map((i) => dataFileName('big', i)),
  );
  assert.equal(tasks.at(-1)!.table, 'small', 'the small table is taken last');
  assert.deepEqual(entries.get('big')!.files, [], 'files are listed once written');
});

test('generated columns are neither read nor listed; BIT columns travel as integers', () => {
  const { tasks, entries } = planDump(schema(), 64 * MB);
  assert.deepEqual(entries.get('big')!.columns, ['id', 'body', 'flags']);
  assert.deepEqual(entries.get('big')!.bitColumns, ['flags']);
  assert.match(tasks[0].sql, /^SELECT `id`, `body`, CAST\(`flags` AS UNSIGNED\) FROM `app`\.`big`/);
  assert.doesNotMatch(tasks[0].sql, /upper_body/);
});

test('FLOAT columns are read as DOUBLE, so their full value survives the text format', () => {
  const columns = new Map([['m', [col('id', 'int'), col('w', 'float'), col('d', 'double')]]]);
  const { tasks, entries } = planDump(schema({ tables: [table('m', 1000)], columns, keys: new Map([['m', 'id']]), bounds: new Map() }), 64 * MB);
  assert.equal(tasks[0].sql, 'SELECT `id`, (`w` + 0e0), `d` FROM `app`.`m`');
  assert.deepEqual(entries.get('m')!.columns, ['id', 'w', 'd']);
});

test('without bounds (an empty table) a big table is read whole', () => {
  const { tasks } = planDump(schema({ bounds: new Map() }), 64 * MB);
  assert.deepEqual(
    tasks.map((t) => [t.table, t.sql.includes('WHERE')]),
    [
      ['big', false],
      ['small', false],
    ],
  );
});

test('names that need quoting stay one file name and one identifier', () => {
  const odd = 'we`ird/na me';
  const s = schema({
    tables: [table(odd, 10)],
    columns: new Map([[odd, [col('id', 'int')]]]),
    keys: new Map([[odd, 'id']]),
    bounds: new Map(),
  });
  const { tasks } = planDump(s, 64 * MB);
  assert.equal(tasks[0].file, `data/${encodeURIComponent(odd)}.00000.tsv`);
  assert.match(tasks[0].sql, /FROM `app`\.`we``ird\/na me`$/);
});

test('small chunks are read several to a query, big ones alone, in the order given, each chunk once', () => {
  const KB = 1024;
  const tasks = [{ id: 'big1', weight: 40 * MB }, { id: 'big2', weight: SMALL_CHUNK_BYTES }, ...Array.from({ length: 100 }, (_, i) => ({ id: `s${i}`, weight: 16 * KB }))];
  const batches = batchTasks(tasks, 2);
  assert.deepEqual(batches.flat(), tasks, 'every task once, in order');
  assert.deepEqual(batches.slice(0, 2), [[tasks[0]], [tasks[1]]], 'a chunk of a megabyte or more is a query of its own');
  const small = batches.slice(2);
  // 100 small chunks over 2 connections: at least 4 batches each, so they finish about together.
  assert.ok(small.length >= 8, `${small.length} batches`);
  assert.ok(
    small.every((b) => b.length > 1 && b.length <= 32),
    'batches of up to 32',
  );
});

test('a batch holds no more than 8 MB of estimated rows, and one small table is a query of its own', () => {
  const tasks = Array.from({ length: 20 }, (_, i) => ({ id: i, weight: 900 * 1024 }));
  const batches = batchTasks(tasks, 1);
  assert.deepEqual(batches.flat(), tasks);
  for (const b of batches) assert.ok(b.reduce((n, t) => n + t.weight, 0) <= 8 * MB);
  assert.deepEqual(batchTasks([{ weight: 10 }], 4), [[{ weight: 10 }]]);
  assert.deepEqual(batchTasks([], 4), []);
});
