import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.js';
import {
  containerAction,
  elasticsearchRunArgs,
  imageMajorVersion,
  configHash,
  inspectHealthArgs,
  withConfigLabel,
  mysqlRunArgs,
  parseContainerState,
  removeContainerArgs,
  removeVolumeArgs,
  stopArgs,
} from '../../src/services/docker-args.js';
import { dockerProvider, redact, type DockerRunner } from '../../src/services/docker-provider.js';
import { providerFor } from '../../src/services/index.js';
import { serviceOptions } from '../../src/services/provider.js';

const SECRET = 's3cret-P@ss';
const mysqlOpts = { containerName: 'olympia-mysqld', port: 3307, rootPassword: SECRET, database: 'olympia', volume: 'olympia-mysqld-data' };

/** The value following `flag` each time it occurs. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag && i + 1 < args.length ? [args[i + 1]!] : []));
}

describe('mysqlRunArgs', () => {
  const { args, env } = mysqlRunArgs(mysqlOpts);

  test('starts mysql:8.0 detached under the given name', () => {
    assert.deepEqual(args.slice(0, 2), ['run', '--detach']);
    assert.deepEqual(valuesOf(args, '--name'), ['olympia-mysqld']);
    assert.ok(args.includes('mysql:8.0'));
  });

  test('passes the root password through the environment, never on the command line', () => {
    assert.ok(valuesOf(args, '-e').includes('MYSQL_ROOT_PASSWORD'), 'bare -e MYSQL_ROOT_PASSWORD');
    assert.deepEqual(env, { MYSQL_ROOT_PASSWORD: SECRET });
    assert.ok(!args.join(' ').includes(SECRET), 'the password is in no argument');
  });

  test('creates the database and keeps the data in the named volume', () => {
    assert.ok(valuesOf(args, '-e').includes('MYSQL_DATABASE=olympia'));
    assert.deepEqual(valuesOf(args, '-v'), ['olympia-mysqld-data:/var/lib/mysql']);
  });

  test('publishes the port on 127.0.0.1 only', () => {
    assert.deepEqual(valuesOf(args, '-p'), ['127.0.0.1:3307:3306']);
  });

  test('passes server options after the image: local_infile on, utf8mb4', () => {
    const afterImage = args.slice(args.indexOf('mysql:8.0') + 1);
    assert.ok(afterImage.includes('--local-infile=1'));
    assert.ok(afterImage.includes('--character-set-server=utf8mb4'));
  });

  test('has a health check over TCP that needs no password', () => {
    const [cmd] = valuesOf(args, '--health-cmd');
    assert.match(cmd!, /mysqladmin ping -h 127\.0\.0\.1/);
    assert.ok(!cmd!.includes(SECRET));
  });

  test('uses another image when asked', () => {
    assert.ok(mysqlRunArgs({ ...mysqlOpts, image: 'mariadb:10.11' }).args.includes('mariadb:10.11'));
  });

  test('rejects names Docker would reject, a bad port and an empty password', () => {
    assert.throws(() => mysqlRunArgs({ ...mysqlOpts, containerName: 'bad name' }), UsageError);
    assert.throws(() => mysqlRunArgs({ ...mysqlOpts, volume: '../etc' }), UsageError);
    assert.throws(() => mysqlRunArgs({ ...mysqlOpts, port: 70000 }), /not a valid TCP port/);
    assert.throws(() => mysqlRunArgs({ ...mysqlOpts, database: 'a;b' }), UsageError);
    assert.throws(() => mysqlRunArgs({ ...mysqlOpts, rootPassword: '' }), UsageError);
  });
});

describe('elasticsearchRunArgs', () => {
  test('defaults to 7.17.25, single node, small heap, 127.0.0.1 only', () => {
    const { args } = elasticsearchRunArgs({ containerName: 'es', port: 9201 });
    assert.ok(args.includes('docker.elastic.co/elasticsearch/elasticsearch:7.17.25'));
    const envs = valuesOf(args, '-e');
    assert.ok(envs.includes('discovery.type=single-node'));
    assert.ok(envs.includes('ES_JAVA_OPTS=-Xms512m -Xmx512m'));
    assert.deepEqual(valuesOf(args, '-p'), ['127.0.0.1:9201:9200']);
  });

  test('turns security off for 8.x', () => {
    const { args } = elasticsearchRunArgs({ containerName: 'es', port: 9200, image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3', heap: '1g' });
    const envs = valuesOf(args, '-e');
    assert.ok(envs.includes('xpack.security.enabled=false'));
    assert.ok(envs.includes('ES_JAVA_OPTS=-Xms1g -Xmx1g'));
  });

  test('leaves x-pack settings out for images older than 7 (they would refuse them)', () => {
    const { args } = elasticsearchRunArgs({ containerName: 'es', port: 9200, image: 'elasticsearch:6.8.23' });
    assert.ok(!valuesOf(args, '-e').some((e) => e.startsWith('xpack.')));
  });

  test('rejects a malformed heap', () => {
    assert.throws(() => elasticsearchRunArgs({ containerName: 'es', port: 9200, heap: '512' }), /heap size/);
  });

  test('reads the major version from the image tag', () => {
    assert.equal(imageMajorVersion('docker.elastic.co/elasticsearch/elasticsearch:8.15.3'), 8);
    assert.equal(imageMajorVersion('localhost:5000/es:7.17.25'), 7);
    assert.equal(imageMajorVersion('elasticsearch:latest'), undefined);
    assert.equal(imageMajorVersion('elasticsearch'), undefined);
  });
});

describe('container lifecycle commands', () => {
  test('stop is graceful, rm keeps named volumes, volume rm removes the data volume', () => {
    assert.deepEqual(stopArgs('db'), ['stop', '--time', '30', 'db']);
    assert.deepEqual(removeContainerArgs('db'), ['rm', '--force', '--volumes', 'db']);
    assert.deepEqual(removeVolumeArgs('olympia-mysqld-data'), ['volume', 'rm', '--force', 'olympia-mysqld-data']);
  });

  test('inspect output parses into status and health', () => {
    assert.equal(inspectHealthArgs('db').at(-1), 'db');
    assert.deepEqual(parseContainerState('running healthy 0abc1234ef\n'), { status: 'running', health: 'healthy', config: '0abc1234ef' });
    assert.deepEqual(parseContainerState('exited none -'), { status: 'exited', health: 'none', config: undefined });
    assert.deepEqual(parseContainerState('running <no value>'), { status: 'running', health: 'none', config: undefined });
  });

  test('up reuses a running container, starts a stopped one, creates a missing one', () => {
    assert.equal(containerAction(undefined), 'create');
    assert.equal(containerAction({ status: 'running', health: 'starting' }), 'reuse');
    assert.equal(containerAction({ status: 'restarting', health: 'none' }), 'reuse');
    assert.equal(containerAction({ status: 'exited', health: 'none' }), 'start');
    assert.equal(containerAction({ status: 'created', health: 'none' }), 'start');
    assert.equal(containerAction({ status: 'dead', health: 'none' }), 'replace');
  });

  test('a container made with other options (another image, port or password) is replaced, never reused', () => {
    const base = mysqlRunArgs({ image: 'mysql:8.0', containerName: 'db', port: 3306, rootPassword: 'pw', database: 'app', volume: 'v' });
    const hash = configHash(base);
    assert.ok(withConfigLabel(base).args.includes(`olympia-data.config=${hash}`), 'the label carries the hash of the options');
    assert.equal(containerAction({ status: 'running', health: 'healthy', config: hash }, hash), 'reuse');
    const other = mysqlRunArgs({ image: 'mysql:8.4', containerName: 'db', port: 3306, rootPassword: 'pw', database: 'app', volume: 'v' });
    assert.notEqual(configHash(other), hash, 'the image is part of the hash');
    assert.equal(containerAction({ status: 'running', health: 'healthy', config: hash }, configHash(other)), 'replace');
    assert.equal(containerAction({ status: 'running', health: 'healthy' }, hash), 'replace', 'a container without the label is not ours to reuse');
    const password = mysqlRunArgs({ image: 'mysql:8.0', containerName: 'db', port: 3306, rootPassword: 'other', database: 'app', volume: 'v' });
    assert.notEqual(configHash(password), configHash(mysqlRunArgs({ image: 'mysql:8.0', containerName: 'db', port: 3306, rootPassword: 'pw', database: 'app', volume: 'v' })));
  });
});

describe('docker provider with a fake docker CLI', () => {
  function fakeDocker(answers: (args: string[]) => { code: number; stdout?: string; stderr?: string }) {
    const calls: Array<{ args: string[]; env?: Record<string, string> }> = [];
    const run: DockerRunner = async (args, env) => {
      calls.push({ args, env });
      const a = answers(args);
      return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    };
    return { run, calls };
  }
  function recorder() {
    const lines: string[] = [];
    return { lines, reporter: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) } };
  }

  test("a failed docker run is an error with docker's reason and no password, in the error or the log", async () => {
    const { run, calls } = fakeDocker((args) =>
      args[0] === 'inspect' ? { code: 1, stderr: 'Error: No such container' } : { code: 125, stderr: `port is already allocated (pw ${SECRET})` },
    );
    const log = recorder();
    const opts = serviceOptions({ reporter: log.reporter, elasticsearch: false, mysql: { rootPassword: SECRET } });
    await assert.rejects(dockerProvider(run).up(opts), (e: Error) => {
      assert.match(e.message, /port is already allocated/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
    const runCall = calls.find((c) => c.args[0] === 'run');
    assert.equal(runCall?.env?.MYSQL_ROOT_PASSWORD, SECRET, 'the password reaches docker through its environment');
    assert.ok(log.lines.some((l) => l.includes('docker run')));
    assert.ok(!log.lines.join('\n').includes(SECRET));
  });

  test('down stops and removes existing containers and keeps the volume; reset removes it', async () => {
    const { run, calls } = fakeDocker((args) => (args[0] === 'inspect' ? { code: 0, stdout: 'running healthy' } : { code: 0 }));
    const opts = serviceOptions({ mysql: { volume: 'olympia-data-mysqld' } });
    await dockerProvider(run).down(opts);
    assert.deepEqual(
      calls.filter((c) => c.args[0] !== 'inspect').map((c) => c.args.slice(0, 1).concat(c.args.at(-1)!)),
      [
        ['stop', 'olympia-data-elasticsearch'],
        ['rm', 'olympia-data-elasticsearch'],
        ['stop', 'olympia-data-mysqld'],
        ['rm', 'olympia-data-mysqld'],
      ],
    );
    assert.ok(!calls.some((c) => c.args[0] === 'volume'));
    calls.length = 0;
    await dockerProvider(run).reset!(opts);
    assert.deepEqual(calls.at(-1)?.args, ['volume', 'rm', '--force', 'olympia-data-mysqld']);
  });

  test('down with no containers runs nothing but the checks', async () => {
    const { run, calls } = fakeDocker(() => ({ code: 1, stderr: 'Error: No such container' }));
    await dockerProvider(run).down(serviceOptions());
    assert.ok(calls.every((c) => c.args[0] === 'inspect'));
  });

  test('redact masks every occurrence of a secret', () => {
    assert.equal(redact(`a ${SECRET} b ${SECRET}`, [SECRET, '']), 'a *** b ***');
  });
});

describe('serviceOptions', () => {
  test('derives the Elasticsearch image from a version, resolving a major.minor shorthand', () => {
    const o = serviceOptions({ es: { version: '7.17' } });
    assert.equal(o.es.version, '7.17.25');
    assert.equal(o.es.image, 'docker.elastic.co/elasticsearch/elasticsearch:7.17.25');
    assert.equal(serviceOptions({ es: { version: '8.15.3', image: 'mirror.local/es:8.15.3' } }).es.image, 'mirror.local/es:8.15.3');
  });

  test('an unset flag (undefined) keeps the default instead of erasing it', () => {
    const o = serviceOptions({ mysql: { port: undefined, rootPassword: 'x' }, timeouts: { mysqlMs: undefined } });
    assert.equal(o.mysql.port, 3306);
    assert.equal(o.mysql.image, 'mysql:8.0');
    assert.equal(o.mysql.rootPassword, 'x');
    assert.equal(typeof o.timeouts.mysqlMs, 'number');
  });

  test('a malformed Elasticsearch version is a usage error', () => {
    assert.throws(() => serviceOptions({ es: { version: 'seven' } }), UsageError);
  });
});

describe('providerFor', () => {
  test('returns each provider by name', () => {
    for (const name of ['docker', 'external', 'local'] as const) assert.equal(providerFor(name).name, name);
  });

  test('an unknown name is a usage error listing the valid ones', () => {
    assert.throws(
      () => providerFor('kubernetes'),
      (e: unknown) => e instanceof UsageError && /kubernetes/.test(e.message) && /docker, external, local/.test(e.hint ?? ''),
    );
  });
});
