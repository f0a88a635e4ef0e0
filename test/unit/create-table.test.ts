import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnTypes, DEFER_INDEXES_MIN_BYTES, splitCreateTable, tableCreation } from '../../src/load/create-table.js';

const addons = [
  'CREATE TABLE `addons` (',
  '  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,',
  '  `slug` varchar(30) NOT NULL,',
  '  `author_id` int(10) unsigned DEFAULT NULL,',
  "  `summary` text DEFAULT 'a, b',",
  '  PRIMARY KEY (`id`),',
  '  UNIQUE KEY `slug` (`slug`),',
  '  KEY `author_idx` (`author_id`),',
  '  FULLTEXT KEY `ft1` (`summary`),',
  '  FULLTEXT KEY `ft2` (`slug`,`summary`),',
  '  CONSTRAINT `addons_author_fk` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL,',
  '  CONSTRAINT `chk` CHECK (`id` > 0)',
  ') ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
].join('\n');

test('moves secondary indexes and foreign keys out of the create statement', () => {
  const { create, deferred } = splitCreateTable('addons', addons);
  assert.equal(
    create,
    [
      'CREATE TABLE `addons` (',
      '  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,',
      '  `slug` varchar(30) NOT NULL,',
      '  `author_id` int(10) unsigned DEFAULT NULL,',
      "  `summary` text DEFAULT 'a, b',",
      '  PRIMARY KEY (`id`),',
      '  CONSTRAINT `chk` CHECK (`id` > 0)',
      ') ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
    ].join('\n'),
  );
  assert.deepEqual(deferred, [
    'ALTER TABLE `addons` ADD UNIQUE KEY `slug` (`slug`), ADD KEY `author_idx` (`author_id`), ADD CONSTRAINT `addons_author_fk` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL',
    'ALTER TABLE `addons` ADD FULLTEXT KEY `ft1` (`summary`)',
    'ALTER TABLE `addons` ADD FULLTEXT KEY `ft2` (`slug`,`summary`)',
  ]);
});

test('keeps the key an AUTO_INCREMENT column depends on when it is not the primary key', () => {
  const sql = [
    'CREATE TABLE `t` (',
    '  `a` int NOT NULL,',
    '  `seq` int NOT NULL AUTO_INCREMENT,',
    '  PRIMARY KEY (`a`),',
    '  KEY `other` (`a`,`seq`),',
    '  UNIQUE KEY `seq` (`seq`)',
    ') ENGINE=InnoDB',
  ].join('\n');
  const { create, deferred } = splitCreateTable('t', sql);
  assert.match(create, /UNIQUE KEY `seq` \(`seq`\)\n\) ENGINE/);
  assert.deepEqual(deferred, ['ALTER TABLE `t` ADD KEY `other` (`a`,`seq`)']);
});

test('a table with nothing to defer is unchanged', () => {
  const sql = 'CREATE TABLE `t` (\n  `a` int NOT NULL,\n  PRIMARY KEY (`a`)\n) ENGINE=InnoDB';
  assert.deepEqual(splitCreateTable('t', sql), { create: sql, deferred: [] });
});

test('quotes backticks in table names', () => {
  const sql = 'CREATE TABLE `we``ird` (\n  `a` int NOT NULL,\n  KEY `k` (`a`)\n) ENGINE=InnoDB';
  assert.deepEqual(splitCreateTable('we`ird', sql).deferred, ['ALTER TABLE `we``ird` ADD KEY `k` (`a`)']);
});

test('a small table is created whole; from DEFER_INDEXES_MIN_BYTES of data on, bare with its indexes deferred', () => {
  const small = tableCreation('addons', addons, DEFER_INDEXES_MIN_BYTES - 1);
  assert.equal(small.create, addons);
  assert.deepEqual(small.deferred, []);
  const big = tableCreation('addons', addons, DEFER_INDEXES_MIN_BYTES);
  assert.deepEqual(big, splitCreateTable('addons', addons));
  assert.ok(big.deferred.length > 0);
});

test('columnTypes: the first word after each column name, as DATA_TYPE names it; keys are not columns', () => {
  const types = columnTypes(addons);
  assert.deepEqual(Object.fromEntries(types), { id: 'int', slug: 'varchar', author_id: 'int', summary: 'text' });
  assert.deepEqual(Object.fromEntries(columnTypes('CREATE TABLE `t` (\n  `we``ird` json DEFAULT NULL,\n  `b` bit(1) NOT NULL\n) ENGINE=InnoDB')), { 'we`ird': 'json', b: 'bit' });
  // Type names with digits (MariaDB's INET4 and INET6) are whole.
  assert.deepEqual(Object.fromEntries(columnTypes('CREATE TABLE `t` (\n  `a` inet6 DEFAULT NULL,\n  `b` inet4 NOT NULL,\n  `c` uuid\n)')), { a: 'inet6', b: 'inet4', c: 'uuid' });
});
