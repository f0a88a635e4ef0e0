// Bounded readiness waits. A wait retries what may pass (refused, reset, timed out: the server is still
// starting) and gives up at once on what will not (wrong credentials), naming the service, the URL with
// its password masked, how long it tried and the last error.
import mysql from 'mysql2/promise';
import { ConnectionError, OlympiaError, errorMessage } from '../core/errors.js';
import { maskUrl, parseDatabaseUrl, type MysqlTarget } from '../core/connection-url.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Called before each retry, e.g. to report "still waiting". */
  onRetry?: (attempt: number, lastError: string) => void;
}

/** MySQL errors no amount of waiting fixes. */
const FATAL_MYSQL_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR', // 1045 wrong user or password
  'ER_HOST_NOT_PRIVILEGED', // 1130 the user may not connect from this host
  'ER_NOT_SUPPORTED_AUTH_MODE', // 1251 the server wants an auth plugin the client lacks
  'ER_ACCOUNT_HAS_BEEN_LOCKED', // 3118
  'HANDSHAKE_SSL_ERROR',
]);

/** What to say about a connection error; `fatal` ends the wait at once. */
export function describeMysqlError(e: unknown, target: Pick<MysqlTarget, 'user' | 'host' | 'port'>): { text: string; fatal: boolean } {
  const code = (e as { code?: unknown })?.code;
  const codeText = typeof code === 'string' ? code : undefined;
  if (codeText === 'ER_ACCESS_DENIED_ERROR') {
    return { text: `access denied for user '${target.user}' (wrong user or password)`, fatal: true };
  }
  if (codeText === 'ECONNREFUSED') return { text: `connection refused by ${target.host}:${target.port} (ECONNREFUSED)`, fatal: false };
  if (codeText === 'ENOTFOUND' || codeText === 'EAI_AGAIN') return { text: `host ${target.host} not found (${codeText})`, fatal: false };
  const message = errorMessage(e);
  const text = codeText && !message.includes(codeText) ? `${message} (${codeText})` : message;
  return { text, fatal: codeText !== undefined && FATAL_MYSQL_CODES.has(codeText) };
}

/** Like parseDatabaseUrl, but a server URL without a database part is fine here. */
function parseServerUrl(url: string): MysqlTarget {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    return parseDatabaseUrl(url); // throws the usual UsageError
  }
  if (u.pathname === '' || u.pathname === '/') {
    u.pathname = '/_';
    return { ...parseDatabaseUrl(u.toString()), database: '', url };
  }
  return parseDatabaseUrl(url);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Waits until the MySQL server behind `url` accepts the URL's credentials and runs `SELECT 1`.
 * Connects without selecting the database: the server is what must be ready; `initialize` creates a
 * missing database itself. A URL without a database part is accepted.
 */
export async function waitForMysql(url: string, opts: WaitOptions): Promise<void> {
  const target = parseServerUrl(url);
  const intervalMs = opts.intervalMs ?? 500;
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let attempts = 0;
  let last = 'no attempt made';
  for (;;) {
    attempts++;
    const remaining = deadline - Date.now();
    try {
      const conn = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        // Never wait on one attempt for longer than the whole bound allows.
        connectTimeout: Math.max(500, Math.min(10_000, remaining)),
      });
      try {
        await conn.query('SELECT 1');
        return;
      } finally {
        await conn.end().catch(() => conn.destroy());
      }
    } catch (e) {
      if (e instanceof OlympiaError) throw e;
      const { text, fatal } = describeMysqlError(e, target);
      last = text;
      if (fatal) {
        throw new ConnectionError(`MySQL at ${maskUrl(url)} refused the connection: ${text}.`, `Check the user and password in the database URL.`, e);
      }
    }
    const elapsed = Date.now() - started;
    if (Date.now() + intervalMs > deadline) {
      throw new ConnectionError(
        `MySQL at ${maskUrl(url)} was not ready within ${seconds(opts.timeoutMs)} (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} in ${seconds(elapsed)}); last error: ${last}.`,
        `Check that the server is running and listening on ${target.host}:${target.port}, or allow it more time.`,
      );
    }
    opts.onRetry?.(attempts, last);
    await sleep(intervalMs);
  }
}
