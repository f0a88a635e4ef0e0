// The import graph is the design: adapters reach the engine only through commands, and each wing
// (dump, load, the backup format) stands on the shared layers alone, never on another wing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Folder → the other src folders its files may import from. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  mysql: ['core'],
  backup: ['core'],
  dump: ['core', 'mysql', 'backup'],
  load: ['core', 'mysql', 'backup'],
  search: ['core', 'mysql'],
  services: ['core', 'mysql', 'search'],
  hooks: ['core', 'mysql'],
  migrate: ['core', 'mysql'],
  seed: ['core', 'mysql'],
  commands: ['core', 'mysql', 'backup', 'dump', 'load', 'search', 'services', 'hooks', 'migrate', 'seed'],
  cli: ['core', 'commands'],
  action: ['core', 'commands'],
};

/** The one file allowed past those rules, and why: it must boot the dump's threads before the commands load. */
const EXCEPTIONS = new Set(['cli/prestart.ts → dump']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'\.\.\/([a-z-]+)\//g)].map((m) => m[1]);
}

test('the import reader sees relative imports across folders', () => {
  assert.ok(importedFolders(join(SRC, 'cli', 'main.ts')).includes('commands'));
  assert.ok(importedFolders(join(SRC, 'dump', 'dump-database.ts')).includes('mysql'));
});

test('every src folder has a rule', () => {
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  assert.deepEqual(
    folders.filter((f) => !(f in ALLOWED)),
    [],
  );
});

test('imports follow the layers: adapters → commands → wings → mysql/search → core', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    const folder = rel.split('/')[0];
    if (!(folder in ALLOWED)) continue;
    for (const target of importedFolders(file)) {
      if (target === folder || ALLOWED[folder].includes(target) || EXCEPTIONS.has(`${rel} → ${target}`)) continue;
      wrong.push(`${rel} → ${target}`);
    }
  }
  assert.deepEqual(wrong, []);
});
