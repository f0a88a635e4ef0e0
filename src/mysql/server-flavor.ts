// Which server we talk to, in the form executable comments (`/*!80000 … */`) are gated on.
import type { Connection } from './connect.js';

export interface ServerFlavor {
  mariadb: boolean;
  /** major * 10000 + minor * 100 + patch: MySQL 8.0.34 → 80034, MariaDB 10.11.19 → 101119. */
  version: number;
}

export function parseServerVersion(v: string): ServerFlavor {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  const version = m ? Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]) : 0;
  return { mariadb: /mariadb/i.test(v), version };
}

export async function serverFlavor(conn: Connection): Promise<ServerFlavor> {
  const [r] = await conn.query('SELECT VERSION() AS v');
  return parseServerVersion(String((r as { v: string }[])[0].v));
}
