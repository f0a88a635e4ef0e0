// `olympia-data up` / `down`, `--services` on initialize and seed, and the action's `services` input:
// make MySQL (and Elasticsearch when wanted) reachable, and point the context at them.
import { parseDatabaseUrl } from '../core/connection-url.js';
import { DEV_PASSWORD, providerFor, removeContainers, serviceOptions, type ServiceOptionsInput, type Services } from '../services/index.js';
import type { Reporter } from '../core/reporter.js';
import { type Context, requireTarget } from './context.js';
import { serverVersion } from '../mysql/connect.js';

export interface ServicesRequest {
  /** docker, external or local. */
  provider: string;
  /** False with --skip-index or for a project without indices: Elasticsearch is neither started nor awaited. */
  elasticsearch: boolean;
  mysqlImage?: string;
  elasticsearchImage?: string;
  elasticsearchVersion?: string;
  /** Upper bound for each readiness wait; the provider's defaults otherwise. */
  timeoutMs?: number;
}

function portOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const port = new URL(url).port;
    return port ? Number(port) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The provider's options. A database URL the user gave chooses what the services started here look like
 * (database, port, credentials), so a second project or a busy port 3306 only needs another URL; an
 * Elasticsearch URL chooses its port.
 */
export function servicesOptions(ctx: Context, request: Partial<ServicesRequest>): ServiceOptionsInput {
  const given = ctx.databaseUrl ? parseDatabaseUrl(ctx.databaseUrl) : undefined;
  const timeouts = request.timeoutMs ? { mysqlMs: request.timeoutMs, elasticsearchMs: request.timeoutMs } : undefined;
  const local = request.provider === 'local';
  return {
    reporter: ctx.reporter,
    database: given?.database,
    elasticsearch: request.elasticsearch,
    databaseUrl: ctx.databaseUrl,
    elasticsearchUrl: ctx.elasticsearchUrl,
    stateDir: `${ctx.config.projectDir}/.olympia-data/services`,
    mysql: {
      image: request.mysqlImage,
      port: given?.port,
      // docker connects as root with the container's root password; local makes the URL's user.
      rootPassword: !local ? given?.password || undefined : undefined,
      user: local && given?.user ? given.user : undefined,
      password: local ? given?.password || undefined : undefined,
    },
    es: { image: request.elasticsearchImage, version: request.elasticsearchVersion, port: portOf(ctx.elasticsearchUrl) },
    timeouts,
  };
}

/** Starts (or waits for) the services; the context's URLs then point at them. */
export type { Services };
export { DEV_PASSWORD };

export async function servicesUp(ctx: Context, request: ServicesRequest): Promise<Services> {
  const services = await providerFor(request.provider).up(serviceOptions(servicesOptions(ctx, request)));
  ctx.databaseUrl = services.databaseUrl;
  if (services.elasticsearchUrl) ctx.elasticsearchUrl = services.elasticsearchUrl;
  return services;
}

/** Stops what `up` started, keeping the data; says what it stopped. */
export async function servicesDown(ctx: Context, provider: string): Promise<{ provider: string; stopped: string[] }> {
  const p = providerFor(provider);
  return { provider: p.name, stopped: await p.down(serviceOptions(servicesOptions(ctx, { provider: p.name }))) };
}

/** What the database server says it is (SELECT VERSION()), e.g. 8.0.36 or 10.11.6-MariaDB. */
export async function databaseServerVersion(ctx: Context): Promise<string> {
  const conn = await ctx.clients.mysql(requireTarget(ctx), { database: null });
  try {
    return await serverVersion(conn);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** The action's post step: stop the containers its job started (reused ones were running before it). */
export function stopStartedContainers(names: readonly string[], reporter: Reporter): Promise<string[]> {
  return removeContainers(names, reporter);
}
