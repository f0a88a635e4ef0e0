// The bundled CLI (dist/cli, what bin/olympia-data.js and the container run) dumps over several
// threads: with the small dump-worker.js shipped beside it, and, should that file be missing, with
// the bundle itself as the threads' code. Both give a backup that verifies and loads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../harness/mariadb.js';
import { seedBigTable, tableChecksums } from '../support/fixtures.js';
import { cleanEnv, collect, ROOT } from '../support/cli.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

function bundled(entry: string, args: string[], env: NodeJS.ProcessEnv) {
  return collect(spawn(process.execPath, [entry, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

describe('the bundled CLI dumps over worker threads', () => {
  let source: Db;
  let dest: Db;
  let dir: string;
  before(async () => {
    source = await freshDatabase('bundle');
    dest = await freshDatabase('bundledst');
    await seedBigTable(source.url, 'big_a', 20_000);
    await seedBigTable(source.url, 'big_b', 20_000);
    dir = await mkdtemp(join(tmpdir(), 'olympia-bundle-'));
    // The CLI bundle alone, without dump-worker.js beside it.
    await copyFile(join(ROOT, 'dist', 'cli', 'index.js'), join(dir, 'index.js'));
    await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
  });
  after(async () => {
    await source.drop();
    await dest.drop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [label, entry] of [
    ['dist/cli with its dump-worker.js', () => join(ROOT, 'dist', 'cli', 'index.js')],
    ['the bundle alone (threads run the bundle itself)', () => join(dir, 'index.js')],
  ] as const) {
    test(label, async () => {
      const backups = join(dir, `backups-${label.length}`);
      const expected = await tableChecksums(source.url);
      const d = await bundled(entry(), ['dump', '--name', 'threads', '--jobs', '2', '--chunk-size', '256KB', '--backup-dir', backups, '--json'], { DATABASE_URL: source.url });
      assert.equal(d.code, 0, d.stderr);
      assert.equal(
        JSON.parse(d.stdout).rows,
        Object.values(expected).reduce((n, t) => n + t.rows, 0),
      );
      const v = await bundled(entry(), ['verify', 'threads', '--backup-dir', backups], {});
      assert.equal(v.code, 0, v.stderr + v.stdout);
      const l = await bundled(entry(), ['load', '--name', 'threads', '--jobs', '2', '--backup-dir', backups], { DATABASE_URL: dest.url });
      assert.equal(l.code, 0, l.stderr);
      assert.deepEqual(await tableChecksums(dest.url), expected);
    });
  }
});
