// Pure parts of the local Elasticsearch service: version resolution, the node's settings, the JDK lookup.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { mavenArtifact, resolveEsVersion } from '../../src/services/elasticsearch-download.js';
import { findJavaHome, nodeSettingsYaml } from '../../src/services/elasticsearch-local.js';

describe('Elasticsearch versions', () => {
  test('default to 7.17.25; shorthands resolve to a patch release; full versions pass through', () => {
    assert.equal(resolveEsVersion(undefined), '7.17.25');
    assert.equal(resolveEsVersion('7.17'), '7.17.25');
    assert.equal(resolveEsVersion('8.15'), '8.15.3');
    assert.equal(resolveEsVersion(' 8.19.2 '), '8.19.2');
  });

  test('anything else is a usage error saying what to give', () => {
    for (const bad of ['8', 'latest', '7.x', '7.17.25; rm -rf /', '']) {
      assert.throws(
        () => resolveEsVersion(bad),
        (e: unknown) => e instanceof UsageError && /major\.minor\.patch/.test(e.hint ?? ''),
      );
    }
  });

  test('name the integ-test-zip artifact on Maven Central', () => {
    assert.equal(mavenArtifact('7.17.25'), 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:7.17.25:zip');
  });
});

describe('node settings', () => {
  test('bind to loopback on the given port, single node, private paths, no security', () => {
    const yaml = nodeSettingsYaml({ port: 39250, nodeDir: '/cache/es/7.17.25/node-39250' });
    const lines = yaml.trim().split('\n');
    assert.ok(lines.includes('network.host: "127.0.0.1"'));
    assert.ok(lines.includes('http.port: 39250'));
    assert.ok(lines.includes('discovery.type: "single-node"'));
    assert.ok(lines.includes('path.data: "/cache/es/7.17.25/node-39250/data"'));
    assert.ok(lines.includes('path.logs: "/cache/es/7.17.25/node-39250/logs"'));
    assert.ok(lines.includes('xpack.security.enabled: false'));
  });
});

describe('JDK lookup', () => {
  test('ES_JAVA_HOME wins over JAVA_HOME; a home without bin/java is skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'olympia-jdk-'));
    try {
      for (const jdk of ['es-jdk', 'jdk']) {
        await mkdir(join(dir, jdk, 'bin'), { recursive: true });
        await writeFile(join(dir, jdk, 'bin', 'java'), '');
      }
      assert.equal(findJavaHome({ ES_JAVA_HOME: join(dir, 'es-jdk'), JAVA_HOME: join(dir, 'jdk'), PATH: '' }), join(dir, 'es-jdk'));
      assert.equal(findJavaHome({ ES_JAVA_HOME: join(dir, 'missing'), JAVA_HOME: join(dir, 'jdk'), PATH: '' }), join(dir, 'jdk'));
      assert.equal(findJavaHome({ PATH: join(dir, 'jdk', 'bin') }), join(dir, 'jdk'));
      assert.equal(findJavaHome({ PATH: join(dir, 'nowhere') }), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
