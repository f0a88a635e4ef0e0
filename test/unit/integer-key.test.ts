import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { integerKey, type ColumnInfo } from '../../src/mysql/schema.js';

const col = (name: string, dataType: string): ColumnInfo => ({ name, dataType, generated: false });
const columns = [col('id', 'bigint'), col('code', 'varchar'), col('n', 'tinyint'), col('price', 'decimal')];

describe('which primary keys a dump can split into ranges', () => {
  test('one integer column, of any integer type', () => {
    assert.equal(integerKey(['id'], columns), 'id');
    assert.equal(integerKey(['n'], columns), 'n');
  });
  test('not a composite, non-integer or missing key', () => {
    assert.equal(integerKey(['id', 'n'], columns), undefined);
    assert.equal(integerKey(['code'], columns), undefined);
    assert.equal(integerKey(['price'], columns), undefined);
    assert.equal(integerKey(undefined, columns), undefined);
    assert.equal(integerKey([], columns), undefined);
    assert.equal(integerKey(['gone'], columns), undefined, 'a key column not among the dumped ones (e.g. generated)');
  });
});
