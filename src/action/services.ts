// The `services` input's own rules (the services start through commands/services.ts).
import { UsageError } from '../core/errors.js';
import type { ActionOptions } from './inputs.js';
import { Inputs } from './constants.js';

/** OLYMPIA_SERVICE_TIMEOUT_SECONDS bounds each readiness wait (tests use a short one). */
export function serviceTimeoutMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const seconds = Number(env.OLYMPIA_SERVICE_TIMEOUT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/** Refused before anything starts: `external` waits for services someone else runs, at a URL only the user knows. */
export function checkServicesInputs(options: Pick<ActionOptions, 'services' | 'databaseUrl'>): void {
  if (options.services === 'external' && !options.databaseUrl) {
    throw new UsageError(
      `services: external needs the ${Inputs.DatabaseUrl} input.`,
      `Set ${Inputs.DatabaseUrl} to the job's MySQL service, e.g. mysql://root:\${{ secrets.MYSQL_PASSWORD }}@127.0.0.1:3306/olympia, or use services: docker.`,
    );
  }
}
