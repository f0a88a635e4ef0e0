import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { formatQuery } from '../../src/mysql/connect.js';

test('formatQuery: values are placed as mysql2 places them', () => {
  const cases: [string, Parameters<typeof mysql.format>[1]][] = [
    ['SELECT ? AS a, ?? AS b FROM t WHERE c IN (?)', [1, 'col', ['x', "o'brien"]]],
    ["SELECT '?' AS literal, ? AS v", [null]],
    ['INSERT INTO t SET ?', [{ a: 1, b: 'two' }]],
    ['SELECT ?', [Buffer.from([0, 0x27, 0x5c])]],
  ];
  for (const [sql, values] of cases) assert.equal(formatQuery(sql, values), mysql.format(sql, values), sql);
});

test('formatQuery: a statement without values goes out untouched, question marks and all', () => {
  const sql = "INSERT INTO t VALUES ('what?', X'3f'), ('??', NULL)";
  assert.equal(formatQuery(sql, []), sql);
  assert.equal(formatQuery(sql, undefined), sql);
});
