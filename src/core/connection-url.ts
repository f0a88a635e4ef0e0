// DATABASE_URL parsing and masking. The password never appears in anything we print.
import { UsageError } from './errors.js';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** The URL as given, for passing on to hooks. */
  url: string;
}

export function parseDatabaseUrl(url: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`The database URL ${JSON.stringify(maskUrl(url))} is not a URL.`, 'Use the form mysql://user:password@host:3306/database.');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new UsageError(`The database URL uses "${u.protocol}"; only mysql:// is supported.`, 'Use the form mysql://user:password@host:3306/database.');
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new UsageError(`The database URL ${maskUrl(url)} names no database.`, 'Add the database name as the path: mysql://user:password@host:3306/olympia.');
  if (database.length > 64 || /[/\\.\x00]/.test(database)) throw new UsageError(`The database name ${JSON.stringify(database)} is not a valid MySQL database name.`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
    url,
  };
}

/**
 * Replaces the password of any URL with ***; safe on strings that are not URLs. Splits at the last
 * "@", so a password containing "@" is hidden whole (over-masking an odd path is the safe side).
 */
export function maskUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m) return url;
  const rest = m[2];
  const at = rest.lastIndexOf('@');
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return url;
  return `${m[1]}${userinfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}

export function serverLabel(t: MysqlTarget): string {
  return `${t.user}@${t.host}:${t.port}/${t.database}`;
}
