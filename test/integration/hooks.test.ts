// Real shell commands through runHook: environment, working directory, streaming, failures.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHook } from '../../src/hooks/run-hook.js';
import { HookError } from '../../src/core/errors.js';
import type { Reporter } from '../../src/core/reporter.js';

const DB = 'mysql://hooker:pa%24%24word@127.0.0.1:33306/olympia_hooks';
const ES = 'http://127.0.0.1:9200';

function recorder(onInfo?: (m: string) => void): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info(m) {
      lines.push(m);
      onInfo?.(m);
    },
    warn(m) {
      lines.push(`WARN ${m}`);
    },
  };
}

describe('runHook', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olympia-hooks-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the command sees the connection details and runs in the project directory', async () => {
    const r = recorder();
    const res = await runHook(
      'migrate',
      'echo "host=$MYSQL_HOST port=$MYSQL_PORT user=$MYSQL_USER db=$MYSQL_DATABASE es=$ELASTICSEARCH_URL"; [ "$MYSQL_PASSWORD" = "pa\\$\\$word" ] && echo password-ok; [ "$DATABASE_URL" = "' +
        DB.replace(/\$/g, '\\$') +
        '" ] && echo url-ok; pwd',
      { cwd: dir, databaseUrl: DB, elasticsearchUrl: ES, reporter: r },
    );
    assert.equal(res.exitCode, 0);
    assert.equal(res.hook, 'migrate');
    assert.ok(r.lines.includes(`[migrate] host=127.0.0.1 port=33306 user=hooker db=olympia_hooks es=${ES}`), r.lines.join('\n'));
    assert.ok(r.lines.includes('[migrate] password-ok'), r.lines.join('\n'));
    assert.ok(r.lines.includes('[migrate] url-ok'), r.lines.join('\n'));
    assert.ok(r.lines.includes(`[migrate] ${dir}`), r.lines.join('\n'));
  });

  test('output is reported line by line while the command is still running', async () => {
    const flag = join(dir, 'flag');
    // The command only finishes after the test has seen its first line (or gives up after 20 s and fails).
    const r = recorder((m) => {
      if (m === '[seed] first') void writeFile(flag, 'go');
    });
    const cmd = `echo first; i=0; while [ ! -e flag ]; do sleep 0.05; i=$((i+1)); [ $i -gt 400 ] && exit 9; done; printf 'par'; sleep 0.1; printf 'tial\\n'; echo on-stderr >&2; printf 'no newline at end'`;
    await runHook('seed', cmd, { cwd: dir, reporter: r });
    assert.ok(existsSync(flag));
    const out = r.lines.filter((l) => l.startsWith('[seed]'));
    // stdout and stderr are separate pipes: their relative order is not defined, each one's own order is.
    assert.deepEqual(
      out.filter((l) => l !== '[seed] on-stderr'),
      ['[seed] first', '[seed] partial', '[seed] no newline at end'],
    );
    assert.ok(out.includes('[seed] on-stderr'));
  });

  test('the password never appears in what is reported, even when the command prints it', async () => {
    const r = recorder();
    const res = await runHook('index', `echo "$DATABASE_URL"; echo "pw $MYSQL_PASSWORD"; echo ${DB}`, { cwd: dir, databaseUrl: DB, reporter: r });
    const all = r.lines.join('\n');
    assert.ok(!all.includes('pa$$word') && !all.includes('pa%24%24word'), all);
    assert.ok(r.lines.includes('[index] mysql://hooker:***@127.0.0.1:33306/olympia_hooks'), all);
    assert.ok(r.lines.includes('[index] pw ***'), all);
    assert.ok(!res.command.includes('pa%24%24word'));
  });

  test('a failing command is a HookError naming the hook and the exit code', async () => {
    const r = recorder();
    await assert.rejects(runHook('migrate', 'echo doing; echo broken >&2; exit 3', { cwd: dir, reporter: r }), (e: unknown) => {
      assert.ok(e instanceof HookError);
      assert.match(e.message, /migrate hook failed with exit code 3/);
      assert.match(e.hint ?? '', /broken/);
      return true;
    });
    assert.ok(r.lines.includes('[migrate] doing'));
  });

  test('a missing command says it was not found', async () => {
    await assert.rejects(runHook('seed', 'olympia-no-such-program --flag', { cwd: dir, reporter: recorder() }), (e: unknown) => {
      assert.ok(e instanceof HookError);
      assert.match(e.message, /seed hook's command was not found \(exit code 127\): olympia-no-such-program --flag/);
      assert.match(e.hint ?? '', /not found/);
      return true;
    });
  });

  test('a command killed by a signal says which', async () => {
    await assert.rejects(runHook('index', 'kill -KILL $$', { cwd: dir, reporter: recorder() }), /index hook was killed by SIGKILL/);
  });

  test('a missing project directory is reported before anything runs', async () => {
    await assert.rejects(runHook('migrate', 'true', { cwd: join(dir, 'nope'), reporter: recorder() }), /migrate hook: its directory .*nope is not usable/);
  });

  test('aborting stops the command', async () => {
    const ac = new AbortController();
    const r = recorder((m) => {
      if (m === '[seed] started') ac.abort();
    });
    await assert.rejects(runHook('seed', 'echo started; exec sleep 30', { cwd: dir, reporter: r, signal: ac.signal }), /seed hook was cancelled/);
  });

  test('a background process left holding the output does not keep the hook from finishing', async () => {
    const r = recorder();
    const res = await runHook('migrate', 'echo main; (sleep 4; echo late) &', { cwd: dir, reporter: r });
    assert.equal(res.exitCode, 0);
    assert.ok(r.lines.includes('[migrate] main'));
    assert.ok(
      r.lines.some((l) => /WARN .*background process/.test(l)),
      r.lines.join('\n'),
    );
  });
});
