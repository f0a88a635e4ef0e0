// The MySQL accounts a load runs a backup's SQL as, so that what a backup carries can touch nothing
// but the staging database (and, for the views and triggers recreated after the swap, nothing but
// the target database):
// - the load account `olympia_load_<h>`: every privilege on the staging database and none else,
//   with a random password that lives only in this process; dropped when the load ends, and by the
//   next load if a kill left it behind;
// - the definer account `olympia_def_<h>`: the definer of the backup's triggers in the target
//   database (a trigger runs with its definer's rights, so it must not be the user's own account).
//   Row rights on the target database only, locked except while the load creates the objects, and
//   dropped once the database has no trigger of ours.
// <h> is derived from the target database's name, so a later run finds what an earlier one left.
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from '../mysql/connect.js';
import { quoteIdent, quoteString } from '../mysql/connect.js';

export interface Account {
  user: string;
  host: string;
}

function suffix(database: string): string {
  return createHash('sha1').update(database).digest('hex').slice(0, 12);
}

export function loadAccountName(database: string): string {
  return `olympia_load_${suffix(database)}`;
}

export function definerAccountName(database: string): string {
  return `olympia_def_${suffix(database)}`;
}

/**
 * A database name as a GRANT pattern: `_` and `%` are wildcards there, so a grant on
 * `olympia_stage_x` would also cover `olympiaXstageYx`.
 */
export function grantPattern(database: string): string {
  return quoteIdent(database.replace(/[\\_%]/g, (c) => `\\${c}`));
}

/** A password no validation plugin refuses, known only to this process. */
export function randomPassword(): string {
  return `Ol1-${randomBytes(18).toString('base64url')}`;
}

/**
 * The host part of the account the server matched for this connection. Accounts made with the same
 * host part are matched the same way when the same client connects the same way.
 */
export async function currentHost(conn: Connection): Promise<string> {
  const [r] = await conn.query('SELECT CURRENT_USER() AS u');
  const u = String((r as { u: string }[])[0].u);
  return u.slice(u.lastIndexOf('@') + 1);
}

export function accountSql(a: Account): string {
  return `${quoteString(a.user)}@${quoteString(a.host)}`;
}

export async function dropAccount(conn: Connection, a: Account): Promise<void> {
  await conn.query(`DROP USER IF EXISTS ${accountSql(a)}`);
}

/** Accounts of this name under any host (a run may have connected another way); needs read access to mysql.user, else only `fallbackHost`. */
export async function accountsNamed(conn: Connection, user: string, fallbackHost: string): Promise<Account[]> {
  try {
    const [r] = await conn.query('SELECT Host AS host FROM mysql.user WHERE User = ?', [user]);
    return (r as { host: string }[]).map((x) => ({ user, host: String(x.host) }));
  } catch {
    return [{ user, host: fallbackHost }];
  }
}

export async function createAccount(conn: Connection, a: Account, password: string): Promise<void> {
  await dropAccount(conn, a);
  await conn.query(`CREATE USER ${accountSql(a)} IDENTIFIED BY ?`, [password]);
}

/** Locks an account (MariaDB 10.4+, MySQL 5.7+) and forgets its password either way. */
export async function lockAccount(conn: Connection, a: Account): Promise<void> {
  await conn.query(`ALTER USER ${accountSql(a)} IDENTIFIED BY ?`, [randomPassword()]);
  await conn.query(`ALTER USER ${accountSql(a)} ACCOUNT LOCK`).catch(() => undefined);
}

export async function unlockAccount(conn: Connection, a: Account, password: string): Promise<void> {
  await conn.query(`ALTER USER ${accountSql(a)} IDENTIFIED BY ?`, [password]);
  await conn.query(`ALTER USER ${accountSql(a)} ACCOUNT UNLOCK`).catch(() => undefined);
}

export async function accountExists(conn: Connection, a: Account): Promise<boolean> {
  try {
    const [r] = await conn.query('SELECT 1 AS x FROM mysql.user WHERE User = ? AND Host = ?', [a.user, a.host]);
    return (r as unknown[]).length > 0;
  } catch {
    return false;
  }
}
