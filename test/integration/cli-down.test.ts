// `down` says what it stopped, and only that: nothing running means nothing claimed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

test('down with nothing running says so, once, for each provider', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'olympia-down-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'olympia-data.json');
  await writeFile(config, '{}\n');
  const cases: [string[], RegExp][] = [
    [[], /^No local services were running; nothing was stopped\.$/],
    [['--services', 'external'], /^External services are not managed by olympia-data; nothing was stopped\.$/],
    [['--services', 'docker'], /^No docker services were running; nothing was stopped\.$/],
  ];
  for (const [args, line] of cases) {
    const r = await runCli(['down', '--config', config, ...args]);
    assert.equal(r.code, 0, r.stderr);
    const out = (r.stdout + r.stderr)
      .trim()
      .split('\n')
      .filter((l) => /stopped|running|managed/i.test(l));
    assert.equal(out.length, 1, `one line about it: ${JSON.stringify(out)}`);
    assert.match(out[0], line);
    assert.doesNotMatch(r.stdout + r.stderr, /Services stopped/);
  }
});
