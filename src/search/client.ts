// The Elasticsearch client, set up to talk to 7.17 and 8.x servers alike, and a bounded readiness wait.
//
// The 8.x client sends `application/vnd.elasticsearch+json; compatible-with=8`. 7.17 happens to accept
// that (checked against 7.17.25), older 7.x servers answer 400 to it, and every 7.x and 8.x server
// accepts plain `application/json`, which 8.x reads as its own version. So we send plain JSON.
import type { Client, Transport } from '@elastic/elasticsearch';
import { ConnectionError, OlympiaError, UsageError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { maskUrl } from '../core/connection-url.js';

type TransportOptions = ConstructorParameters<typeof Transport>[0];
type RequestParams = Parameters<Transport['request']>[0];
type RequestOptions = Parameters<Transport['request']>[1];

type Elastic = typeof import('@elastic/elasticsearch');

const RETRIES_ON_429 = 6;

/**
 * The client library, loaded on first use: dump, load, list and verify never talk to Elasticsearch
 * and do not pay for loading it at start-up.
 */
let elastic: Elastic | undefined;
async function loadElastic(): Promise<Elastic> {
  elastic ??= await import('@elastic/elasticsearch');
  return elastic;
}

type EsErrors = Elastic['errors'];

/** One of the library's errors, told apart by the name each class sets (so without loading it). */
function isEsError<N extends 'ResponseError' | 'ConnectionError' | 'TimeoutError' | 'NoLivingConnectionsError' | 'ProductNotSupportedError'>(
  e: unknown,
  name: N,
): e is InstanceType<EsErrors[N]> {
  return e instanceof Error && e.name === name;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let compatibleTransport: typeof Transport | undefined;

/**
 * Plain JSON media types, and whole requests answered 429 (a circuit breaker, a full queue) are retried
 * with backoff: the bulk helper retries rejected documents itself but gives up on a rejected request.
 */
function transportClass(es: Elastic): typeof Transport {
  class CompatibleTransport extends es.Transport {
    constructor(opts: TransportOptions) {
      super({
        ...opts,
        vendoredHeaders: { jsonContentType: 'application/json', ndjsonContentType: 'application/x-ndjson', accept: 'application/json' },
      });
    }

    // @ts-expect-error -- one implementation for the three overloads of Transport.request
    override async request(params: RequestParams, options?: RequestOptions): Promise<unknown> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await super.request(params, options);
        } catch (e) {
          if (!isEsError(e, 'ResponseError') || e.statusCode !== 429 || attempt >= RETRIES_ON_429) throw e;
          await sleep(Math.min(250 * 2 ** attempt, 8000));
        }
      }
    }
  }
  compatibleTransport ??= CompatibleTransport as unknown as typeof Transport;
  return compatibleTransport;
}

/** The URL with any password replaced by ***, also in a URL missing its scheme (`user:pass@host`). */
export function maskSearchUrl(url: string): string {
  const masked = maskUrl(url);
  return masked === url ? url.replace(/^([^:/@\s]*:)[^@/\s]*@/, '$1***@') : masked;
}

function checkUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`The Elasticsearch URL ${JSON.stringify(maskSearchUrl(url))} is not a URL.`, 'Use the form http://host:9200 (or https://user:password@host:9200).');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new UsageError(`The Elasticsearch URL ${maskSearchUrl(url)} uses "${u.protocol}"; use http:// or https://.`);
  }
  return u;
}

export interface SearchClientOptions {
  requestTimeoutMs?: number;
  /** Retries on connection errors and 502/503/504 (the transport's own retries). */
  maxRetries?: number;
}

/** A client for `url` (credentials may be in the URL); never prints them. A bad URL throws before anything loads. */
export async function createSearchClient(url: string, opts: SearchClientOptions = {}): Promise<Client> {
  checkUrl(url);
  const es = await loadElastic();
  return new es.Client({
    node: url,
    Transport: transportClass(es),
    requestTimeout: opts.requestTimeoutMs ?? 120_000,
    maxRetries: opts.maxRetries ?? 3,
    compression: false,
  });
}

interface EsErrorBody {
  type?: string;
  reason?: string;
  caused_by?: EsErrorBody;
  root_cause?: EsErrorBody[];
}

/** Elasticsearch's own reason for an error ("mapper_parsing_exception: No handler for type …"). */
export function describeSearchError(e: unknown): string {
  if (isEsError(e, 'ResponseError')) {
    const body = e.meta?.body as { error?: EsErrorBody | string } | undefined;
    const err = body?.error;
    if (typeof err === 'string') return err;
    if (err?.type) {
      const parts = [`${err.type}: ${err.reason ?? ''}`.trim()];
      for (let c = err.caused_by, depth = 0; c && depth < 3; c = c.caused_by, depth++) {
        if (c.reason && !parts.some((p) => p.includes(c!.reason!))) parts.push(`caused by ${c.type}: ${c.reason}`);
      }
      return parts.join('; ');
    }
    return `HTTP ${e.statusCode}`;
  }
  if (isEsError(e, 'ConnectionError') || isEsError(e, 'TimeoutError')) return e.message;
  return errorMessage(e);
}

/** True for errors of reaching the server, as opposed to the server refusing a request. */
export function isUnreachable(e: unknown): boolean {
  return isEsError(e, 'ConnectionError') || isEsError(e, 'TimeoutError') || isEsError(e, 'NoLivingConnectionsError');
}

/** Wraps a failure to reach `url` in a ConnectionError naming the masked URL; other errors pass through. */
export function unreachableError(url: string, e: unknown, what: string): OlympiaError | unknown {
  if (!isUnreachable(e)) return e;
  return new ConnectionError(
    `Elasticsearch at ${maskSearchUrl(url)} could not be reached while ${what}: ${describeSearchError(e)}`,
    'Start it (`olympia-data up`), fix --elasticsearch-url / ELASTICSEARCH_URL, or skip indexing with --skip-index.',
    e,
  );
}

/**
 * The server's version. `GET /` where it exists; the 8.x integ-test-zip has no handler there (its
 * rest-root module is left out), so then the local node's entry of the nodes API.
 */
export async function serverVersion(client: Client): Promise<string> {
  try {
    return (await client.info()).version.number;
  } catch (e) {
    if (!isEsError(e, 'ResponseError') || (e.statusCode !== 404 && e.statusCode !== 405)) throw e;
    const res = await client.nodes.info({ node_id: '_local', filter_path: 'nodes.*.version' });
    const version = Object.values(res.nodes ?? {})[0]?.version;
    if (!version) throw e;
    return version;
  }
}

/**
 * Waits until the node behind `url` answers and its cluster is at least yellow. Wrong credentials and a
 * server that is not Elasticsearch end the wait at once; anything else is retried until `timeoutMs`.
 */
export async function waitForElasticsearch(url: string, timeoutMs = 60_000, reporter?: Reporter): Promise<{ version: string }> {
  checkUrl(url);
  const client = await createSearchClient(url, { requestTimeoutMs: 5000, maxRetries: 0 });
  const started = Date.now();
  let attempts = 0;
  let last = 'no attempt made';
  let told = false;
  try {
    for (;;) {
      attempts++;
      try {
        const version = await serverVersion(client);
        const health = await client.cluster.health({ wait_for_status: 'yellow', timeout: '2s' });
        if (health.status !== 'red' && !health.timed_out) return { version };
        last = `cluster status ${health.status}`;
      } catch (e) {
        if (isEsError(e, 'ResponseError') && (e.statusCode === 401 || e.statusCode === 403)) {
          throw new ConnectionError(
            `Elasticsearch at ${maskSearchUrl(url)} refused our credentials (HTTP ${e.statusCode}).`,
            'Put the right user and password in the URL: https://user:password@host:9200.',
            e,
          );
        }
        if (isEsError(e, 'ProductNotSupportedError')) {
          throw new ConnectionError(`The server at ${maskSearchUrl(url)} is not Elasticsearch.`, 'Fix --elasticsearch-url / ELASTICSEARCH_URL.', e);
        }
        last = describeSearchError(e);
      }
      const elapsed = Date.now() - started;
      if (elapsed + 500 > timeoutMs) {
        throw new ConnectionError(
          `Elasticsearch at ${maskSearchUrl(url)} was not ready after ${(elapsed / 1000).toFixed(1)} s (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} of GET / for the version and GET /_cluster/health?wait_for_status=yellow); last error: ${last}.`,
          'Check that the node is running and reachable, or allow it more time.',
        );
      }
      if (!told && elapsed > 5000) {
        reporter?.info(`Waiting for Elasticsearch at ${maskSearchUrl(url)} (${last})…`);
        told = true;
      }
      await sleep(500);
    }
  } finally {
    await client.close();
  }
}
