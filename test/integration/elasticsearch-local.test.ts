// The local Elasticsearch service: reuse, refusals, a start that fails, and a full start/stop cycle.
// Uses the harness's cache (the distribution is unpacked once) and ports next to the test node's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConnectionError, UsageError } from '../../src/core/errors.js';
import { resolveEsVersion } from '../../src/services/elasticsearch-download.js';
import { ES_SYSTEM_USER, ensureLocalElasticsearch, probeNode, removeLocalElasticsearch } from '../../src/services/elasticsearch-local.js';
import { TEST_ES_CACHE_DIR, TEST_ES_PORT, ensureElasticsearch } from '../harness/elasticsearch.js';

const external = Boolean(process.env.OLYMPIA_TEST_ELASTICSEARCH_URL);
const version = process.env.OLYMPIA_TEST_ES_VERSION ?? '7.17.25';
const cacheDir = TEST_ES_CACHE_DIR;

/** Alive and not a zombie waiting for this process to reap it. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('local Elasticsearch', { skip: external && 'OLYMPIA_TEST_ELASTICSEARCH_URL points at an external node' }, () => {
  let notEs: Server;
  before(async () => {
    await ensureElasticsearch();
    notEs = createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((r) => notEs.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await new Promise<void>((r) => notEs.close(() => r()));
    // The throwaway nodes' data; the test node's (and the unpacked distribution) stay cached.
    for (const offset of [51, 52]) await rm(join(cacheDir, resolveEsVersion(version), `node-${TEST_ES_PORT + offset}`), { recursive: true, force: true });
  });

  test('reuses the node already running on its port', async () => {
    const node = await ensureLocalElasticsearch({ version, port: TEST_ES_PORT, cacheDir });
    assert.equal(node.reused, true);
    assert.equal(node.url, `http://127.0.0.1:${TEST_ES_PORT}`);
    assert.equal(node.version, version);
  });

  test('refuses a port where another version runs, naming both', async () => {
    const other = version.startsWith('7.') ? '8.15.3' : '7.17.25';
    await assert.rejects(ensureLocalElasticsearch({ version: other, port: TEST_ES_PORT, cacheDir }), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.match(
        e.message,
        new RegExp(`Elasticsearch ${version.replace(/\./g, '\\.')} already runs on http://127\\.0\\.0\\.1:${TEST_ES_PORT}, but ${other.replace(/\./g, '\\.')} was asked for`),
      );
      return true;
    });
  });

  test('refuses a port held by something that is not Elasticsearch', async () => {
    const port = (notEs.address() as AddressInfo).port;
    await assert.rejects(ensureLocalElasticsearch({ version, port, cacheDir }), /Port \d+ is taken by something that is not Elasticsearch/);
  });

  test('a heap that is not a JVM size is refused before anything starts', async () => {
    await assert.rejects(
      ensureLocalElasticsearch({ version, port: TEST_ES_PORT + 51, cacheDir, heap: 'lots' }),
      (e: unknown) => e instanceof UsageError && /heap "lots"/.test(e.message),
    );
  });

  test('a node that cannot start fails at once with the URL, what was tried and the end of its log', async () => {
    // A listener that never answers HTTP: the probe finds nothing, the node cannot bind the port.
    const squatter = createNetServer((socket) => socket.on('error', () => undefined).resume());
    await new Promise<void>((r) => squatter.listen(TEST_ES_PORT + 51, '127.0.0.1', r));
    const port = TEST_ES_PORT + 51;
    try {
      await assert.rejects(ensureLocalElasticsearch({ version, port, cacheDir, readyTimeoutMs: 90_000 }), (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.match(e.message, new RegExp(`did not start on http://127\\.0\\.0\\.1:${port}: the process exited`));
        assert.match(e.message, /Tried .*bin\/elasticsearch with Java from/);
        assert.match(e.message, /BindException|Address already in use/);
        return true;
      });
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
    assert.equal(existsSync(join(cacheDir, 'run', `${port}.json`)), false);
  });

  test('starts a private node (as a non-root user when run as root), serves, and stops', async () => {
    const port = TEST_ES_PORT + 52;
    const node = await ensureLocalElasticsearch({ version, port, cacheDir });
    let pid: number | undefined;
    try {
      assert.equal(node.reused, false);
      assert.equal(node.version, version);
      const health = (await (await fetch(`${node.url}/_cluster/health`)).json()) as { status: string; number_of_nodes: number };
      assert.equal(health.number_of_nodes, 1);
      assert.notEqual(health.status, 'red');
      pid = (JSON.parse(await readFile(join(cacheDir, 'run', `${port}.json`), 'utf8')) as { pid: number }).pid;
      if (process.getuid?.() === 0) {
        const uid = spawnSync('ps', ['-o', 'uid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
        assert.equal(uid, spawnSync('id', ['-u', ES_SYSTEM_USER], { encoding: 'utf8' }).stdout.trim());
        assert.notEqual(uid, '0');
      }
    } finally {
      await node.stop();
    }
    assert.deepEqual(await probeNode(node.url), { kind: 'none' });
    assert.equal(existsSync(join(cacheDir, 'run', `${port}.json`)), false);
    if (pid) assert.equal(running(pid), false, 'the process is gone');

    // reset: the node's data goes, the unpacked distribution stays cached.
    const nodeDir = join(cacheDir, resolveEsVersion(version), `node-${port}`);
    assert.ok(existsSync(join(nodeDir, 'data')));
    assert.deepEqual(await removeLocalElasticsearch({ port, cacheDir }), [nodeDir]);
    assert.equal(existsSync(nodeDir), false);
    assert.ok(existsSync(join(cacheDir, resolveEsVersion(version), 'home', 'bin', 'elasticsearch')));
  });
});
