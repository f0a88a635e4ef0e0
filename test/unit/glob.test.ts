import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGlobs, matchGlob } from '../../src/core/glob.js';
import { UsageError } from '../../src/core/errors.js';

describe('matchGlob', () => {
  const cases: [string, string, boolean][] = [
    ['*.sql', 'a.sql', true],
    ['*.sql', 'dir/a.sql', false],
    ['**/*.sql', 'a.sql', true],
    ['**/*.sql', 'a/b/c.sql', true],
    ['**/*.sql', 'a/b/c.sqlx', false],
    ['db/**', 'db/a/b.sql', true],
    ['db/**', 'dbx/a.sql', false],
    ['src/**/migrations/*.py', 'src/olympia/addons/migrations/0001_initial.py', true],
    ['src/**/migrations/*.py', 'src/migrations/0001.py', true],
    ['src/**/migrations/*.py', 'src/olympia/addons/migrations/sub/0001.py', false],
    ['0??_*.sql', '001_init.sql', true],
    ['0??_*.sql', '0001_init.sql', false],
    ['?', '/', false],
    ['*.{sql,py}', 'x.py', true],
    ['*.{sql,py}', 'x.js', false],
    ['{a,b/{c,d}}/x', 'b/d/x', true],
    ['{a,b/{c,d}}/x', 'b/e/x', false],
    ['[0-9]*.sql', '7_add.sql', true],
    ['[0-9]*.sql', 'x7.sql', false],
    ['[!0-9]*.sql', 'x7.sql', true],
    ['a[!x]b', 'a/b', false],
    ['file.sql', 'fileXsql', false],
    ['a+b(c).sql', 'a+b(c).sql', true],
    ['\\*.sql', '*.sql', true],
    ['\\*.sql', 'a.sql', false],
    ['./seed/*.sql', 'seed/a.sql', true],
  ];
  for (const [glob, path, expected] of cases) {
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(matchGlob(glob, path), expected);
    });
  }
});

describe('expandGlobs', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olympia-glob-'));
    const files = [
      'db/migrations/002_b.sql',
      'db/migrations/001_a.sql',
      'db/migrations/README.md',
      'db/seed/users.sql',
      'seed.sql',
      'node_modules/pkg/m.sql',
      '.git/x.sql',
      'src/app/migrations/0001_initial.py',
      'src/app/migrations/__init__.py',
    ];
    for (const f of files) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), f);
    }
    await symlink(join(dir, 'db'), join(dir, 'db-link'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('returns matched files sorted, relative, with "/" separators', async () => {
    assert.deepEqual(await expandGlobs(dir, ['db/migrations/*.sql', 'seed.sql']), ['db/migrations/001_a.sql', 'db/migrations/002_b.sql', 'seed.sql']);
  });

  test('a directory pattern takes every file below it', async () => {
    assert.deepEqual(await expandGlobs(dir, ['db/seed']), ['db/seed/users.sql']);
  });

  test('**/ walks the tree but skips node_modules, .git and symlinked directories', async () => {
    assert.deepEqual(await expandGlobs(dir, ['**/*.sql']), ['db/migrations/001_a.sql', 'db/migrations/002_b.sql', 'db/seed/users.sql', 'seed.sql']);
  });

  test('"!" excludes, blank lines and # comments are ignored', async () => {
    assert.deepEqual(await expandGlobs(dir, ['# django migrations', 'src/**/migrations/*.py', '', '!**/__init__.py']), ['src/app/migrations/0001_initial.py']);
  });

  test('a file matched by two globs is listed once', async () => {
    assert.deepEqual(await expandGlobs(dir, ['seed.sql', '*.sql']), ['seed.sql']);
  });

  test('globs matching nothing, or naming a missing directory, give an empty list', async () => {
    assert.deepEqual(await expandGlobs(dir, ['missing/**', '*.none']), []);
  });

  test('absolute globs and ".." are usage errors naming the glob', async () => {
    await assert.rejects(expandGlobs(dir, ['/etc/*']), (e: unknown) => e instanceof UsageError && e.message.includes('/etc/*'));
    await assert.rejects(expandGlobs(dir, ['../other/*.sql']), (e: unknown) => e instanceof UsageError && e.message.includes('..'));
  });
});
