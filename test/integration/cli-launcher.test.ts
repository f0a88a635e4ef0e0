// bin/olympia-data.js, the CLI's launcher: on a node that has module.enableCompileCache it keeps the
// bundle's compiled code in the user's cache directory, and the CLI works the same with or without it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, collect, ROOT } from '../support/cli.js';

const LAUNCHER = join(ROOT, 'bin', 'olympia-data.js');
// This process's node, and the action's Node 24 when CI provides one: one of them may have the cache.
const NODES = [...new Set([process.execPath, ...(process.env.OLYMPIA_ACTION_NODE ? [process.env.OLYMPIA_ACTION_NODE] : [])])];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'olympia-launcher-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(node: string, env: NodeJS.ProcessEnv) {
  // Node's own cache variables from the caller's shell would decide for the launcher.
  const clean = cleanEnv(env);
  for (const k of ['NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE']) if (!(k in env)) delete clean[k];
  return collect(spawn(node, [LAUNCHER, '--version'], { cwd: ROOT, env: clean, stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  return (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

for (const node of NODES) {
  test(`on ${node === process.execPath ? 'this node' : node}: the compiled bundle is cached under XDG_CACHE_HOME where node has a compile cache; without one the CLI runs alike`, async () => {
    const probe = await collect(spawn(node, ['-p', "process.version + ' ' + typeof require('node:module').enableCompileCache"], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const [version, kind] = probe.stdout.trim().split(' ');
    const hasCache = kind === 'function';
    const home = join(dir, `cache-${version}`);

    const first = await run(node, { XDG_CACHE_HOME: home });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^olympia-data \d+\.\d+\.\d+/);
    const cached = await filesUnder(join(home, 'olympia-data', 'compile-cache'));
    if (hasCache) assert.ok(cached.length > 0, `${version}: no compile cache written`);
    else assert.deepEqual(cached, [], `${version} has no compile cache, yet files were written`);

    const off = join(dir, `off-${version}`);
    const disabled = await run(node, { XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(disabled.stdout, first.stdout);
    assert.deepEqual(await filesUnder(off), []);

    // A cache directory that cannot be made (a file stands in its way, even for root) costs only the speed.
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, '');
    const unwritable = await run(node, { XDG_CACHE_HOME: blocked });
    assert.equal(unwritable.code, 0, unwritable.stderr);
    assert.equal(unwritable.stdout, first.stdout);

    // Nothing is cached where another account owns the directory (root with a user's HOME, say).
    if (hasCache && process.getuid?.() === 0) {
      const foreign = join(dir, `foreign-${version}`);
      await mkdir(foreign);
      await chown(foreign, 65534, 65534);
      const other = await run(node, { XDG_CACHE_HOME: foreign });
      assert.equal(other.stdout, first.stdout);
      assert.deepEqual(await filesUnder(foreign), []);
    }
  });
}
