import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindsFromTypes } from '../../src/load/insert-loader.js';
import { openDataFile, readSize } from '../../src/load/data-file.js';
import { IntegrityError } from '../../src/core/errors.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

test('a data file that became a link, a FIFO or another size after the backup was verified is not read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'od-data-file-'));
  writeFileSync(join(dir, 'rows.tsv'), '1\n');
  writeFileSync(join(dir, 'secret'), 'not part of the backup\n');
  symlinkSync(join(dir, 'secret'), join(dir, 'linked.tsv'));
  execFileSync('mkfifo', [join(dir, 'fifo.tsv')]);
  const fh = await openDataFile(join(dir, 'rows.tsv'), 2);
  assert.equal(await fh.readFile('utf8'), '1\n');
  await fh.close();
  await assert.rejects(openDataFile(join(dir, 'linked.tsv'), 23), (e: Error) => e instanceof IntegrityError && /is a symbolic link now/.test(e.message));
  await assert.rejects(openDataFile(join(dir, 'fifo.tsv'), 0), (e: Error) => e instanceof IntegrityError && /not the regular file/.test(e.message));
  await assert.rejects(openDataFile(join(dir, 'rows.tsv'), 3), (e: Error) => e instanceof IntegrityError && /holds 2 bytes now, not the 3 that were verified/.test(e.message));
});
