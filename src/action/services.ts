// The `services` input: start MySQL and Elasticsearch containers (docker) or wait for running ones
// (external, e.g. the job's `services:`).
import { UsageError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { parseDatabaseUrl } from '../mysql/connection-url.js';
import { providerFor, serviceOptions, type Services } from '../services/index.js';
import type { ActionOptions } from './inputs.js';
import { Inputs } from './constants.js';

export interface ServiceRequest {
  options: Pick<ActionOptions, 'services' | 'databaseUrl' | 'elasticsearchUrl' | 'mysqlImage' | 'elasticsearchImage'>;
  /** False with skip-index or a project without indices: Elasticsearch is then neither started nor awaited. */
  elasticsearch: boolean;
  reporter: Reporter;
  /** Where the docker provider keeps its state (unused by external). */
  stateDir: string;
  /** Upper bound for each readiness wait; the provider's defaults otherwise. */
  timeoutMs?: number;
}

/** OLYMPIA_SERVICE_TIMEOUT_SECONDS bounds each readiness wait (tests use a short one). */
export function serviceTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const seconds = Number(env.OLYMPIA_SERVICE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

export async function startServices(request: ServiceRequest): Promise<Services> {
  const { options, reporter } = request;
  const timeouts = request.timeoutMs ? { mysqlMs: request.timeoutMs, elasticsearchMs: request.timeoutMs } : {};
  if (options.services === 'external' && !options.databaseUrl) {
    throw new UsageError(
      `services: external needs the ${Inputs.DatabaseUrl} input.`,
      `Set ${Inputs.DatabaseUrl} to the job's MySQL service, e.g. mysql://root:\${{ secrets.MYSQL_PASSWORD }}@127.0.0.1:3306/olympia, or use services: docker.`,
    );
  }
  // docker: a given database-url chooses the database, port and root password of the container.
  const given = options.services === 'docker' && options.databaseUrl ? parseDatabaseUrl(options.databaseUrl) : undefined;
  const services = await providerFor(options.services).up(
    serviceOptions({
      reporter,
      database: given?.database ?? (options.databaseUrl ? parseDatabaseUrl(options.databaseUrl).database : undefined),
      elasticsearch: request.elasticsearch,
      databaseUrl: options.databaseUrl,
      elasticsearchUrl: options.elasticsearchUrl,
      stateDir: request.stateDir,
      mysql: { image: options.mysqlImage, port: given?.port, rootPassword: given?.password || undefined },
      es: { image: options.elasticsearchImage },
      timeouts,
    }),
  );
  // The URLs carry either the user's credentials (masked when the inputs were read) or, for docker without a
  // database-url, the provider's documented development password, which is no secret: masking it would
  // hide the word "olympia-data" in every later log line.
  return services;
}
