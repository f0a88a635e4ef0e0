// Where a backup's SQL runs. Preferably as the load account (accounts.ts), whose only rights are on
// the staging database: the server itself then refuses whatever names another database, whatever
// shape the statement has. Where the connecting user cannot create that account, the statements
// run as the user, each one checked first (statement-check.ts); the load says which mode ran.
import type { Reporter } from '../core/reporter.js';
import { errorMessage, IntegrityError } from '../core/errors.js';
import type { ServerFlavor } from '../mysql/server-flavor.js';
import { checkBackupStatement } from './statement-check.js';
import { connect, type Connection } from '../mysql/connect.js';
import type { MysqlTarget } from '../mysql/connection-url.js';
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
 * Makes the load account for `stage` and checks that it can log in; falls back to `checked` mode
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
  reporter.info(`The backup's SQL runs as ${account.user}, a temporary account with rights on the staging database only.`);
  return { mode: 'account', target: confined, close };
}

/**
 * Decides per statement of a backup: `skip` (dump noise such as USE or CREATE DATABASE, which the
 * staging database replaces), `run`, or, in `checked` mode, an IntegrityError for a statement that
 * could act outside the staging database. In `account` mode the server's privileges decide instead,
 * except for what no privilege stops (a storage engine that reaches another server or directory).
 * Tables and views the statements create are remembered, so later ones may name them.
 */
export function statementGuard(mode: ConfinementMode, server: ServerFlavor, tables: Iterable<string> = []): (sql: string, where: string) => 'run' | 'skip' {
  const known = new Set([...tables].map((t) => t.toLowerCase()));
  return (sql, where) => {
    const r = checkBackupStatement(sql, { server, tables: known });
    if (r.action === 'skip') return 'skip';
    if (r.action === 'refuse' && (mode === 'checked' || r.always)) {
      throw new IntegrityError(`${where} was refused: ${r.kind} ${r.why}. Nothing was changed.`, 'Load the backup as a user that can create accounts (its SQL then runs confined by privileges), or remove that statement from the backup.');
    }
    if (r.action === 'run' && r.created) known.add(r.created.toLowerCase());
    return 'run';
  };
}
