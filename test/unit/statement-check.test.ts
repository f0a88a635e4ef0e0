import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBackupStatement, tableStatement, tokenize, triggerStatement, viewStatement, withoutDefiners } from '../../src/load/statement-check.js';
import { IntegrityError } from '../../src/core/errors.js';

const maria = { mariadb: true, version: 101119 };
const mysql8 = { mariadb: false, version: 80036 };
const ctx = (tables: string[] = ['t', 'users', 'addons', 'ok', 'log']) => ({ server: maria, tables: new Set(tables) });
const action = (sql: string, tables?: string[]) => checkBackupStatement(sql, ctx(tables)).action;

test('dump noise is skipped however it is spelled', () => {
  for (const sql of [
    'USE `x`',
    'USE`x`',
    'use x',
    'CREATE DATABASE /*!32312 IF NOT EXISTS*/ `x`',
    'CREATE SCHEMA x',
    'DROP/**/DATABASE x',
    '/*!40000 DROP DATABASE x */',
    'DROP SCHEMA IF EXISTS x',
    '-- just a comment\n',
    '/*M!999999\\- enable the sandbox mode */',
  ]) {
    assert.equal(action(sql), 'skip', sql);
  }
});

test('a statement that names another database is refused', () => {
  for (const sql of [
    'DROP TABLE otherdb.t',
    'INSERT INTO otherdb.t VALUES (1)',
    'INSERT INTO otherdb /* x */ . t VALUES (1)',
    'CREATE TABLE otherdb.planted (id int)',
    'CREATE TABLE x LIKE otherdb.t',
    'CREATE TABLE x AS SELECT * FROM otherdb.t',
    'CREATE TRIGGER tx AFTER INSERT ON t FOR EACH ROW INSERT INTO otherdb.t VALUES (NEW.id)',
    'CREATE TRIGGER tx AFTER INSERT ON otherdb.t FOR EACH ROW SET NEW.a = 1',
    'CREATE VIEW v AS SELECT * FROM mysql.user',
    'CREATE VIEW v AS SELECT a.id FROM t a, otherdb.secret s',
    'SELECT `a`.`b`.`c` FROM t',
    'INSERT INTO t SELECT `a`.`b`.`c` FROM t',
    'LOCK TABLES t WRITE, otherdb.t READ',
    'UPDATE otherdb.t SET x = 1',
    'INSERT INTO t VALUES (otherdb.f(1))',
    'CREATE TABLE c (id INT, FOREIGN KEY (id) REFERENCES otherdb.p (id))',
  ]) {
    const r = checkBackupStatement(sql, ctx());
    assert.equal(r.action, 'refuse', sql);
  }
  const r = checkBackupStatement('DROP TABLE otherdb.t', ctx());
  assert.ok(r.action === 'refuse' && /another database \("otherdb\.t"\)/.test(r.why));
});

test('statements that are not data are refused', () => {
  for (const sql of [
    "GRANT ALL ON *.* TO 'x'@'%'",
    'CREATE USER x',
    'CREATE PROCEDURE p() SELECT 1',
    'CREATE EVENT e ON SCHEDULE EVERY 1 SECOND DO DELETE FROM t',
    'CALL p()',
    "PREPARE s FROM 'DROP DATABASE x'",
    'SET GLOBAL local_infile = 1',
    'SET @@global.max_connections = 1',
    "SET PASSWORD = 'x'",
    "SELECT LOAD_FILE('/etc/passwd')",
    "INSERT INTO t SELECT LOAD_FILE('/etc/passwd')",
    "SELECT 1 INTO OUTFILE '/tmp/x'",
    "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
    "CREATE TABLE f (id INT) ENGINE=FEDERATED CONNECTION='mysql://u@h/db/t'",
    "CREATE TABLE f (id INT) DATA DIRECTORY='/tmp'",
    'CREATE TABLE m (id INT) ENGINE=MRG_MyISAM UNION=(t)',
    'RENAME TABLE t TO x',
    'SHUTDOWN',
  ]) {
    assert.equal(action(sql), 'refuse', sql);
  }
});

test('what no privilege stops is refused in every mode; other refusals only where statements are checked', () => {
  const r = (sql: string) => checkBackupStatement(sql, ctx());
  for (const sql of [
    "CREATE TABLE f (id INT) ENGINE=FEDERATED CONNECTION='mysql://u@h/db/t'",
    "CREATE TABLE f (id INT) DATA DIRECTORY='/tmp'",
    'ALTER TABLE t ENGINE = CONNECT',
    "CREATE TABLE f (id INT) ENGINE=InnoDB CONNECTION='x'",
  ]) {
    const x = r(sql);
    assert.ok(x.action === 'refuse' && x.always === true, sql);
  }
  for (const sql of ['DROP TABLE otherdb.t', 'CREATE TABLE r (id INT) ENGINE=ROCKSDB', 'GRANT ALL ON *.* TO x']) {
    const x = r(sql);
    assert.ok(x.action === 'refuse' && !x.always, sql);
  }
});

test('a version-gated comment is code only on a server that new', () => {
  assert.equal(checkBackupStatement('/*!90000 DROP TABLE otherdb.t */ INSERT INTO t VALUES (1)', { server: mysql8, tables: new Set(['t']) }).action, 'run');
  assert.equal(checkBackupStatement('INSERT INTO t VALUES (1) /*!80000 , (otherdb.f()) */', { server: mysql8, tables: new Set(['t']) }).action, 'refuse');
  assert.equal(checkBackupStatement('/*M!100100 DROP TABLE otherdb.t */ INSERT INTO t VALUES (1)', { server: mysql8, tables: new Set(['t']) }).action, 'run');
  assert.equal(checkBackupStatement('INSERT INTO t VALUES (1) /*M!100100 , (otherdb.f()) */', ctx()).action, 'refuse');
});

test('a real mysqldump of one database passes, and what it creates is remembered', () => {
  const dump = [
    '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */',
    '/*!40101 SET NAMES utf8mb4 */',
    "/*!40103 SET TIME_ZONE='+00:00' */",
    "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */",
    'DROP TABLE IF EXISTS `users`',
    '/*!40101 SET @saved_cs_client     = @@character_set_client */',
    'CREATE TABLE `users` (\n  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    'CREATE TABLE `addons` (\n  `id` int NOT NULL,\n  `author_id` int DEFAULT NULL,\n  KEY `a` (`author_id`),\n  CONSTRAINT `fk` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL\n) ENGINE=InnoDB',
    'LOCK TABLES `addons` WRITE',
    '/*!40000 ALTER TABLE `addons` DISABLE KEYS */',
    "INSERT INTO `addons` VALUES (1,NULL),(2,'otherdb.t'),(3,'; DROP DATABASE x; --')",
    'UNLOCK TABLES',
    '/*!50001 CREATE ALGORITHM=UNDEFINED */ /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */ /*!50001 VIEW `pub` AS select `a`.`id` AS `id`,`u`.`id` AS `uid` from (`addons` `a` join `users` `u` on((`a`.`author_id` = `u`.`id`))) */',
    '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `lower` BEFORE INSERT ON `addons` FOR EACH ROW SET NEW.author_id = NEW.author_id + 0 */',
    'CREATE DEFINER=root@localhost TRIGGER t2 AFTER UPDATE ON addons FOR EACH ROW BEGIN\n  UPDATE users SET id = id WHERE users.id = NEW.author_id;\nEND',
  ];
  const c = { server: maria, tables: new Set<string>() };
  for (const sql of dump) {
    const r = checkBackupStatement(sql, c);
    assert.equal(r.action, 'run', `${sql}: ${JSON.stringify(r)}`);
    if (r.action === 'run' && r.created) (c.tables as Set<string>).add(r.created.toLowerCase());
  }
  assert.deepEqual([...c.tables], ['users', 'addons', 'pub']);
});

test('views are rewritten: no definer, INVOKER, same body byte for byte', () => {
  const body = " AS select `t`.`id` AS `id` from `t` where `t`.`v` = 'é `x`'";
  assert.equal(
    viewStatement('v', 'CREATE ALGORITHM=MERGE DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v`' + body, maria),
    'CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `v`' + body,
  );
  assert.equal(viewStatement('v', "CREATE OR REPLACE DEFINER='a'@'%' VIEW v" + body, maria), 'CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `v`' + body);
  assert.equal(viewStatement('v', 'CREATE DEFINER=CURRENT_USER() VIEW v' + body, maria), 'CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `v`' + body);
  for (const [sql, why] of [
    ['DROP VIEW otherdb.v', /not a CREATE VIEW/],
    ['CREATE VIEW otherdb.v AS SELECT 1', /unqualified/],
    ['CREATE VIEW w AS SELECT 1', /creates "w" instead/],
    ['CREATE TABLE v (id int)', /not a CREATE VIEW/],
  ] as const) {
    assert.throws(
      () => viewStatement('v', sql, maria),
      (e: unknown) => e instanceof IntegrityError && why.test(e.message),
      sql,
    );
  }
});

test('triggers are rewritten without their definer, in all its forms', () => {
  const rest = 'TRIGGER `tr` BEFORE INSERT ON `addons` FOR EACH ROW SET NEW.slug = LOWER(NEW.slug)';
  for (const definer of [
    'DEFINER=`root`@`%` ',
    "DEFINER='root'@'localhost' ",
    'DEFINER=root@localhost ',
    "DEFINER=root@'h' ",
    'DEFINER=CURRENT_USER ',
    'DEFINER = CURRENT_USER() ',
    '',
  ]) {
    assert.deepEqual(triggerStatement('tr', `CREATE ${definer}${rest}`, maria), { sql: `CREATE ${rest}`, table: 'addons' });
  }
  assert.throws(() => triggerStatement('tr', 'DROP TABLE victim.t', maria), IntegrityError);
  assert.throws(() => triggerStatement('tr', 'CREATE TRIGGER tr BEFORE INSERT ON victim.t FOR EACH ROW SET NEW.a = 1', maria), /another database/);
  assert.throws(() => triggerStatement('tr', 'CREATE TRIGGER other BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1', maria), /creates "other"/);
  assert.throws(() => triggerStatement('tr', 'CREATE TRIGGER IF NOT EXISTS tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1', maria), /IF NOT EXISTS/);
});

test('table statements must create exactly the named table from a column list', () => {
  assert.equal(tableStatement('t', 'CREATE TABLE `t` (\n `id` int\n)', maria), 'CREATE TABLE `t` (\n `id` int\n)');
  assert.throws(() => tableStatement('t', 'CREATE TABLE `victim`.`t` (id int)', maria), /unqualified/);
  assert.throws(() => tableStatement('t', 'CREATE TABLE t SELECT * FROM x', maria), /columns/);
  assert.throws(() => tableStatement('t', 'CREATE TABLE t LIKE x', maria), /columns/);
  assert.throws(() => tableStatement('t', 'DROP TABLE t', maria), /not a CREATE TABLE/);
  // One that may take a table it finds could, in a failed fill, have the recovery drop another client's.
  assert.throws(() => tableStatement('t', 'CREATE TABLE IF NOT EXISTS `t` (id int)', maria), /IF NOT EXISTS/);
  assert.throws(() => tableStatement('t', 'CREATE TABLE /*!32312 IF NOT EXISTS*/ `t` (id int)', maria), /IF NOT EXISTS/);
});

test('the tokenizer keeps strings and quoted names whole and reports unterminated ones', () => {
  assert.deepEqual(
    tokenize("SELECT 'a''b\\'c', `x``y`, 1.5e3, @@SESSION.sql_mode", maria).map((t) => [t.kind, t.value]),
    [
      ['word', 'SELECT'],
      ['string', "'a''b\\'c'"],
      ['op', ','],
      ['ident', 'x`y'],
      ['op', ','],
      ['number', '1.5e3'],
      ['op', ','],
      ['var', '@@SESSION.SQL_MODE'],
    ],
  );
  assert.throws(() => tokenize("SELECT 'open", maria), IntegrityError);
  assert.throws(() => tokenize('SELECT /* open', maria), IntegrityError);
});

test('DEFINER clauses are cut on tokens: strings keep their bytes, every clause form goes', () => {
  assert.equal(
    withoutDefiners("INSERT INTO t VALUES ('DEFINER=a@b', ' , (SELECT s FROM otherdb.s)) -- ')", maria),
    "INSERT INTO t VALUES ('DEFINER=a@b', ' , (SELECT s FROM otherdb.s)) -- ')",
  );
  assert.equal(
    withoutDefiners('/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1 */', maria),
    '/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1 */',
  );
  assert.equal(withoutDefiners("CREATE DEFINER='u'@'%' SQL SECURITY DEFINER VIEW v AS SELECT 'DEFINER=x@y'", maria), "CREATE  SQL SECURITY DEFINER VIEW v AS SELECT 'DEFINER=x@y'");
  assert.equal(
    withoutDefiners('CREATE DEFINER=CURRENT_USER() TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1', maria),
    'CREATE  TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1',
  );
});

test("a table list after UPDATE takes no qualifier, even one that is also a backup table's name", () => {
  assert.equal(action('UPDATE t, mysql.user SET t.id = 1', ['t', 'mysql']), 'refuse');
  assert.equal(action('UPDATE t SET t.id = 1 WHERE t.id = 2'), 'run');
  assert.equal(action('INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE id = 2'), 'run');
});

test('a quoted ENGINE and SET STATEMENT are refused in every mode', () => {
  for (const sql of ["CREATE TABLE f (id INT) ENGINE='FEDERATED'", "SET STATEMENT sql_mode='ANSI_QUOTES' FOR INSERT INTO t VALUES (1)"]) {
    const r = checkBackupStatement(sql, ctx());
    assert.ok(r.action === 'refuse' && r.always === true, sql);
  }
});
