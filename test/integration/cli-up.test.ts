// Two projects on one machine, side by side: `up` starts each one's local MySQL where its database URL
// says (port, database, user, password), and `down` stops each one's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { freePort } from '../support/ports.js';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { runCli } from '../support/cli.js';

async function whoAndWhere(url: string): Promise<{ db: string; who: string }> {
  const c = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await c.query('SELECT DATABASE() AS db, CURRENT_USER() AS who');
    return (rows as { db: string; who: string }[])[0];
  } finally {
    await c.end();
  }
}

test('two projects run their local MySQL side by side on the ports their URLs name', { timeout: 240_000 }, async (t) => {
  const projects = await Promise.all(
    ['alpha', 'beta'].map(async (name) => {
      const dir = await mkdtemp(join(tmpdir(), `olympia-up-${name}-`));
      const config = join(dir, 'olympia-data.json');
      await writeFile(config, '{}\n');
      const url = `mysql://${name}_user:${name}-secret@127.0.0.1:${await freePort()}/${name}_db`;
      return { name, dir, config, url };
    }),
  );
  t.after(async () => {
    for (const p of projects) {
      await runCli(['down', '--config', p.config]);
      await rm(p.dir, { recursive: true, force: true });
    }
  });

  for (const p of projects) {
    const r = await runCli(['up', '--config', p.config, '--skip-index', '--database-url', p.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^MySQL: +mysql://${p.name}_user:\\*\\*\\*@127\\.0\\.0\\.1:${new URL(p.url).port}/${p.name}_db  \\(the password is the one in your database URL\\)$`, 'm'),
    );
    assert.doesNotMatch(r.stdout + r.stderr, /secret/);
  }
  for (const p of projects) assert.deepEqual(await whoAndWhere(p.url), { db: `${p.name}_db`, who: `${p.name}_user@%` });

  const [alpha, beta] = projects;
  const down = await runCli(['down', '--config', alpha.config]);
  assert.match(down.stdout, /^Stopped MySQL; its data is kept\.$/m);
  await assert.rejects(whoAndWhere(alpha.url), /ECONNREFUSED/);
  assert.equal((await whoAndWhere(beta.url)).db, 'beta_db', "stopping one project's services leaves the other's running");
});
