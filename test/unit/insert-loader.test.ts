import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindsFromTypes, readSize } from '../../src/load/insert-loader.js';

test('kindsFromTypes: bits, JSON, bytes for string and binary types, plain for the rest; undefined when a column has no type', () => {
  const types = new Map([
    ['id', 'int'],
    ['name', 'varchar'],
    ['doc', 'json'],
    ['flag', 'bit'],
    ['blob', 'longblob'],
    ['state', 'enum'],
    ['at', 'datetime'],
    ['where', 'point'],
  ]);
  assert.deepEqual(kindsFromTypes(['id', 'name', 'doc', 'flag', 'blob', 'state', 'at', 'where'], ['flag'], types), [
    'plain',
    'bytes',
    'json',
    'bit',
    'bytes',
    'bytes',
    'plain',
    'bytes',
  ]);
  assert.equal(kindsFromTypes(['id', 'missing'], [], types), undefined);
});

test('data files are read a MB at a time at most, and a small one in one read of its size', () => {
  assert.equal(readSize(2000), 4096);
  assert.equal(readSize(300 << 10), 300 << 10);
  assert.equal(readSize(64 << 20), 1 << 20);
});
