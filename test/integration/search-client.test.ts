// The search client against the real node: plain JSON media types (7.17 and 8.x both accept them),
// bulk through the helper, the readiness wait, and no password in any message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionError, UsageError } from '../../src/core/errors.js';
import { createSearchClient, serverVersion, waitForElasticsearch } from '../../src/search/client.js';
import { ensureElasticsearch } from '../harness/elasticsearch.js';

let url: string;
let notEs: Server;

before(async () => {
  url = await ensureElasticsearch();
  notEs = createServer((_req, res) => res.end('<html>not a search engine</html>'));
  await new Promise<void>((r) => notEs.listen(0, '127.0.0.1', r));
});
after(() => new Promise<void>((r) => notEs.close(() => r())));

describe('createSearchClient', () => {
  test('sends plain JSON and ndjson, and the server takes documents in bulk', async () => {
    const client = await createSearchClient(url);
    const seen: string[] = [];
    client.diagnostic.on('request', (_err, result) => {
      const h = result?.meta.request.params.headers ?? {};
      seen.push(`${h['content-type'] ?? '-'} | ${h.accept ?? '-'}`);
    });
    const index = `t-client-${process.pid}-${Date.now().toString(36)}`;
    try {
      await client.indices.create({ index, mappings: { properties: { n: { type: 'integer' } } } });
      const stats = await client.helpers.bulk({ datasource: [{ n: 1 }, { n: 2 }, { n: 3 }], onDocument: () => ({ index: { _index: index } }), refreshOnCompletion: index });
      assert.equal(stats.successful, 3);
      assert.equal((await client.count({ index })).count, 3);
      assert.match(await serverVersion(client), /^\d+\.\d+\.\d+/);
    } finally {
      await client.indices.delete({ index }, { ignore: [404] });
      await client.close();
    }
    assert.ok(seen.includes('application/json | application/json'));
    assert.ok(seen.includes('application/x-ndjson | application/json'));
    assert.ok(
      seen.every((s) => !s.includes('compatible-with')),
      seen.join('\n'),
    );
  });

  test('refuses URLs that are not http(s), without echoing the password', async () => {
    await assert.rejects(createSearchClient('elastic:hunter2@localhost'), (e: unknown) => e instanceof UsageError && !e.message.includes('hunter2'));
    await assert.rejects(
      createSearchClient('ftp://elastic:hunter2@localhost:9200'),
      (e: unknown) => e instanceof UsageError && /use http:\/\/ or https:\/\//.test(e.message) && !e.message.includes('hunter2'),
    );
  });
});

describe('waitForElasticsearch', () => {
  test('returns the version once the cluster is at least yellow', async () => {
    const { version } = await waitForElasticsearch(url, 10_000);
    assert.match(version, /^\d+\.\d+\.\d+$/);
  });

  test('gives up within the bound on a port where nothing listens, naming the URL with the password masked', async () => {
    const started = Date.now();
    await assert.rejects(waitForElasticsearch('http://elastic:hunter2@127.0.0.1:1', 2000), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.match(e.message, /Elasticsearch at http:\/\/elastic:\*\*\*@127\.0\.0\.1:1 was not ready after/);
      assert.match(e.message, /ECONNREFUSED/);
      assert.ok(!e.message.includes('hunter2') && !(e.hint ?? '').includes('hunter2'));
      return true;
    });
    assert.ok(Date.now() - started < 10_000, 'the wait is bounded');
  });

  test('stops at once when the server is not Elasticsearch', async () => {
    const other = `http://user:hunter2@127.0.0.1:${(notEs.address() as AddressInfo).port}`;
    await assert.rejects(waitForElasticsearch(other, 30_000), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.match(e.message, /is not Elasticsearch/);
      assert.ok(!e.message.includes('hunter2'));
      return true;
    });
  });
});
