// Test harness: a real Elasticsearch node for the integration tests. OLYMPIA_TEST_ELASTICSEARCH_URL points
// the tests at an existing node (e.g. a CI service container); otherwise a private node from the
// integ-test-zip distribution is started on port 39200, or reused when it already runs.
import { join, resolve } from 'node:path';
import { ensureLocalElasticsearch, stopLocalElasticsearch } from '../../src/services/elasticsearch-local.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const TEST_ES_CACHE_DIR = join(ROOT, '.cache', 'elasticsearch');
export const TEST_ES_PORT = Number(process.env.OLYMPIA_TEST_ES_PORT ?? 39200);

const log = { info: (m: string) => console.error(`[harness] ${m}`), warn: (m: string) => console.error(`[harness] ${m}`) };

export async function ensureElasticsearch(): Promise<string> {
  if (process.env.OLYMPIA_TEST_ELASTICSEARCH_URL) return process.env.OLYMPIA_TEST_ELASTICSEARCH_URL;
  const node = await ensureLocalElasticsearch({
    version: process.env.OLYMPIA_TEST_ES_VERSION ?? '7.17.25',
    port: TEST_ES_PORT,
    cacheDir: TEST_ES_CACHE_DIR,
    reporter: log,
  });
  return node.url;
}

/** Stops the private node (no-op when the tests use an external one). */
export async function stopElasticsearch(): Promise<void> {
  if (process.env.OLYMPIA_TEST_ELASTICSEARCH_URL) return;
  await stopLocalElasticsearch({ port: TEST_ES_PORT, cacheDir: TEST_ES_CACHE_DIR, reporter: log });
}
