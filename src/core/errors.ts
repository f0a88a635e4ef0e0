// Typed errors with user-facing messages. Every error the user can cause or fix is an OlympiaError:
// `message` says what was wrong, `hint` what to do; adapters print both and map `exitCode`.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  integrity: 4,
  connection: 5,
  locked: 6,
  hook: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in the user's files the problem is (an absolute path; a line from 1), for annotations. */
export interface ErrorLocation {
  file: string;
  line?: number;
}

export class OlympiaError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  constructor(message: string, options: { hint?: string; exitCode?: ExitCode; cause?: unknown; location?: ErrorLocation } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Bad flags, env values, config or names. */
export class UsageError extends OlympiaError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.usage });
  }
}

export class NotFoundError extends OlympiaError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.notFound });
  }
}

/** A backup that fails verification: missing/malformed manifest, checksum or row-count mismatch. */
export class IntegrityError extends OlympiaError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.integrity });
  }
}

/** A service (MySQL, Elasticsearch) that cannot be reached or refuses our credentials. */
export class ConnectionError extends OlympiaError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { hint, exitCode: ExitCode.connection, cause });
  }
}

export class LockedError extends OlympiaError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.locked });
  }
}

/** A project hook (migrate, seed, index command) that failed. */
export class HookError extends OlympiaError {
  constructor(message: string, hint?: string) {
    super(message, { hint, exitCode: ExitCode.hook });
  }
}

/** The error's message; never empty (an error thrown without one is named by its class). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || `${e.name || 'Error'} (with no message)`;
  return String(e) || 'an unknown error';
}
