import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mustSync } from '../../src/core/durability.js';

describe('when a dump syncs its files to disk', () => {
  test('by default only when it replaces a backup (the old one is then deleted)', () => {
    assert.equal(mustSync('auto', false), false);
    assert.equal(mustSync('auto', true), true);
  });
  test('--sync always, --no-sync never', () => {
    assert.equal(mustSync('always', false), true);
    assert.equal(mustSync('always', true), true);
    assert.equal(mustSync('never', false), false);
    assert.equal(mustSync('never', true), false);
  });
});
