// Commands reach MySQL and Elasticsearch through the context's clients (commands/context.ts). Here the
// real clients are wrapped to record what each command sends, so the order of its decisions is checked
// against the real servers: nothing is dropped before an unreachable Elasticsearch is noticed, and a
// dump finishes an interrupted load on a connection of its own before it reads anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../harness/mariadb.js';
import { makeContext, realClients, type Clients } from '../../src/commands/context.js';
import { reset } from '../../src/commands/reset.js';
import { dumpBackup } from '../../src/commands/dump.js';
import { validateConfig } from '../../src/core/config.js';
import { ConnectionError } from '../../src/core/errors.js';
import { silentReporter } from '../../src/core/reporter.js';
import { parseBackupName } from '../../src/core/backup-name.js';
import { tableChecksums } from '../support/fixtures.js';

/** The real clients, with every statement a command sends through them recorded. */
function recording(): { clients: Clients; statements: string[]; searchUrls: string[] } {
  const statements: string[] = [];
  const searchUrls: string[] = [];
  const clients: Clients = {
    mysql: async (target, options) => {
      const conn = await realClients.mysql(target, options);
      return new Proxy(conn, {
        get(obj, prop, receiver) {
          const value = Reflect.get(obj, prop, receiver);
          if (prop !== 'query' || typeof value !== 'function') return typeof value === 'function' ? value.bind(obj) : value;
          return (sql: unknown, ...rest: unknown[]) => {
            statements.push(String(typeof sql === 'object' && sql !== null && 'sql' in sql ? (sql as { sql: string }).sql : sql));
            return (value as (...a: unknown[]) => unknown).call(obj, sql, ...rest);
          };
        },
      });
    },
    search: async (url) => {
      searchUrls.push(url);
      return realClients.search(url);
    },
  };
  return { clients, statements, searchUrls };
}

test('reset with Elasticsearch unreachable drops nothing: the indices are asked for before the database', async (t) => {
  const db = await freshDatabase('clientsreset');
  t.after(() => db.drop());
  const before = await tableChecksums(db.url);
  const dir = await mkdtemp(join(tmpdir(), 'olympia-clients-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rec = recording();
  const config = validateConfig({ index: { definitions: [{ alias: 'clients-test', query: 'q.sql', id: 'id' }] } }, dir);
  const ctx = makeContext({ config, clients: rec.clients, databaseUrl: db.url, elasticsearchUrl: 'http://127.0.0.1:1', reporter: silentReporter });
  await assert.rejects(reset(ctx), ConnectionError);
  assert.deepEqual(rec.searchUrls, ['http://127.0.0.1:1']);
  assert.deepEqual(
    rec.statements.filter((s) => /^\s*DROP\s/i.test(s)),
    [],
    'no DROP was sent',
  );
  assert.deepEqual(await tableChecksums(db.url), before);
});

test('dump finishes any interrupted load first, on a connection of its own, before the dump reads', async (t) => {
  const db = await freshDatabase('clientsdump');
  t.after(() => db.drop());
  const dir = await mkdtemp(join(tmpdir(), 'olympia-clients-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rec = recording();
  const ctx = makeContext({ config: validateConfig({}, dir), clients: rec.clients, databaseUrl: db.url, backupDir: join(dir, 'backups'), jobs: 1, reporter: silentReporter });
  const r = await dumpBackup(ctx, { name: parseBackupName('spied') });
  assert.equal(r.name, 'spied');
  assert.ok(
    rec.statements.some((s) => /information_schema\.TABLES/i.test(s) && /TABLE_SCHEMA = \?/.test(s)),
    `the journal was looked for: ${rec.statements.join(' | ')}`,
  );
});
