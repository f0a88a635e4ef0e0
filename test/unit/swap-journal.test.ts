// The journal a recovery acts on must be the one this database derives: every name and path in it
// checked, whatever wrote it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateJournal } from '../../src/load/swap-journal.js';
import { stagingNames } from '../../src/load/swap-database.js';
import { IntegrityError } from '../../src/core/errors.js';

const live = 'olympia';
const names = stagingNames(live);
const good = () => ({
  live,
  ...names,
  liveTriggers: [],
  views: [{ name: 'v', createSql: 'CREATE VIEW v AS SELECT 1' }],
  triggers: [],
  storage: { dir: '/srv/storage', staged: '/srv/storage.olympia-new-42-0123abcd', aside: '/srv/storage.olympia-old-42-0123abcd' },
});

test('a journal of this database with its own derived names and storage siblings is accepted', () => {
  assert.deepEqual(validateJournal(live, good()), good());
  const { storage: _, ...noStorage } = good();
  assert.deepEqual(validateJournal(live, noStorage), noStorage);
  const fill = { ...good(), fill: { tables: ['users', 'addons'] } };
  assert.deepEqual(validateJournal(live, fill), fill);
  const created = { ...good(), fill: { tables: ['users'] }, createdLive: true };
  assert.deepEqual(validateJournal(live, created), created);
});

const bad: [string, (j: Record<string, any>) => void, RegExp][] = [
  ['another live database', (j) => (j.live = 'victim'), /names the database "victim"/],
  ['another stage database', (j) => (j.stage = 'victim'), /names "victim" as its stage database/],
  ['another old database', (j) => (j.old = 'mysql'), /names "mysql" as its old database/],
  ['another journal database', (j) => (j.journal = 'x'), /as its journal database/],
  ['an aside path outside the storage siblings', (j) => (j.storage.aside = '/home/user'), /not the load's own copies/],
  ['a staged path elsewhere', (j) => (j.storage.staged = '/etc'), /not the load's own copies/],
  ['mismatched tags', (j) => (j.storage.aside = '/srv/storage.olympia-old-43-0123abcd'), /not the load's own copies/],
  ['a relative storage dir', (j) => Object.assign(j.storage, { dir: 'storage', staged: 'storage.olympia-new-1-0123abcd', aside: 'storage.olympia-old-1-0123abcd' }), /absolute/],
  [
    'a dir with ..',
    (j) => Object.assign(j.storage, { dir: '/srv/x/../etc', staged: '/srv/x/../etc.olympia-new-1-0123abcd', aside: '/srv/x/../etc.olympia-old-1-0123abcd' }),
    /absolute/,
  ],
  ['a malformed trigger list', (j) => (j.triggers = [{ name: 1 }]), /malformed "triggers"/],
  ['a fill with no table list', (j) => (j.fill = {}), /malformed "fill"/],
  ['a fill naming a table that is not a string', (j) => (j.fill = { tables: ['a', 7] }), /malformed "fill"/],
  ['a fill naming an empty table name', (j) => (j.fill = { tables: [''] }), /malformed "fill"/],
  ['a created-database flag that is not a boolean', (j) => (j.createdLive = 'yes'), /malformed "createdLive" flag/],
];
for (const [what, edit, pattern] of bad) {
  test(`a journal with ${what} is refused (exit 4)`, () => {
    const j = good();
    edit(j);
    assert.throws(
      () => validateJournal(live, j),
      (e: unknown) => e instanceof IntegrityError && e.exitCode === 4 && pattern.test(e.message) && /nothing was done/.test(e.message),
    );
  });
}
