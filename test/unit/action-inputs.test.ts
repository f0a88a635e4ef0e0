// Inputs arrive as the runner sets them: INPUT_<NAME> with the name upper-cased and hyphens kept.
import { realIO } from '../../src/action/runtime.js';
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readInputs, parseArtifactRef } from '../../src/action/inputs.js';
import { UsageError } from '../../src/core/errors.js';
import { recordActionsLog } from '../action/fake-actions-services.js';

const saved = { ...process.env };

function setInputs(inputs: Record<string, string>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

function rejectsNaming(inputs: Record<string, string>, input: string, fragment?: string): void {
  setInputs(inputs);
  assert.throws(
    () => readInputs(realIO()),
    (e: unknown) => e instanceof UsageError && e.message.includes(input) && (fragment === undefined || e.message.includes(fragment)),
  );
}

beforeEach(() => {
  process.env.GITHUB_WORKSPACE = '/home/runner/work/app/app';
});
afterEach(() => {
  process.env = { ...saved };
});

describe('readInputs', () => {
  test('no inputs: initialize with docker services, cache on, everything else off or unset', () => {
    setInputs({});
    const o = readInputs(realIO());
    assert.equal(o.command, 'initialize');
    assert.equal(o.services, 'docker');
    assert.equal(o.cache, true);
    assert.equal(o.cacheKeyPrefix, 'olympia-data-init');
    assert.deepEqual([o.clean, o.skipSeed, o.skipIndex, o.incremental], [false, false, false, false]);
    assert.deepEqual(o.migrations, []);
    assert.equal(o.workingDirectory, '/home/runner/work/app/app');
    assert.equal(o.load ?? o.publish ?? o.artifact ?? o.databaseUrl ?? o.retentionDays, undefined);
  });

  test('reads every input under its runner env name (INPUT_SKIP-SEED, …)', () => {
    setInputs({
      command: 'seed',
      clean: 'TRUE',
      load: 'before-upgrade',
      'skip-seed': 'True',
      'skip-index': 'true',
      'enable-local-infile': 'true',
      services: 'external',
      'mysql-image': 'mysql:8.0',
      'elasticsearch-image': 'elasticsearch:7.17.25',
      'database-url': 'mysql://root:pw@127.0.0.1:3306/olympia',
      'elasticsearch-url': 'http://127.0.0.1:9200',
      'backup-dir': 'data/backups',
      'storage-dir': 'storage',
      migrations: 'src/**/migrations/*.py\n\n# seeds\nsrc/olympia/amo/fixtures/*.json\n',
      cache: 'false',
      'cache-key-prefix': 'amo-mysql8',
      'cache-key-server': 'mysql-8.0',
      'restore-keys': 'amo-mysql8-\n# older\namo-',
      incremental: 'true',
      'migrate-command': 'python manage.py migrate --noinput',
      'seed-command': 'make seed',
      'index-command': 'python manage.py reindex',
      'working-directory': 'app',
      publish: 'nightly',
      'retention-days': '7',
      'github-token': 'ghs_example',
    });
    assert.deepEqual(readInputs(realIO()), {
      command: 'seed',
      clean: true,
      load: 'before-upgrade',
      skipSeed: true,
      skipIndex: true,
      enableLocalInfile: true,
      services: 'external',
      mysqlImage: 'mysql:8.0',
      elasticsearchImage: 'elasticsearch:7.17.25',
      databaseUrl: 'mysql://root:pw@127.0.0.1:3306/olympia',
      elasticsearchUrl: 'http://127.0.0.1:9200',
      backupDir: 'data/backups',
      storageDir: 'storage',
      migrations: ['src/**/migrations/*.py', 'src/olympia/amo/fixtures/*.json'],
      cache: false,
      cacheKeyPrefix: 'amo-mysql8',
      cacheKeyServer: 'mysql-8.0',
      restoreKeys: ['amo-mysql8-', 'amo-'],
      lookupOnly: false,
      failOnCacheMiss: false,
      incremental: true,
      migrateCommand: 'python manage.py migrate --noinput',
      seedCommand: 'make seed',
      indexCommand: 'python manage.py reindex',
      workingDirectory: '/home/runner/work/app/app/app',
      publish: 'nightly',
      retentionDays: 7,
      artifact: undefined,
      githubToken: 'ghs_example',
    });
  });

  test('an unknown command names the input and the allowed values', () => rejectsNaming({ command: 'migrate' }, 'command', 'initialize, seed, dump, load'));
  test('an unknown services value names the input and the allowed values', () => rejectsNaming({ services: 'podman' }, 'services', 'docker, external'));
  for (const name of ['clean', 'skip-seed', 'skip-index', 'cache', 'incremental']) {
    test(`a non-boolean ${name} is an error naming the input`, () => rejectsNaming({ [name]: 'yes' }, name, '"yes"'));
  }
  test('an invalid load name names the input', () => rejectsNaming({ load: '../etc' }, 'load', 'path separator'));
  test('an invalid publish name names the input', () => rejectsNaming({ publish: 'a b' }, 'publish'));
  test('an invalid artifact name names the input', () => rejectsNaming({ artifact: '.hidden' }, 'artifact'));
  test('load and artifact together are refused', () => rejectsNaming({ load: 'a', artifact: 'b' }, 'artifact'));
  for (const days of ['0', '91', '7.5', 'week', '-1']) {
    test(`retention-days ${days} is refused`, () => rejectsNaming({ 'retention-days': days }, 'retention-days', 'from 1 to 90'));
  }
  test('a comma in cache-key-prefix is refused, naming the input', () => rejectsNaming({ 'cache-key-prefix': 'a,b' }, 'cache-key-prefix'));
  test('a database-url that is not mysql:// names the input', () => rejectsNaming({ 'database-url': 'postgres://u:p@h/db' }, 'database-url'));
  test('an elasticsearch-url that is not http(s) names the input', () => rejectsNaming({ 'elasticsearch-url': 'localhost:9200' }, 'elasticsearch-url'));
});

describe('secrets', () => {
  test('passwords and the token are masked before anything else is written, and errors never show them', () => {
    setInputs({ 'database-url': 'postgres://root:s3cr%40t@db/olympia', 'elasticsearch-url': 'https://elastic:es-pass@es:9200', 'github-token': 'ghs_token123' });
    const log = recordActionsLog();
    let error: unknown;
    try {
      readInputs(realIO());
    } catch (e) {
      error = e;
    } finally {
      log.stop();
    }
    assert.ok(error instanceof UsageError);
    assert.ok(!`${error.message} ${error.hint ?? ''}`.includes('s3cr'), error.message);
    const masks = log.lines().filter((l) => l.startsWith('::add-mask::'));
    assert.deepEqual(
      new Set(masks),
      new Set([
        '::add-mask::s3cr%2540t', // the runner's escaping of %
        '::add-mask::s3cr@t',
        '::add-mask::es-pass',
        '::add-mask::ghs_token123',
      ]),
    );
    assert.deepEqual(log.lines(), masks, 'nothing but masks was written');
  });

  test('a database-url too broken to parse still has its password masked', () => {
    setInputs({ 'database-url': 'mysql://root:p@ss w0rd@host:notaport/db' });
    const log = recordActionsLog();
    try {
      assert.throws(
        () => readInputs(realIO()),
        (e: unknown) => e instanceof UsageError && !e.message.includes('w0rd'),
      );
    } finally {
      log.stop();
    }
    assert.ok(log.lines().includes('::add-mask::p@ss w0rd'), log.lines().join('\n'));
  });
});

describe('parseArtifactRef', () => {
  test('NAME is a backup of this run', () => assert.deepEqual(parseArtifactRef('nightly'), { name: 'nightly' }));
  test('RUN_ID/NAME is another run of this repository', () => assert.deepEqual(parseArtifactRef('12345/nightly'), { name: 'nightly', workflowRunId: 12345 }));
  test('OWNER/REPO/RUN_ID/NAME is a run of another repository', () =>
    assert.deepEqual(parseArtifactRef('mozilla/addons-server/987/nightly'), { name: 'nightly', workflowRunId: 987, repository: 'mozilla/addons-server' }));
  test('a run ID that is not a number is refused', () => assert.throws(() => parseArtifactRef('latest/nightly'), /artifact.*not a workflow run ID/));
  test('three parts is refused', () => assert.throws(() => parseArtifactRef('a/1/nightly'), UsageError));
});
