// Opens mysql2 connections with the session settings every dump and load relies on, and turns
// connection failures into ConnectionErrors that never show the password.
import mysql from 'mysql2/promise';
import { ConnectionError } from '../core/errors.js';
import { maskUrl, type MysqlTarget } from '../core/connection-url.js';
import { avoidLostFrames } from './packet-boundary.js';
import { type PacketFramer, packetSocket } from './packet-socket.js';

export type Connection = mysql.Connection;

export interface ConnectOptions {
  /** Database to select; null for none (e.g. before it is created). Defaults to the target's. */
  database?: string | null;
  connectTimeoutMs?: number;
  /**
   * Send query text as the bytes it holds (each char 0–255 one byte, e.g. a SQL file read as
   * latin1) instead of encoding it as UTF-8: a mysqldump file is not valid UTF-8 where it holds
   * BLOB bytes, and replaying it must hand the server exactly those bytes, as the mysql client does.
   */
  rawBytes?: boolean;
  /**
   * Read through one reused buffer (packet-socket.ts) once connected: for a connection whose result
   * rows are consumed as they arrive and never kept, like the dump's.
   */
  reuseReadBuffer?: boolean;
  /**
   * Tell the server this client sends no local files: for connections that run statements we did
   * not write (a backup's db.sql), so a LOAD DATA LOCAL in it is refused by the server itself.
   */
  noLocalFiles?: boolean;
  /**
   * Take several statements in one query (schema.ts showCreateMany). Only for connections whose every
   * statement this program writes itself, names quoted: never one that runs a backup's SQL.
   */
  multipleStatements?: boolean;
}

// UTC so TIMESTAMP values round-trip whatever the server's zone; NO_AUTO_VALUE_ON_ZERO so a 0 in an
// AUTO_INCREMENT column stays 0; no strict/zero-date modes, so data the server once accepted loads again.
const SESSION_SETUP = "SET time_zone = '+00:00', sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', NAMES utf8mb4";

export function describeConnectionError(target: MysqlTarget, e: unknown): ConnectionError {
  const err = e as { code?: string; message?: string };
  const where = maskUrl(`mysql://${target.user}:${target.password ? 'x' : ''}@${target.host}:${target.port}/${target.database}`);
  const safe = (s: string | undefined) => (s ?? String(e)).split(target.password || '\u0000').join('***');
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectionError(
        `MySQL at ${where} refused the connection (nothing listens on ${target.host}:${target.port}).`,
        'Start the server (`olympia-data up`) or fix --database-url / DATABASE_URL.',
        e,
      );
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return new ConnectionError(`MySQL at ${where} did not answer in time.`, 'Check the host and port in --database-url / DATABASE_URL and that the server is running.', e);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`MySQL host "${target.host}" could not be resolved.`, 'Fix the host in --database-url / DATABASE_URL.', e);
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return new ConnectionError(
        `MySQL at ${where} denied access to user "${target.user}": ${safe(err.message)}`,
        'Check the user and password in --database-url / DATABASE_URL.',
        e,
      );
    default:
      return new ConnectionError(`Cannot connect to MySQL at ${where}: ${safe(err.message)}`, undefined, e);
  }
}

/**
 * mysql2's own formatting, except that a statement with no values goes out as it is: mysql2 scans every
 * statement for placeholders even then, a pass over each byte of a multi-megabyte INSERT. Every
 * statement passes here, so one mysql2 would frame wrongly is padded here (packet-boundary.ts).
 */
export function formatQuery(sql: string, values: unknown, timezone?: string): string {
  if (values === undefined || values === null || (Array.isArray(values) && values.length === 0)) return avoidLostFrames(sql);
  return avoidLostFrames(mysql.format(sql, values as Parameters<typeof mysql.format>[1], false, timezone as never));
}

export async function connect(target: MysqlTarget, opts: ConnectOptions = {}): Promise<Connection> {
  const database = opts.database === undefined ? target.database : (opts.database ?? undefined);
  let conn: Connection;
  let framer: PacketFramer | undefined;
  const stream = opts.reuseReadBuffer
    ? () => {
        const made = packetSocket(target.host, target.port);
        framer = made.framer;
        return made.socket;
      }
    : undefined;
  try {
    conn = await mysql.createConnection({
      ...(stream ? { stream } : {}),
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      queryFormat: (sql: string, values: unknown, timezone?: string) => formatQuery(sql, values, timezone),
      multipleStatements: opts.multipleStatements ?? false,
      charset: opts.rawBytes ? 'BINARY' : 'utf8mb4_unicode_ci',
      // mysql2 follows the server's session tracking and re-encodes after a SET NAMES; raw stays raw.
      flags: [...(opts.rawBytes ? ['-SESSION_TRACK'] : []), ...(opts.noLocalFiles ? ['-LOCAL_FILES'] : [])],
    });
  } catch (e) {
    throw describeConnectionError(target, e);
  }
  // A dropped connection must not crash the process through an unhandled 'error' event.
  conn.on('error', () => undefined);
  try {
    await conn.query(SESSION_SETUP);
  } catch (e) {
    // An open socket would keep the process alive.
    conn.destroy();
    throw e;
  }
  framer?.zeroCopy();
  return conn;
}

export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** A string literal, for the few statements sent without placeholders (a batch of several). */
export function quoteString(value: string): string {
  return mysql.escape(value);
}

export async function serverVersion(conn: Connection): Promise<string> {
  const [rows] = await conn.query('SELECT VERSION() AS v');
  return String((rows as { v: string }[])[0].v);
}
