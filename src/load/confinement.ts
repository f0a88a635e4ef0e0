// Where a backup's SQL runs. Preferably as the load account (accounts.ts), whose only rights are on
// the staging database: the server itself then refuses whatever names another database, whatever
// shape the statement has. Where the connecting user cannot create that account, the statements
// run as the user, each one checked first (statement-check.ts); the load says which mode ran.
import type { Reporter } from '../core/reporter.js';
import { errorMessage, IntegrityError } from '../core/errors.js';
import type { ServerFlavor } from '../mysql/server-flavor.js';
import { checkBackupStatement, withoutDefiners } from './statement-check.js';
import { connect, type Connection } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { type Account, accountsNamed, createAccount, currentHost, dropAccount, grantPattern, accountSql, loadAccountName, randomPassword } from './accounts.js';

/** `account`: confined by privileges; `checked`: the user's own account, every statement validated. */
export type ConfinementMode = 'account' | 'checked';

export interface StagingAccess {
  mode: ConfinementMode;
  /** Why no load account could be used (mode `checked`). */
  reason?: string;
  /** Whom the backup's SQL connects as, in the staging database. */
  target: MysqlTarget;
  /** Drops the load account; safe to call more than once. */
  close(): Promise<void>;
}

/** Drops load accounts a killed run left for this database. Best-effort: they can reach only a staging database. */
export async function dropLeftoverLoadAccounts(control: Connection, database: string): Promise<void> {
  const user = loadAccountName(database);
  const host = await currentHost(control).catch(() => '%');
  for (const a of await accountsNamed(control, user, host)) await dropAccount(control, a).catch(() => undefined);
}

/**
 * Makes the load account for `stage` (the staging database, or the empty live one a direct fill loads
 * into) and checks that it can log in; falls back to `checked` mode
 * with the reason when any of that fails (no CREATE USER or GRANT OPTION, a host the account
 * cannot be matched from, an authentication plugin the client cannot use).
 */
export async function openStagingAccess(control: Connection, target: MysqlTarget, stage: string, reporter: Reporter): Promise<StagingAccess> {
  const checked = (reason: string): StagingAccess => {
    reporter.warn(
      `Cannot make a temporary MySQL account for this load (${reason}), so the backup's SQL runs as "${target.user}" and every statement is checked before it runs. ` +
        'Loading as a user with CREATE USER and GRANT OPTION confines it by privileges instead.',
    );
    return { mode: 'checked', reason, target: { ...target, database: stage }, close: async () => undefined };
  };
  await dropLeftoverLoadAccounts(control, target.database);
  let account: Account;
  try {
    account = { user: loadAccountName(target.database), host: await currentHost(control) };
  } catch (e) {
    return checked(errorMessage(e));
  }
  const password = randomPassword();
  const why = (e: unknown) => errorMessage(e).split(password).join('***');
  try {
    await createAccount(control, account, password);
  } catch (e) {
    return checked(why(e));
  }
  const close = async () => {
    await dropAccount(control, account).catch(() => undefined);
  };
  const confined: MysqlTarget = { ...target, user: account.user, password, database: stage };
  try {
    await control.query(`GRANT ALL PRIVILEGES ON ${grantPattern(stage)}.* TO ${accountSql(account)}`);
    const probe = await connect(confined);
    await probe.end();
  } catch (e) {
    await close();
    return checked(why(e));
  }
  reporter.info(`The backup's SQL runs as ${account.user}, a temporary account with rights on the database it loads into only.`);
  return { mode: 'account', target: confined, close };
}

export interface StatementGuard {
  /**
   * The statement as it is to run (its DEFINER clauses cut out, so what was checked is what runs),
   * or null for dump noise; an IntegrityError for a refused one.
   */
  vet(sql: string, where: string): { sql: string; kind: string } | null;
  /**
   * After a SET ran: the session must still read statements the way the check reads them (no
   * ANSI_QUOTES or NO_BACKSLASH_ESCAPES, an ASCII-safe client character set), or the next
   * statement's strings and names could be cut differently by the server than by the check.
   */
  checkSession(conn: Connection, where: string): Promise<void>;
}

// Character sets in which a byte below 0x80 is always that ASCII character: a backslash or quote
// can never be the tail of a multi-byte character, as it can in gbk, sjis or big5.
const ASCII_SAFE_CHARSETS = new Set(['utf8mb4', 'utf8mb3', 'utf8', 'latin1', 'ascii', 'binary']);

function refusal(where: string, why: string): IntegrityError {
  return new IntegrityError(
    `${where} was refused: ${why}. Nothing was changed.`,
    'Load the backup as a user that can create accounts (its SQL then runs confined by privileges), or remove that statement from the backup.',
  );
}

/**
 * Decides per statement of a backup: skip it (dump noise such as USE or CREATE DATABASE, which the
 * staging database replaces), run it, or, in `checked` mode, refuse a statement that could act
 * outside the staging database. In `account` mode the server's privileges decide instead, except
 * for what no privilege stops (a storage engine that reaches another server or directory).
 * Tables and views the statements create are remembered, so later ones may name them.
 */
export function statementGuard(mode: ConfinementMode, server: ServerFlavor, tables: Iterable<string> = []): StatementGuard {
  const known = new Set([...tables].map((t) => t.toLowerCase()));
  return {
    vet(original, where) {
      const sql = withoutDefiners(original, server);
      const r = checkBackupStatement(sql, { server, tables: known });
      if (r.action === 'skip') return null;
      if (r.action === 'refuse' && (mode === 'checked' || r.always)) throw refusal(where, `${r.kind} ${r.why}`);
      if (r.action === 'run' && r.created) known.add(r.created.toLowerCase());
      return { sql, kind: r.kind };
    },
    async checkSession(conn, where) {
      const [rows] = await conn.query('SELECT @@SESSION.sql_mode AS m, @@SESSION.character_set_client AS c');
      const { m, c } = (rows as { m: string | Buffer; c: string | Buffer }[])[0];
      const modes = String(m).toUpperCase().split(',');
      const bad = modes.find((x) => x === 'ANSI_QUOTES' || x === 'NO_BACKSLASH_ESCAPES');
      if (bad) throw refusal(where, `it sets the SQL mode ${bad}, under which the server would read the statements after it differently than they were checked`);
      if (!ASCII_SAFE_CHARSETS.has(String(c).toLowerCase()))
        throw refusal(where, `it switches the connection to the character set ${c}, in which the server would read the statements after it differently than they were checked`);
    },
  };
}
