import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { parseBoolFlag, resolveInitializeOptions } from '../../src/core/flags.js';

describe('parseBoolFlag', () => {
  test('true/1/yes and false/0/no, any case, blanks trimmed', () => {
    for (const v of ['true', '1', 'yes', 'TRUE', 'Yes', ' true ', '\tyes\n']) assert.equal(parseBoolFlag(v, 'INIT_CLEAN'), true, JSON.stringify(v));
    for (const v of ['false', '0', 'no', 'FALSE', 'No', ' 0 ']) assert.equal(parseBoolFlag(v, 'INIT_CLEAN'), false, JSON.stringify(v));
  });

  test('unset or blank means not given', () => {
    assert.equal(parseBoolFlag(undefined, 'INIT_CLEAN'), undefined);
    assert.equal(parseBoolFlag('', 'INIT_CLEAN'), undefined);
    assert.equal(parseBoolFlag('   ', 'INIT_CLEAN'), undefined);
  });

  test('anything else is a usage error naming the variable and the accepted values', () => {
    for (const v of ['maybe', 'on', 'off', 'y', '2', 'true!']) {
      assert.throws(
        () => parseBoolFlag(v, 'INIT_SKIP_SEED'),
        (e: unknown) => {
          assert.ok(e instanceof UsageError);
          assert.equal(e.exitCode, ExitCode.usage);
          assert.equal(e.message, `INIT_SKIP_SEED=${JSON.stringify(v)} is not a yes/no value.`);
          assert.match(e.hint ?? '', /INIT_SKIP_SEED to true, 1, yes or false, 0, no/);
          return true;
        },
      );
    }
  });
});

describe('resolveInitializeOptions', () => {
  test('nothing given: all off, no load', () => {
    assert.deepEqual(resolveInitializeOptions({ flags: {}, env: {} }), { clean: false, skipSeed: false, skipIndex: false });
  });

  test('the environment turns steps on when no flag is given', () => {
    const env = { INIT_CLEAN: 'true', INIT_LOAD: 'nightly', INIT_SKIP_SEED: '1', INIT_SKIP_INDEX: 'yes' };
    assert.deepEqual(resolveInitializeOptions({ flags: {}, env }), { clean: true, load: 'nightly', skipSeed: true, skipIndex: true });
  });

  test('flags turn steps on whatever the environment says', () => {
    const env = { INIT_CLEAN: 'false', INIT_SKIP_SEED: 'no', INIT_SKIP_INDEX: '0' };
    assert.deepEqual(resolveInitializeOptions({ flags: { clean: true, skipSeed: true, skipIndex: true }, env }), { clean: true, skipSeed: true, skipIndex: true });
  });

  test('a flag passed as false is "not given": the environment still applies', () => {
    const options = resolveInitializeOptions({ flags: { clean: false, skipIndex: false }, env: { INIT_CLEAN: 'true' } });
    assert.equal(options.clean, true);
    assert.equal(options.skipIndex, false);
  });

  test('--load wins over INIT_LOAD', () => {
    assert.equal(resolveInitializeOptions({ flags: { load: 'mine' }, env: { INIT_LOAD: 'theirs' } }).load, 'mine');
  });

  test('a blank INIT_LOAD means unset; surrounding blanks are ignored', () => {
    assert.equal(resolveInitializeOptions({ flags: {}, env: { INIT_LOAD: '' } }).load, undefined);
    assert.equal(resolveInitializeOptions({ flags: {}, env: { INIT_LOAD: '  ' } }).load, undefined);
    assert.equal(resolveInitializeOptions({ flags: {}, env: { INIT_LOAD: ' nightly\n' } }).load, 'nightly');
  });

  test('a bad backup name is a usage error naming where it came from', () => {
    assert.throws(
      () => resolveInitializeOptions({ flags: {}, env: { INIT_LOAD: '../etc' } }),
      (e: unknown) => e instanceof UsageError && /^INIT_LOAD: .*path separator/.test(e.message) && e.hint !== undefined,
    );
    assert.throws(
      () => resolveInitializeOptions({ flags: { load: 'a/b' }, env: {} }),
      (e: unknown) => e instanceof UsageError && /^--load: .*path separator/.test(e.message),
    );
    assert.throws(
      () => resolveInitializeOptions({ flags: { load: '' }, env: {} }),
      (e: unknown) => e instanceof UsageError && /^--load: .*empty/.test(e.message),
    );
  });

  test('a malformed environment value is an error even when a flag overrides it', () => {
    assert.throws(() => resolveInitializeOptions({ flags: { clean: true }, env: { INIT_CLEAN: 'sure' } }), { name: 'UsageError', message: /INIT_CLEAN="sure"/ });
    assert.throws(() => resolveInitializeOptions({ flags: {}, env: { INIT_SKIP_INDEX: 'nope' } }), { message: /INIT_SKIP_INDEX="nope"/ });
    assert.throws(() => resolveInitializeOptions({ flags: { load: 'ok' }, env: { INIT_LOAD: 'a b' } }), { message: /^INIT_LOAD: / });
  });

  test('unrelated environment variables are ignored', () => {
    assert.deepEqual(resolveInitializeOptions({ flags: {}, env: { CLEAN: 'garbage', INIT_OTHER: 'x' } }), { clean: false, skipSeed: false, skipIndex: false });
  });
});
