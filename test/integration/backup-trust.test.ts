// Malicious backups, built here, loaded the way a user loads them (the CLI). Each one is refused
// with a clear message or harmlessly confined; either way another database on the server, the
// files outside the storage dir and the server's accounts stay exactly as they were. Run as the
// harness user (who can create accounts: confinement by privileges) and as a user who cannot
// (every statement checked).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freshDatabase, serverUrl } from '../harness/mariadb.js';
import { schemaObjects, seedBigTable, seedTypes, tableChecksums } from '../support/fixtures.js';
import { treeContents } from '../support/files.js';
import { runCli, type CliResult } from '../support/cli.js';
import { stagingNames } from '../../src/load/swap-database.js';
import { lockName } from '../../src/mysql/advisory-lock.js';
import { MANIFEST_FILE } from '../../src/backup/manifest.js';
import { definerAccountName, loadAccountName } from '../../src/load/accounts.js';

type Db = Awaited<ReturnType<typeof freshDatabase>>;

async function sql(url: string, statements: string[]): Promise<void> {
  const c = await mysql.createConnection({ uri: url });
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

async function rows<T>(url: string, q: string, params: unknown[] = []): Promise<T[]> {
  const c = await mysql.createConnection({ uri: url });
  try {
    return (await c.query(q, params))[0] as T[];
  } finally {
    await c.end();
  }
}

const server = () => serverUrl().replace(/\/$/, '');

describe('a backup is data, never code', () => {
  let victim: Db;
  let dest: Db;
  let source: Db;
  let dir: string;
  let backups: string;
  let destStorage: string;
  let outside: string;
  let state: () => Promise<unknown>;
  let baseline: unknown;

  const load = (name: string, url = dest.url) => runCli(['load', '--name', name, '--backup-dir', backups, '--database-url', url, '--storage-dir', destStorage]);

  async function addonsBackup(name: string, dbSql: string, storageTar?: string): Promise<void> {
    await mkdir(join(backups, name), { recursive: true });
    await writeFile(join(backups, name, 'db.sql'), dbSql);
    if (storageTar) await writeFile(join(backups, name, 'storage.tar'), await readFile(storageTar));
  }

  /** A copy of the good backup with its manifest edited. */
  async function tampered(name: string, edit: (m: Record<string, any>) => void): Promise<void> {
    await rm(join(backups, name), { recursive: true, force: true });
    spawnSync('cp', ['-a', join(backups, 'good'), join(backups, name)]);
    const m = JSON.parse(await readFile(join(backups, name, MANIFEST_FILE), 'utf8'));
    edit(m);
    await writeFile(join(backups, name, MANIFEST_FILE), JSON.stringify(m));
  }

  before(async () => {
    victim = await freshDatabase('victim');
    dest = await freshDatabase('trustdst');
    source = await freshDatabase('trustsrc');
    await sql(victim.url, [
      'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))',
      "INSERT INTO t VALUES (1, 'precious'), (2, 'data')",
      'CREATE VIEW v AS SELECT id FROM t',
      'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = UPPER(NEW.v)',
    ]);
    await seedTypes(source.url);
    await seedBigTable(dest.url, 'live_rows', 30, { tag: 'live' });
    dir = await mkdtemp(join(tmpdir(), 'olympia-trust-'));
    backups = join(dir, 'backups');
    destStorage = join(dir, 'storage');
    outside = join(dir, 'outside');
    await mkdir(destStorage, { recursive: true });
    await writeFile(join(destStorage, 'live.txt'), 'live file');
    await mkdir(outside, { recursive: true });
    await writeFile(join(outside, 'keep.txt'), 'must survive');
    const r = await runCli(['dump', '--name', 'good', '--backup-dir', backups, '--database-url', source.url]);
    assert.equal(r.code, 0, r.stderr);
    state = async () => ({
      victim: await tableChecksums(victim.url),
      victimObjects: await schemaObjects(victim.url),
      dest: await tableChecksums(dest.url),
      destObjects: await schemaObjects(dest.url),
      storage: await treeContents(destStorage),
      outside: await treeContents(outside),
      // Other test files load at the same time, with accounts of their own databases.
      accounts: await rows<{ u: string }>(
        server(),
        "SELECT CONCAT(User, '@', Host) AS u FROM mysql.user WHERE (User NOT LIKE 'olympia\\_%' AND User NOT LIKE 'limited%') OR User = ? ORDER BY 1",
        [loadAccountName(dest.name)],
      ),
      // The tool's own state databases (src/mysql/data-state.ts) come and go with every test file's loads.
      schemas: await rows<{ s: string }>(
        server(),
        "SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE (SCHEMA_NAME LIKE 'olympia\\_%' AND SCHEMA_NAME NOT LIKE 'olympia\\_state\\_%') OR SCHEMA_NAME LIKE 'planted%' ORDER BY 1",
      ),
    });
    baseline = await state();
  });

  after(async () => {
    for (const d of [victim, dest, source]) await d.drop();
    await rm(dir, { recursive: true, force: true });
  });

  function refused(r: CliResult, pattern: RegExp, what: string): void {
    assert.notEqual(r.code, 0, `${what}: the load must fail\n${r.stdout}`);
    assert.match(r.stderr, pattern, `${what}: says why`);
    assert.match(r.stderr, /Nothing was changed|previous data is unchanged|unchanged/i, `${what}: says nothing changed`);
  }

  /** Back to the baseline after a load that succeeded: `reset` (as a user would), then the live rows again. */
  async function restoreDest(): Promise<void> {
    assert.equal((await runCli(['reset', '--yes', '--database-url', dest.url, '--skip-index'])).code, 0);
    await sql(server(), [`CREATE DATABASE ${dest.name}`]);
    await seedBigTable(dest.url, 'live_rows', 30, { tag: 'live' });
  }

  /** A string that looks like a DEFINER clause and SQL after it loads as the data it is, and reads nothing else. */
  async function definerLookingStringIsData(url: string): Promise<void> {
    await rm(join(backups, 'definerdata'), { recursive: true, force: true });
    await addonsBackup('definerdata', "CREATE TABLE ok (a TEXT, b TEXT);\nINSERT INTO ok VALUES ('DEFINER=a@b', ' , (SELECT v FROM victim.t LIMIT 1)) -- ');\n");
    const r = await load('definerdata', url);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await rows(dest.url, 'SELECT a, b FROM ok'), [{ a: 'DEFINER=a@b', b: ' , (SELECT v FROM victim.t LIMIT 1)) -- ' }]);
    await restoreDest();
    assert.deepEqual(await state(), baseline);
  }

  const manifestAttacks: [string, (m: Record<string, any>) => void, RegExp][] = [
    ['a "view" that drops another database\'s view', (m) => m.views.push({ name: 'vx', createSql: `DROP VIEW ${'`'}victim${'`'}.v` }), /view "vx".*not a CREATE VIEW|CREATE VIEW/i],
    ['a "trigger" that drops another database\'s table', (m) => m.triggers.push({ name: 'tx', createSql: 'DROP TABLE victim.t' }), /trigger "tx"/i],
    [
      'a table created in another database',
      (m) => (m.tables[0].createSql = m.tables[0].createSql.replace(/^CREATE TABLE `([^`]+)`/, 'CREATE TABLE `victim`.`$1`')),
      /another database|table "/i,
    ],
    ['a view reading another database', (m) => m.views.push({ name: 'vx', createSql: 'CREATE VIEW vx AS SELECT * FROM victim.t' }), /vx|denied|refused/i],
    [
      'a definer view reading mysql.user',
      (m) => m.views.push({ name: 'vx', createSql: 'CREATE DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW vx AS SELECT User FROM mysql.user' }),
      /vx|denied|refused/i,
    ],
  ];
  for (const [what, edit, pattern] of manifestAttacks) {
    test(`manifest: ${what} is refused and nothing changes`, async () => {
      await tampered('evil', edit);
      refused(await load('evil'), pattern, what);
      assert.deepEqual(await state(), baseline);
    });
  }

  test('manifest: a trigger whose body writes another database loads confined: it runs as the definer account, and the write is denied', async () => {
    await tampered('evil', (m) =>
      m.triggers.push({ name: 'tx', createSql: "CREATE DEFINER=`root`@`%` TRIGGER tx AFTER INSERT ON users FOR EACH ROW INSERT INTO victim.t VALUES (NEW.id + 100, 'planted')" }),
    );
    const r = await load('evil');
    assert.equal(r.code, 0, r.stderr);
    const [t] = await rows<{ d: string }>(server(), "SELECT DEFINER AS d FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME = 'tx'", [dest.name]);
    assert.match(t.d, /^olympia_def_[0-9a-f]{12}@/, 'the trigger runs as the definer account, not as root');
    await assert.rejects(sql(dest.url, ["INSERT INTO users (id, email) VALUES (50, 'x@example.com')"]), /denied/i);
    assert.deepEqual(await tableChecksums(victim.url), (baseline as { victim: unknown }).victim);
    // MySQL keeps the lock in mysql.user, MariaDB in mysql.global_priv.
    const def = definerAccountName(dest.name);
    const locked = await rows<{ locked: string }>(server(), 'SELECT account_locked AS locked FROM mysql.user WHERE User = ?', [def]).catch(() =>
      rows<{ locked: string }>(server(), "SELECT JSON_VALUE(Priv, '$.account_locked') AS locked FROM mysql.global_priv WHERE User = ?", [def]),
    );
    assert.match(String(locked[0]?.locked), /^(true|1|Y)$/, 'the definer account cannot log in');
    // Back to the baseline for the next tests: a reset drops the database and the definer with it.
    assert.equal((await runCli(['reset', '--yes', '--database-url', dest.url, '--skip-index'])).code, 0);
    assert.deepEqual(await rows(server(), 'SELECT User FROM mysql.user WHERE User = ?', [definerAccountName(dest.name)]), [], 'the definer account goes with the database');
    await sql(server(), [`CREATE DATABASE ${dest.name}`]);
    await seedBigTable(dest.url, 'live_rows', 30, { tag: 'live' });
    assert.deepEqual(await state(), baseline);
  });

  const sqlAttacks: [string, string, RegExp][] = [
    ['DROP TABLE in another database', 'CREATE TABLE ok (id INT);\nDROP TABLE victim.t;\n', /refused|denied/i],
    ['INSERT into another database', "CREATE TABLE ok (id INT);\nINSERT INTO victim.t VALUES (9, 'x');\n", /refused|denied/i],
    ['USE without a space, then DROP VIEW', 'CREATE TABLE ok (id INT);\nUSE`victim`;\nDROP VIEW v;\n', /v|Unknown/i],
    ['GRANT to a new account', "CREATE TABLE ok (id INT);\nGRANT ALL ON *.* TO 'planted'@'%' IDENTIFIED BY 'x';\n", /refused|denied/i],
    ['SELECT … INTO OUTFILE', "CREATE TABLE ok (id INT);\nSELECT 'x' INTO OUTFILE '/tmp/olympia-planted.txt';\n", /refused|denied/i],
    ['LOAD DATA LOCAL INFILE', "CREATE TABLE ok (v TEXT);\nLOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE ok;\n", /refused|denied|LOCAL|not allowed|used command/i],
    ['SET GLOBAL', 'CREATE TABLE ok (id INT);\nSET GLOBAL max_connections = 1;\n', /refused|denied/i],
    [
      'a FEDERATED table (no privilege stops it)',
      "CREATE TABLE f (id INT) ENGINE=FEDERATED CONNECTION='mysql://u@127.0.0.1:1/db/t';\n",
      /refused: CREATE TABLE uses the storage engine FEDERATED/,
    ],
    ['DATA DIRECTORY', "CREATE TABLE f (id INT) DATA DIRECTORY='/tmp';\n", /refused: CREATE TABLE places files/],
    [
      'ANSI_QUOTES, so "names" read as strings by the check',
      'CREATE TABLE ok (v TEXT);\nSET sql_mode = \'ANSI_QUOTES\';\nCREATE TABLE f (id INT) ENGINE="FEDERATED";\n',
      /refused: it sets the SQL mode ANSI_QUOTES/,
    ],
    ['a client character set in which a quote can end a character', 'CREATE TABLE ok (v TEXT);\nSET NAMES gbk;\n', /refused: it switches the connection to the character set gbk/],
  ];
  for (const [what, text, pattern] of sqlAttacks) {
    test(`db.sql: ${what} is refused and nothing changes`, async () => {
      await rm(join(backups, 'evilsql'), { recursive: true, force: true });
      await addonsBackup('evilsql', text);
      refused(await load('evilsql'), pattern, what);
      assert.deepEqual(await state(), baseline);
      await rm('/tmp/olympia-planted.txt', { force: true });
    });
  }

  const skipped: [string, string][] = [
    ['CREATE SCHEMA', 'CREATE SCHEMA planted_schema;\n'],
    ['DROP/**/DATABASE', 'DROP/**/DATABASE victim;\n'],
    ['an executable-comment DROP DATABASE', '/*!40000 DROP DATABASE victim */;\n'],
    ['DROP SCHEMA', 'DROP SCHEMA IF EXISTS victim;\n'],
  ];
  for (const [what, text] of skipped) {
    test(`db.sql: ${what} is skipped; the rest loads and no other database changes`, async () => {
      await rm(join(backups, 'noise'), { recursive: true, force: true });
      await addonsBackup('noise', `${text}CREATE TABLE ok (id INT);\nINSERT INTO ok VALUES (1);\n`);
      const r = await load('noise');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(Object.keys(await tableChecksums(dest.url)), ['ok']);
      const s = (await state()) as Record<string, unknown>;
      const b = baseline as Record<string, unknown>;
      for (const key of ['victim', 'victimObjects', 'outside', 'accounts', 'schemas']) assert.deepEqual(s[key], b[key], `${what}: ${key} unchanged`);
      await sql(dest.url, ['DROP TABLE ok']);
      await seedBigTable(dest.url, 'live_rows', 30, { tag: 'live' });
    });
  }

  test('db.sql plants a swap journal, then fails on purpose: the next dump acts on nothing in it', async () => {
    const { journal, old } = stagingNames(dest.name);
    const doc = JSON.stringify({
      live: dest.name,
      stage: 'victim',
      old: 'victim',
      journal,
      liveTriggers: [],
      views: [],
      triggers: [],
      storage: { dir: destStorage, staged: `${destStorage}.olympia-new-1-deadbeef`, aside: outside },
    });
    const text = [
      `CREATE TABLE \`${old}\`.olympia_load_journal (doc LONGTEXT);`,
      `INSERT INTO \`${old}\`.olympia_load_journal VALUES ('${doc}');`,
      `CREATE TABLE \`${journal}\`.swap_done (doc LONGTEXT);`,
      `INSERT INTO \`${journal}\`.swap_done VALUES ('${doc}');`,
      'SELECT * FROM no_such_table;',
    ].join('\n');
    await rm(join(backups, 'trap'), { recursive: true, force: true });
    await addonsBackup('trap', text);
    refused(await load('trap'), /refused|denied/i, 'the trap');
    const r = await runCli(['dump', '--name', 'after-trap', '--backup-dir', backups, '--database-url', dest.url, '--storage-dir', destStorage]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /interrupted/i, 'no recovery ran');
    assert.deepEqual(await state(), baseline);
  });

  test('a journal the backup could not have written but that names other databases is refused loudly (exit 4), never acted on', async () => {
    const { journal } = stagingNames(dest.name);
    const doc = JSON.stringify({ live: dest.name, stage: 'victim', old: 'victim', journal, liveTriggers: [], views: [], triggers: [] });
    await sql(server(), [`CREATE DATABASE \`${journal}\``, `CREATE TABLE \`${journal}\`.swap_done (doc LONGTEXT)`]);
    await sql(server(), [`INSERT INTO \`${journal}\`.swap_done VALUES ('${doc}')`]);
    try {
      const r = await runCli(['dump', '--name', 'after-forged', '--backup-dir', backups, '--database-url', dest.url]);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /load journal .* names "victim" as its stage database/);
      assert.match(r.stderr, new RegExp(`drop the database ${journal}`));
      assert.deepEqual(((await state()) as { victim: unknown }).victim, (baseline as { victim: unknown }).victim);
    } finally {
      await sql(server(), [`DROP DATABASE IF EXISTS \`${journal}\``]);
    }
  });

  test('storage.tar with a symlink to /etc/passwd is refused (exit 4); the live storage dir is untouched', async () => {
    const src = join(dir, 'tarsrc');
    await mkdir(src, { recursive: true });
    await symlink('/etc/passwd', join(src, 'passwd'));
    const tarFile = join(dir, 'evil.tar');
    assert.equal(spawnSync('tar', ['-cf', tarFile, '-C', src, '.']).status, 0);
    await rm(join(backups, 'evilstorage'), { recursive: true, force: true });
    await addonsBackup('evilstorage', 'CREATE TABLE ok (id INT);\n', tarFile);
    const r = await load('evilstorage');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /link/i);
    assert.deepEqual(await state(), baseline);
  });

  test('db.sql: a string that looks like a DEFINER clause is data: it loads byte for byte and cannot reopen SQL', () => definerLookingStringIsData(dest.url));

  test('a db.sql that is a link to /etc/passwd is refused (exit 4) without reading it', async () => {
    await rm(join(backups, 'linked'), { recursive: true, force: true });
    await mkdir(join(backups, 'linked'), { recursive: true });
    await symlink('/etc/passwd', join(backups, 'linked', 'db.sql'));
    const r = await load('linked');
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /db\.sql is a symbolic link/);
    assert.doesNotMatch(r.stderr, /root:/, 'nothing of the target reaches the output');
    assert.deepEqual(await state(), baseline);
  });

  test('load, reset and initialize share one lock: each waits for the database held by another run', async () => {
    const holder = await mysql.createConnection({ uri: server() });
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [lockName(dest.name)]);
      for (const args of [
        ['load', '--name', 'good', '--backup-dir', backups],
        ['reset', '--yes', '--skip-index'],
        ['initialize', '--skip-index', '--skip-seed', '--backup-dir', backups],
      ]) {
        const r = await runCli([...args, '--database-url', dest.url, '--lock-timeout', '1']);
        assert.equal(r.code, 6, `${args[0]}: ${r.stderr}`);
        assert.match(r.stderr, /locked/);
      }
    } finally {
      await holder.end();
    }
    assert.deepEqual(await state(), baseline);
  });

  test('load --jobs 1000 of a small backup opens only the connections it has work for', async () => {
    const r = await runCli(['load', '--name', 'good', '--json', '--jobs', '1000', '--backup-dir', backups, '--database-url', dest.url, '--storage-dir', destStorage]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.connections >= 1 && out.connections <= out.tables, `connections: ${out.connections} for ${out.tables} tables`);
    assert.equal(out.confinement, 'account');
    await restoreDest();
    assert.deepEqual(await state(), baseline);
  });

  describe('as a user who cannot create accounts: every statement is checked', () => {
    let limitedUrl: string;
    const user = `limited${process.pid}`;
    before(async () => {
      const names = stagingNames(dest.name);
      const esc = (n: string) => n.replace(/_/g, '\\_');
      await sql(server(), [
        `CREATE USER '${user}'@'%' IDENTIFIED BY 'limited-pw'`,
        // Rights on the other database too: only the checks stand between a backup and it.
        ...[dest.name, names.stage, names.old, names.journal, victim.name].map((d) => `GRANT ALL ON \`${esc(d)}\`.* TO '${user}'@'%'`),
      ]);
      const u = new URL(dest.url);
      u.username = user;
      u.password = 'limited-pw';
      limitedUrl = u.toString();
    });
    after(() => sql(server(), [`DROP USER IF EXISTS '${user}'@'%'`]));

    test('a good backup with views and triggers loads, and says which mode ran', async () => {
      const r = await load('good', limitedUrl);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr + r.stdout, /every statement is checked/);
      assert.deepEqual(await schemaObjects(dest.url), await schemaObjects(source.url));
      await restoreDest();
    });

    const checkedAttacks: [string, string][] = [
      ['DROP TABLE in another database', 'CREATE TABLE ok (id INT);\nDROP TABLE victim.t;\n'],
      ['INSERT into another database, spaced and commented', "CREATE TABLE ok (id INT);\nINSERT INTO victim /* x */ . t VALUES (9, 'x');\n"],
      ['a trigger writing another database', "CREATE TABLE ok (id INT);\nCREATE TRIGGER tx AFTER INSERT ON ok FOR EACH ROW INSERT INTO victim.t VALUES (NEW.id, 'x');\n"],
      ['a view reading another database', 'CREATE TABLE ok (id INT);\nCREATE VIEW vx AS SELECT * FROM victim.t;\n'],
      ['a procedure', 'CREATE TABLE ok (id INT);\nCREATE PROCEDURE p() DROP TABLE victim.t;\n'],
      ['ANSI_QUOTES, then a "quoted" name of another database', 'CREATE TABLE ok (v TEXT);\nSET sql_mode = \'ANSI_QUOTES\';\nINSERT INTO ok SELECT v FROM "victim"."t";\n'],
    ];
    for (const [what, text] of checkedAttacks) {
      test(`db.sql: ${what} is refused by the checks (exit 4)`, async () => {
        await rm(join(backups, 'evilsql'), { recursive: true, force: true });
        await addonsBackup('evilsql', text);
        const r = await load('evilsql', limitedUrl);
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, /refused/);
        assert.deepEqual(await state(), baseline);
      });
    }

    test('db.sql: what runs is what was checked: a DEFINER-looking string stays data and reads nothing of another database', () => definerLookingStringIsData(limitedUrl));

    test('manifest: a trigger whose body writes another database is refused before anything changes', async () => {
      await tampered('evil', (m) => m.triggers.push({ name: 'tx', createSql: "CREATE TRIGGER tx AFTER INSERT ON users FOR EACH ROW INSERT INTO victim.t VALUES (NEW.id, 'x')" }));
      const r = await load('evil', limitedUrl);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /trigger "tx" was refused: .*another database/);
      assert.deepEqual(await state(), baseline);
    });
  });
});
