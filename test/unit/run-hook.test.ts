import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hookEnvironment, hookFailure, hookSecrets, maskSecrets } from '../../src/hooks/run-hook.js';
import { HookError, UsageError } from '../../src/core/errors.js';
import { loadConfig, validateConfig } from '../../src/core/config.js';
import { join } from 'node:path';

const URL_ = 'mysql://olympia:s%40cret@db.example:3307/olympia_test';

describe('hookEnvironment', () => {
  test('adds DATABASE_URL, ELASTICSEARCH_URL and the decoded MySQL parts to the base environment', () => {
    const env = hookEnvironment({ PATH: '/bin', KEEP: 'x' }, URL_, 'http://127.0.0.1:9200');
    assert.deepEqual(env, {
      PATH: '/bin',
      KEEP: 'x',
      DATABASE_URL: URL_,
      MYSQL_HOST: 'db.example',
      MYSQL_PORT: '3307',
      MYSQL_USER: 'olympia',
      MYSQL_PASSWORD: 's@cret',
      MYSQL_DATABASE: 'olympia_test',
      ELASTICSEARCH_URL: 'http://127.0.0.1:9200',
    });
  });

  test("hookEnv aliases give the same values under the names a project's settings read", () => {
    const env = hookEnvironment({}, URL_, 'http://127.0.0.1:9200', { DATABASES_DEFAULT_URL: 'DATABASE_URL', ES_HOST: 'ELASTICSEARCH_URL', DB_PASS: 'MYSQL_PASSWORD' });
    assert.equal(env.DATABASES_DEFAULT_URL, URL_);
    assert.equal(env.ES_HOST, 'http://127.0.0.1:9200');
    assert.equal(env.DB_PASS, 's@cret');
    assert.equal(hookEnvironment({}, URL_, undefined, { ES_HOST: 'ELASTICSEARCH_URL' }).ES_HOST, undefined, 'no Elasticsearch, no alias');
  });

  test('hookEnv in olympia-data.json names only variables hooks get', () => {
    assert.deepEqual(validateConfig({ hookEnv: { DATABASES_DEFAULT_URL: 'DATABASE_URL' } }, '/p').hookEnv, { DATABASES_DEFAULT_URL: 'DATABASE_URL' });
    assert.throws(
      () => validateConfig({ hookEnv: { X: 'HOME' } }, '/p'),
      (e: unknown) => e instanceof UsageError && /hookEnv\.X must name one of/.test(e.message),
    );
    assert.throws(() => validateConfig({ hookEnv: { 'BAD-NAME': 'DATABASE_URL' } }, '/p'), UsageError);
  });

  test("the addons-server example's config is valid and aliases the URL its settings read", async () => {
    const config = await loadConfig(join(import.meta.dirname, '..', '..', 'examples', 'addons-server', 'olympia-data.json'));
    assert.deepEqual(config.hookEnv, { DATABASES_DEFAULT_URL: 'DATABASE_URL' });
    for (const hook of [config.migrate.command, config.seed.command, config.index.command]) assert.match(hook!, /docker compose exec -T -e DATABASES_DEFAULT_URL web /);
  });

  test('without URLs the base environment passes through unchanged', () => {
    assert.deepEqual(hookEnvironment({ DATABASE_URL: 'mine' }), { DATABASE_URL: 'mine' });
  });

  test('a malformed database URL is a usage error that does not show the password', () => {
    assert.throws(
      () => hookEnvironment({}, 'postgres://u:topsecret@h/db'),
      (e: Error) => !e.message.includes('topsecret'),
    );
  });
});

describe('maskSecrets', () => {
  test('hides URL passwords anywhere in a line and the raw password on its own', () => {
    const secrets = hookSecrets(URL_, 'https://elastic:espass@es:9200');
    const line = `connecting to ${URL_} and https://elastic:espass@es:9200 with -ps@cret`;
    const masked = maskSecrets(line, secrets);
    assert.equal(masked, 'connecting to mysql://olympia:***@db.example:3307/olympia_test and https://elastic:***@es:9200 with -p***');
  });

  test('leaves lines without secrets alone', () => {
    assert.equal(maskSecrets('Applying addons.0001_initial... OK', hookSecrets(URL_)), 'Applying addons.0001_initial... OK');
  });
});

describe('hookFailure', () => {
  test('exit 0 is success', () => {
    assert.equal(hookFailure('migrate', 'make migrate', 0, null), undefined);
  });

  test('a non-zero exit names the hook, the code and the command', () => {
    const e = hookFailure('seed', 'make seed', 2, null);
    assert.ok(e instanceof HookError);
    assert.match(e.message, /seed hook failed with exit code 2: make seed/);
  });

  test('exit 127 says the command was not found and passes on what the shell said', () => {
    const e = hookFailure('index', 'nosuch --x', 127, null, 'sh: 1: nosuch: not found');
    assert.match(e!.message, /index hook's command was not found \(exit code 127\)/);
    assert.match(e!.hint!, /nosuch: not found/);
  });

  test('a signal is named', () => {
    assert.match(hookFailure('migrate', 'x', null, 'SIGKILL')!.message, /killed by SIGKILL/);
  });
});
