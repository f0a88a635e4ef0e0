// What the dump's main thread and its worker threads say to each other, and how errors cross the
// thread boundary (class, hint and the fields callers look at survive).
import { ConnectionError, ExitCode, HookError, IntegrityError, LockedError, NotFoundError, OlympiaError, UsageError } from '../core/errors.js';
import type { MysqlTarget } from '../core/connection-url.js';

export const ROLE = 'olympia-dump-worker';

/** One query: a SELECT per chunk, each to its own file (an absolute path to create). */
export interface ChunkTask {
  parts: { sql: string; file: string }[];
  /** Whether the files must be on disk before the dump finishes (see core/durability.ts). */
  sync: boolean;
}

/** What one chunk's query wrote. */
export interface ChunkResult {
  rows: number;
  /** 0 when the chunk had no rows and so no file. */
  size: number;
  sha256: string;
}

/** A thread's workerData: it marks the thread as a dump thread. Where to connect comes later. */
export interface WorkerInit {
  role: typeof ROLE;
}

/** `wideWrites`: have the server write this connection's results in large writes (mysql/server-write-buffer.ts). */
export type ToWorker = { type: 'snapshot'; wideWrites: boolean } | { type: 'task'; id: number; task: ChunkTask } | { type: 'finish' };
/** A thread's first message says where to connect (it may have booted before that was known). */
export type ToThread = { type: 'open'; target: MysqlTarget } | ToWorker;
export type FromWorker =
  | { type: 'snapshot-started' }
  | { type: 'progress'; id: number; part: number; rows: number; bytes: number }
  /** One result per part of the task, in order. */
  | { type: 'done'; id: number; results: ChunkResult[] }
  /** Every file this thread wrote is closed (and synced, if its task said so); it is about to exit. */
  | { type: 'finished' }
  | { type: 'failed'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  props: Record<string, string | number | undefined>;
  olympia?: { exitCode: ExitCode; hint?: string };
  cause?: { message: string; code?: string };
}

const ERROR_PROPS = ['code', 'errno', 'syscall', 'path', 'sqlState', 'sqlMessage'] as const;
const OLYMPIA_CLASSES: Record<string, new (message: string, hint?: string) => OlympiaError> = {
  ConnectionError,
  UsageError,
  NotFoundError,
  IntegrityError,
  LockedError,
  HookError,
};

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const props: SerializedError['props'] = {};
  for (const k of ERROR_PROPS) {
    const v = (err as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string' || typeof v === 'number') props[k] = v;
  }
  const cause = err.cause as { message?: string; code?: string } | undefined;
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    props,
    olympia: err instanceof OlympiaError ? { exitCode: err.exitCode, hint: err.hint } : undefined,
    cause: cause && typeof cause === 'object' ? { message: String(cause.message ?? ''), code: cause.code } : undefined,
  };
}

export function reviveError(s: SerializedError): Error {
  const cause = s.cause ? Object.assign(new Error(s.cause.message), s.cause.code ? { code: s.cause.code } : {}) : undefined;
  let err: Error;
  if (s.olympia) {
    const Known = OLYMPIA_CLASSES[s.name];
    err = Known ? new Known(s.message, s.olympia.hint) : new OlympiaError(s.message, { hint: s.olympia.hint, exitCode: s.olympia.exitCode });
    if (cause) Object.defineProperty(err, 'cause', { value: cause, configurable: true, writable: true });
  } else {
    err = new Error(s.message, cause ? { cause } : undefined);
    err.name = s.name;
  }
  Object.assign(err, Object.fromEntries(Object.entries(s.props).filter(([, v]) => v !== undefined)));
  if (s.stack) err.stack = s.stack;
  return err;
}
