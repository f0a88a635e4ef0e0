// Pure parts of native indexing: index names, settings merge, query source, row → document conversion.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildIndexName, isBuildIndexOf } from '../../src/search/index-naming.js';
import { flattenSettings, loadingSettings, servingSettings, unwrapMappings } from '../../src/search/index-settings.js';
import { isSqlFilePath } from '../../src/search/index-source.js';
import { rowConverter, type ColumnInfo } from '../../src/search/row-documents.js';

describe('index names', () => {
  test('are the alias plus a lower-case UTC timestamp that sorts by time', () => {
    const a = buildIndexName('addons', new Date('2024-03-09T07:05:04.003Z'));
    const b = buildIndexName('addons', new Date('2024-11-10T17:25:14.120Z'));
    assert.equal(a, 'addons-20240309-070504-003');
    assert.equal(b, 'addons-20241110-172514-120');
    assert.ok(a < b);
    assert.equal(a, a.toLowerCase());
  });

  test('belong to their alias only', () => {
    assert.ok(isBuildIndexOf('addons', 'addons-20240309-070504-003'));
    assert.ok(!isBuildIndexOf('addons', 'addons'));
    assert.ok(!isBuildIndexOf('addons', 'addons-stats-20240309-070504-003'));
    assert.ok(!isBuildIndexOf('addons', 'addons-20240309-070504-003-x'));
    assert.ok(!isBuildIndexOf('a.b', 'axb-20240309-070504-003'), 'dots in the alias are literal');
  });
});

describe('index settings', () => {
  test('nested, dotted and unprefixed forms flatten to the same index.* keys', () => {
    const expected = { 'index.number_of_shards': 2, 'index.refresh_interval': '5s', 'index.analysis.analyzer.folded.filter': ['lowercase', 'asciifolding'] };
    const analysis = { analysis: { analyzer: { folded: { filter: ['lowercase', 'asciifolding'] } } } };
    assert.deepEqual(flattenSettings({ index: { number_of_shards: 2, refresh_interval: '5s', ...analysis } }), expected);
    assert.deepEqual(flattenSettings({ 'index.number_of_shards': 2, refresh_interval: '5s', ...analysis }), expected);
    assert.deepEqual(flattenSettings({ settings: { number_of_shards: 2, 'index.refresh_interval': '5s', ...analysis } }), expected);
    assert.deepEqual(flattenSettings(undefined), {});
    assert.throws(() => flattenSettings([1], 'settings.json'), /settings.json must hold a JSON object/);
  });

  test('the load runs with no replicas and no refresh, whatever the user asked for', () => {
    const user = flattenSettings({ index: { number_of_replicas: 2, refresh_interval: '30s', number_of_shards: 3 } });
    assert.deepEqual(loadingSettings(user), { 'index.number_of_replicas': 0, 'index.refresh_interval': '-1', 'index.number_of_shards': 3 });
  });

  test('afterwards the user’s values come back, or null (Elasticsearch’s default) when they gave none', () => {
    assert.deepEqual(servingSettings(flattenSettings({ number_of_replicas: 2, refresh_interval: '30s' })), { 'index.number_of_replicas': 2, 'index.refresh_interval': '30s' });
    assert.deepEqual(servingSettings({}), { 'index.number_of_replicas': null, 'index.refresh_interval': null });
  });

  test('mappings may come wrapped in {"mappings": …} or bare', () => {
    const props = { properties: { name: { type: 'text' } } };
    assert.deepEqual(unwrapMappings({ mappings: props }), props);
    assert.deepEqual(unwrapMappings(props), props);
    assert.deepEqual(unwrapMappings(null), {});
  });
});

describe('query source', () => {
  test('a single token ending in .sql is a file, anything else is SQL', () => {
    assert.ok(isSqlFilePath('index/addons.sql'));
    assert.ok(isSqlFilePath(' queries/Addons.SQL '));
    assert.ok(!isSqlFilePath('SELECT * FROM addons'));
    assert.ok(!isSqlFilePath("SELECT 'x.sql'"));
    assert.ok(!isSqlFilePath('a.sql; DROP TABLE x.sql'));
  });
});

describe('rows to documents', () => {
  const cols: ColumnInfo[] = [
    { name: 'id', type: 3, columnLength: 11, characterSet: 63 },
    { name: 'name', type: 253, columnLength: 400, characterSet: 224 },
    { name: 'created', type: 12, columnLength: 26, characterSet: 63 },
    { name: 'is_disabled', type: 1, columnLength: 1, characterSet: 63 },
    { name: 'status', type: 1, columnLength: 4, characterSet: 63 },
    { name: 'icon', type: 252, columnLength: 65535, characterSet: 63 },
    { name: 'description', type: 252, columnLength: 65535, characterSet: 224 },
    { name: 'meta', type: 252, characterSet: 224, extendedFormat: 'json' },
  ];

  test('the id column becomes the _id; dates, TINYINT(1), binary and MariaDB JSON are made Elasticsearch-ready', () => {
    const convert = rowConverter(cols, 'id', 'addons');
    const doc = convert({
      id: 7,
      name: 'Tab',
      created: '2024-01-02 03:04:05.250000',
      is_disabled: 1,
      status: 4,
      icon: Buffer.from([0, 255]),
      description: 'x\ny',
      meta: '{"a":[1]}',
    });
    assert.equal(doc.id, '7');
    assert.deepEqual(JSON.parse(doc.json), {
      id: 7,
      name: 'Tab',
      created: '2024-01-02T03:04:05.250000',
      is_disabled: true,
      status: 4,
      icon: 'AP8=',
      description: 'x\ny',
      meta: { a: [1] },
    });
  });

  test('NULLs stay null and zero dates become null', () => {
    const convert = rowConverter(cols, 'id', 'addons');
    const doc = JSON.parse(convert({ id: 'a', name: null, created: '0000-00-00 00:00:00', is_disabled: 0, status: null, icon: null, description: null, meta: 'not json' }).json);
    assert.deepEqual(doc, { id: 'a', name: null, created: null, is_disabled: false, status: null, icon: null, description: null, meta: 'not json' });
  });

  test('a missing id column or an empty id is an error naming the column', () => {
    assert.throws(() => rowConverter(cols, 'addon_id', 'addons'), /no column "addon_id".*it returns: id, name/);
    const convert = rowConverter(cols, 'id', 'addons');
    assert.throws(() => convert({ id: null }), /no value in its id column "id"/);
  });
});
