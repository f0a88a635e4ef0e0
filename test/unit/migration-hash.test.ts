import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrationHash } from '../../src/core/migration-hash.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'olympia-hash-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function write(files: Record<string, string>, root = dir): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

const GLOBS = ['migrations/**', 'seed/*.sql'];
const FILES = { 'migrations/001_a.sql': 'CREATE TABLE a (id INT);', 'migrations/002_b.sql': 'CREATE TABLE b (id INT);', 'seed/users.sql': 'INSERT INTO a VALUES (1);' };

test('the hash is a sha256 hex digest and lists the hashed files', async () => {
  await write(FILES);
  const result = await migrationHash(dir, GLOBS);
  assert.match(result.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(result.files, Object.keys(FILES).sort());
  assert.equal(result.empty, false);
});

test('same files give the same hash, whatever order they were created in and wherever the project lives', async () => {
  await write(FILES);
  const other = await mkdtemp(join(tmpdir(), 'olympia-hash-other-'));
  try {
    const reversed = Object.fromEntries(Object.entries(FILES).reverse());
    await write(reversed, other);
    assert.equal((await migrationHash(other, GLOBS)).hash, (await migrationHash(dir, GLOBS)).hash);
    assert.equal((await migrationHash(dir, [...GLOBS].reverse())).hash, (await migrationHash(dir, GLOBS)).hash);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('a changed file content changes the hash', async () => {
  await write(FILES);
  const before = await migrationHash(dir, GLOBS);
  await write({ 'migrations/002_b.sql': 'CREATE TABLE b (id BIGINT);' });
  assert.notEqual((await migrationHash(dir, GLOBS)).hash, before.hash);
});

test('a renamed file changes the hash', async () => {
  await write(FILES);
  const before = await migrationHash(dir, GLOBS);
  await rename(join(dir, 'migrations/002_b.sql'), join(dir, 'migrations/003_b.sql'));
  assert.notEqual((await migrationHash(dir, GLOBS)).hash, before.hash);
});

test('a new migration changes the hash; files outside the globs do not', async () => {
  await write(FILES);
  const before = await migrationHash(dir, GLOBS);
  await write({ 'README.md': 'docs' });
  assert.equal((await migrationHash(dir, GLOBS)).hash, before.hash);
  await write({ 'migrations/003_c.sql': '' });
  assert.notEqual((await migrationHash(dir, GLOBS)).hash, before.hash);
});

test('moving bytes between a path and its content cannot collide', async () => {
  await write({ 'm/ab': 'c' });
  const one = await migrationHash(dir, ['m/**']);
  await rm(join(dir, 'm'), { recursive: true });
  await write({ 'm/a': 'bc' });
  assert.notEqual((await migrationHash(dir, ['m/**'])).hash, one.hash);
  await rm(join(dir, 'm'), { recursive: true });
  await write({ 'm/a': 'b', 'm/c': '' });
  const split = await migrationHash(dir, ['m/**']);
  await rm(join(dir, 'm'), { recursive: true });
  await write({ 'm/a': 'bm/c' });
  assert.notEqual((await migrationHash(dir, ['m/**'])).hash, split.hash);
});

test('the backup format version is part of the hash', async () => {
  await write(FILES);
  assert.notEqual((await migrationHash(dir, GLOBS, 1)).hash, (await migrationHash(dir, GLOBS, 2)).hash);
});

test('globs matching no file still give a hash, flagged empty so the caller can warn', async () => {
  const result = await migrationHash(dir, ['nothing/**']);
  assert.match(result.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(result.files, []);
  assert.equal(result.empty, true);
});
