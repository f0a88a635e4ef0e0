// action.yml and the code agree: every input and output the code reads or sets is declared, with a
// description, and nothing is declared that the code ignores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inputs, Outputs } from '../../src/action/constants.js';
import { DEFAULT_CACHE_KEY_PREFIX } from '../../src/core/cache-key.js';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8');

/** name → its indented body, for the entries of a top-level block such as `inputs:`. */
function entries(block: string): Map<string, string> {
  const body = new RegExp(`^${block}:\\n([\\s\\S]*?)(?=^\\S)`, 'm').exec(text)?.[1] ?? '';
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of body.split('\n')) {
    const name = /^  ([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (name) {
      current = name[1];
      out.set(current, '');
    } else if (current) out.set(current, `${out.get(current)}${line}\n`);
  }
  return out;
}

test('every input of the code is declared with a description, and no other', () => {
  const inputs = entries('inputs');
  assert.deepEqual([...inputs.keys()].sort(), Object.values(Inputs).sort());
  for (const [name, body] of inputs) {
    assert.match(body, /^    description: \S/m, `${name} has a description`);
    assert.match(body, /^    required: false$/m, `${name} is optional`);
    assert.match(body, /^    default: /m, `${name} has a default`);
  }
  assert.match(inputs.get('github-token')!, /^    default: \$\{\{ github\.token \}\}$/m);
  assert.match(inputs.get('command')!, /^    default: initialize$/m);
  assert.match(inputs.get('services')!, /^    default: docker$/m);
  assert.match(inputs.get('cache')!, /^    default: 'true'$/m);
  assert.match(inputs.get('cache-key-prefix')!, new RegExp(`^    default: ${DEFAULT_CACHE_KEY_PREFIX}$`, 'm'));
});

test('every output the code sets is declared with a description, and no other', () => {
  const outputs = entries('outputs');
  assert.deepEqual([...outputs.keys()].sort(), Object.values(Outputs).sort());
  for (const [name, body] of outputs) assert.match(body, /^    description: \S/m, `${name} has a description`);
});

test('the action runs dist/index.js on node24 and has branding', () => {
  assert.match(text, /^runs:\n  using: node24\n  main: dist\/index\.js\n/m);
  assert.match(text, /^branding:\n  icon: \S+\n  color: \S+\n/m);
  assert.match(text, /^name: \S/m);
  assert.match(text, /^description: \S/m);
});

test('docs/action.md carries the input and output tables generated from action.yml', async () => {
  const { withReference, declared } = await import('../../scripts/action-reference.js');
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'action.md'), 'utf8');
  assert.equal(declared(text, 'inputs').length, Object.values(Inputs).length);
  assert.equal(declared(text, 'outputs').length, Object.values(Outputs).length);
  assert.ok(doc === withReference(doc, text), 'docs/action.md is stale: run `node --import tsx scripts/action-reference.ts`');
});
