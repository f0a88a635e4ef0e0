// The action's pure parts: the job summary, the outputs, the cache path and the hashed globs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary, timeChart, type SummaryInput } from '../../src/action/summary.js';
import { outputValues } from '../../src/action/outputs.js';
import { hashGlobs } from '../../src/action/migration-key.js';
import { cachePathFor } from '../../src/action/run.js';

const KEY = `olympia-data-init-v1-${'a'.repeat(64)}`;

function input(over: Partial<SummaryInput> = {}): SummaryInput {
  return {
    command: 'initialize',
    ok: true,
    totalMs: 10_000,
    phases: [
      { title: 'Wait for the services', status: 'done', durationMs: 300, detail: 'MySQL ready (external)' },
      { title: 'Restore "_init" from the cache', status: 'done', durationMs: 1200, detail: `hit: ${KEY}` },
      { title: 'Load backup "_init"', status: 'done', durationMs: 5000, rows: 17313, detail: '12 tables, 17313 rows' },
      { title: 'Run migrations', status: 'done', durationMs: 100, detail: '0 applied, 4 already applied' },
      { title: 'Index not built', status: 'skipped', durationMs: 0, detail: 'skip-index was given' },
    ],
    cache: { key: KEY, restore: 'exact', matchedKey: KEY, save: 'not-needed' },
    migration: { hash: 'a'.repeat(64), files: 7 },
    backups: [{ name: '_init', role: 'restored from the cache', tables: 12, rows: 17313, bytes: 2_400_000 }],
    loaded: '_init',
    seeded: false,
    indexed: false,
    ...over,
  };
}

describe('renderSummary', () => {
  test('a table row per step, in order, with status, time, rows and details; skipped steps have no time', () => {
    const md = renderSummary(input());
    const rows = md.split('\n').filter((l) => /^\| (✅|➖|❌|⚠️) \|/.test(l));
    assert.deepEqual(rows, [
      '| ✅ | Wait for the services | 300 ms |  | MySQL ready (external) |',
      `| ✅ | Restore "_init" from the cache | 1.2 s |  | hit: ${KEY} |`,
      '| ✅ | Load backup "_init" | 5.0 s | 17,313 | 12 tables, 17313 rows |',
      '| ✅ | Run migrations | 100 ms |  | 0 applied, 4 already applied |',
      '| ➖ | Index not built |  |  | skip-index was given |',
    ]);
    assert.ok(md.includes('| | **Total** | **10.0 s** | | |'));
    assert.ok(md.startsWith('### olympia-data initialize: ✅ done in 10.0 s\n'));
  });

  test('the cache outcome, the key and the result', () => {
    const hit = renderSummary(input());
    assert.ok(hit.includes(`- **Cache:** ✅ **hit**: \`_init\` restored from \`${KEY}\``));
    assert.ok(hit.includes('- **Cache save:** nothing new to save'));
    assert.ok(hit.includes(`- **Migration hash:** \`${'a'.repeat(64)}\` over 7 files`));
    assert.ok(hit.includes('- **Result:** loaded: `_init` · seeded: no · indexed: no'));

    const miss = renderSummary(input({ cache: { key: KEY, restore: 'miss', save: 'saved' }, loaded: undefined, seeded: true, indexed: true, artifactId: 42 }));
    assert.ok(miss.includes(`❌ **miss**: no \`_init\` restored for \`${KEY}\``));
    assert.ok(miss.includes('- **Cache save:** saved `_init` under the key'));
    assert.ok(miss.includes('- **Result:** loaded: nothing · seeded: yes · indexed: yes · artifact ID: 42'));

    const older = `olympia-data-init-v1-${'b'.repeat(64)}`;
    const partial = renderSummary(input({ cache: { key: KEY, restore: 'partial', matchedKey: older, save: 'timeout' } }));
    assert.ok(partial.includes(`🔸 **partial hit** (incremental): \`_init\` of older migrations restored from \`${older}\``));
    assert.ok(partial.includes('not saved: the cache service did not answer in time'));

    assert.ok(!renderSummary(input({ cache: undefined })).includes('**Cache'), 'no cache lines when caching was off');
  });

  test('backup sizes', () => {
    const md = renderSummary(
      input({
        backups: [
          { name: '_init', role: 'seeded', tables: 12, rows: 17313, bytes: 2_400_000 },
          { name: 'nightly', role: 'published as an artifact', tables: 12, rows: 17313, bytes: 512 },
        ],
      }),
    );
    assert.ok(md.includes('| `_init` | seeded | 12 | 17,313 | 2.3 MB |'));
    assert.ok(md.includes('| `nightly` | published as an artifact | 12 | 17,313 | 512 B |'));
    assert.ok(!renderSummary(input({ backups: [] })).includes('| Backup |'));
  });

  test('a failure leads with the message and the hint; pipes and line breaks cannot break the table', () => {
    const md = renderSummary(
      input({
        ok: false,
        error: { message: 'MySQL at mysql://u:***@db:3306/x was not ready | gave up\nafter 2 s', hint: 'Start it.' },
        phases: [{ title: 'Wait for the services', status: 'failed', durationMs: 2000, detail: 'a | b\nc' }],
      }),
    );
    assert.ok(
      md.startsWith('### olympia-data initialize: ❌ failed in 10.0 s\n\n> [!CAUTION]\n> MySQL at mysql://u:***@db:3306/x was not ready \\| gave up after 2 s\n>\n> Start it.\n'),
    );
    assert.ok(md.includes('| ❌ | Wait for the services | 2.0 s |  | a \\| b c |'));
  });
});

describe('timeChart', () => {
  test('a Mermaid pie of seconds per step, quotes made safe, with the time outside the steps as Other', () => {
    const chart = timeChart(input().phases, 10_000);
    assert.equal(
      chart,
      [
        '```mermaid',
        'pie showData',
        '    title Where the time went (seconds)',
        '    "Wait for the services" : 0.30',
        `    "Restore '_init' from the cache" : 1.20`,
        `    "Load backup '_init'" : 5.00`,
        '    "Run migrations" : 0.10',
        '    "Other (startup, probes, outputs)" : 3.40',
        '```',
      ].join('\n'),
    );
  });

  test('repeated titles stay separate slices; nothing measurable gives no chart', () => {
    const chart = timeChart(
      [
        { title: 'Dump', status: 'done', durationMs: 1000 },
        { title: 'Dump', status: 'done', durationMs: 2000 },
      ],
      3000,
    );
    assert.ok(chart.includes('    "Dump" : 1.00\n    "Dump (2)" : 2.00\n```'));
    assert.ok(!chart.includes('Other'));
    assert.equal(timeChart([{ title: 'Index not built', status: 'skipped', durationMs: 0 }], 0), '');
    assert.ok(!renderSummary(input({ phases: [], totalMs: 0 })).includes('mermaid'));
  });
});

describe('outputValues', () => {
  test('every output is set; URLs as they are (their passwords are masked by the runner); booleans are true/false', () => {
    const values = outputValues({
      cacheHit: true,
      cacheKey: KEY,
      migrationHash: 'a'.repeat(64),
      loaded: '_init',
      seeded: false,
      indexed: true,
      backupPath: '/w/backups/_init',
      databaseUrl: 'mysql://root:s3cr%40t@127.0.0.1:3306/olympia',
      elasticsearchUrl: 'https://elastic:pw@es:9200',
    });
    assert.deepEqual(values, {
      'cache-hit': 'true',
      'cache-key': KEY,
      'cache-primary-key': KEY,
      'cache-matched-key': '',
      'migration-hash': 'a'.repeat(64),
      loaded: '_init',
      seeded: 'false',
      indexed: 'true',
      'backup-path': '/w/backups/_init',
      'artifact-id': '',
      'database-url': 'mysql://root:s3cr%40t@127.0.0.1:3306/olympia',
      'elasticsearch-url': 'https://elastic:pw@es:9200',
    });
    assert.equal(outputValues({ cacheHit: false, seeded: false, indexed: false })['database-url'], '');
  });
});

describe('cache path and hashed globs', () => {
  test('the _init path is workspace-relative inside the workspace (jobs on other runners share the entry), absolute outside', () => {
    assert.equal(cachePathFor('/home/runner/work/app/app/backups/_init', '/home/runner/work/app/app'), 'backups/_init');
    assert.equal(cachePathFor('/tmp/backups/_init', '/home/runner/work/app/app'), '/tmp/backups/_init');
  });

  test('the migrations input plus the seed files; without it, the config hash globs', () => {
    const config = { hashGlobs: ['migrations/**', 'seed/*.sql'], seed: { files: ['seed/*.sql'] } };
    assert.deepEqual(hashGlobs(config, []), ['migrations/**', 'seed/*.sql']);
    assert.deepEqual(hashGlobs(config, ['src/*/migrations/*.py', 'seed/*.sql']), ['src/*/migrations/*.py', 'seed/*.sql']);
    assert.deepEqual(hashGlobs({ ...config, seed: { files: [] } }, ['db/**']), ['db/**']);
  });
});
