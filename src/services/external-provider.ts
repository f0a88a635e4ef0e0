// The external provider: services someone else runs (a workflow's `services:`, a shared dev server).
// `up` only waits until they answer; `down` leaves them alone, and there is no `reset` of data we do not own.
import { UsageError } from '../core/errors.js';
import { maskUrl } from '../core/connection-url.js';
import type { ServiceOptions, ServiceProvider, Services } from './provider.js';
import { waitForElasticsearch } from '../search/client.js';
import { waitForMysql } from './wait.js';

export function externalProvider(): ServiceProvider {
  return {
    name: 'external',
    async up(opts: ServiceOptions): Promise<Services> {
      if (!opts.databaseUrl) {
        throw new UsageError('The external services need a database URL.', 'Give --database-url (or DATABASE_URL), e.g. mysql://root:password@127.0.0.1:3306/olympia.');
      }
      const elasticsearchUrl = opts.elasticsearch ? opts.elasticsearchUrl : undefined;
      opts.reporter.info(`Waiting for MySQL at ${maskUrl(opts.databaseUrl)}${elasticsearchUrl ? ` and Elasticsearch at ${maskUrl(elasticsearchUrl)}` : ''}…`);
      // One after the other costs nothing: the services boot on their own while we wait on the first.
      await waitForMysql(opts.databaseUrl, { timeoutMs: opts.timeouts.mysqlMs });
      if (elasticsearchUrl) await waitForElasticsearch(elasticsearchUrl, opts.timeouts.elasticsearchMs, opts.reporter);
      return { databaseUrl: opts.databaseUrl, elasticsearchUrl };
    },
    // External services are not olympia-data's to stop.
    async down(): Promise<string[]> {
      return [];
    },
  };
}
