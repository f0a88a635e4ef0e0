import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import module from 'node:module';
import { parseBenchArgs, parseScale } from '../../bench/args.js';
import { probeNode } from '../../bench/ours-runner.js';
import { UsageError } from '../../src/core/errors.js';

describe('bench flags', () => {
  test('defaults: 100 MB, one job per CPU, every tool, one run', () => {
    const a = parseBenchArgs([], 2);
    assert.equal(a.scaleMb, 100);
    assert.equal(a.jobs, 2);
    assert.deepEqual(a.only, ['ours', 'mysqldump', 'mydumper']);
    assert.equal(a.repeat, 1);
    assert.equal(a.keep, false);
    assert.equal(a.sync, false);
    assert.equal(a.json, undefined);
    assert.equal(a.shape, 'catalogue');
    assert.equal(a.localInfile, 'server');
  });

  test("the init shape with its fill, and the server's local_infile turned off", () => {
    const a = parseBenchArgs(['--shape', 'init', '--fill=20', '--local-infile', 'off'], 2);
    assert.equal(a.shape, 'init');
    assert.equal(a.fill, 20);
    assert.equal(a.localInfile, 'off');
    assert.throws(() => parseBenchArgs(['--shape', 'wide'], 2), /unknown shape "wide".*|Choose from catalogue, init/);
    assert.throws(() => parseBenchArgs(['--fill', '0'], 2), UsageError);
    assert.throws(() => parseBenchArgs(['--local-infile', 'on'], 2), /takes only "off"/);
  });

  test('--node names the binary that runs our engine; a path that is not node is refused', () => {
    assert.equal(parseBenchArgs([], 2).node, undefined);
    assert.equal(parseBenchArgs(['--node', process.execPath], 2).node, process.execPath);
    assert.deepEqual(probeNode(process.execPath), {
      version: process.version,
      compileCache: typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function',
    });
    assert.throws(
      () => probeNode('/nonexistent/node'),
      (e: unknown) => e instanceof UsageError && /is not a working node binary/.test(e.message),
    );
    assert.throws(
      () => probeNode('/bin/true'),
      (e: unknown) => e instanceof UsageError && /is not a working node binary/.test(e.message),
    );
    assert.throws(() => parseBenchArgs(['--node'], 2), /--node needs a value/);
  });

  test('scales: 100mb, 1gb, <N>mb, in either case', () => {
    assert.equal(parseScale('100mb'), 100);
    assert.equal(parseScale('1gb'), 1000);
    assert.equal(parseScale('250MB'), 250);
    assert.equal(parseScale('1.5gb'), 1500);
  });

  test('a scale that is not a size, or is out of range, is a usage error', () => {
    for (const bad of ['big', '100', '-5mb', '1tb', '2mb']) assert.throws(() => parseScale(bad), UsageError, bad);
  });

  test('every flag, with separate and inline values', () => {
    const a = parseBenchArgs(['--scale=1gb', '--jobs', '4', '--only', 'mydumper,ours', '--keep', '--json', 'out.json', '--repeat', '3', '--fresh', '--checksum', '--sync'], 2);
    assert.equal(a.scaleMb, 1000);
    assert.equal(a.jobs, 4);
    assert.deepEqual(a.only, ['ours', 'mydumper'], 'kept in the canonical order');
    assert.equal(a.keep, true);
    assert.equal(a.fresh, true);
    assert.equal(a.checksum, true);
    assert.equal(a.sync, true);
    assert.equal(a.json, 'out.json');
    assert.equal(a.repeat, 3);
  });

  test('unknown tools, unknown flags, missing values and bad numbers are usage errors', () => {
    assert.throws(() => parseBenchArgs(['--only', 'ours,pg_dump'], 2), /pg_dump/);
    assert.throws(() => parseBenchArgs(['--threads', '2'], 2), /Unknown option "--threads"/);
    assert.throws(() => parseBenchArgs(['--jobs'], 2), /--jobs needs a value/);
    assert.throws(() => parseBenchArgs(['--jobs', '0'], 2), /at least 1/);
    assert.throws(() => parseBenchArgs(['--repeat', 'two'], 2), UsageError);
    assert.throws(() => parseBenchArgs(['--keep=yes'], 2), /takes no value/);
  });
});
