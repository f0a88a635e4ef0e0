// A backup's views and triggers: rewritten into statements the load controls (no DEFINER, views
// SQL SECURITY INVOKER), tried in the staging database before anything live changes, and created
// in the target database after the swap as the definer account (accounts.ts), so that a trigger
// runs with rights on the target database only, never with those of the user who loads.
import { IntegrityError, OlympiaError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { connect, type Connection, quoteIdent } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { listTables } from '../mysql/schema.js';
import type { ServerFlavor } from '../mysql/server-flavor.js';
import { createViews, type SchemaObject } from './swap-database.js';
import {
  type Account,
  accountExists,
  accountSql,
  createAccount,
  currentHost,
  definerAccountName,
  dropAccount,
  grantPattern,
  lockAccount,
  randomPassword,
  unlockAccount,
} from './accounts.js';
import type { ConfinementMode } from './confinement.js';
import { checkBackupStatement, triggerStatement, viewStatement } from './statement-check.js';

export interface SchemaObjects {
  views: SchemaObject[];
  triggers: SchemaObject[];
}

/** The statements the load runs for a backup's views and triggers; a malformed one fails here, before anything is loaded. */
export function rewriteObjects(objs: SchemaObjects, server: ServerFlavor): SchemaObjects {
  return {
    views: objs.views.map((v) => ({ name: v.name, createSql: viewStatement(v.name, v.createSql, server) })),
    triggers: objs.triggers.map((t) => ({ name: t.name, createSql: triggerStatement(t.name, t.createSql, server).sql })),
  };
}

/** In `checked` mode, refuses a statement that could act outside the database it runs in. */
export function checkObject(kind: 'view' | 'trigger', o: SchemaObject, server: ServerFlavor, tables: ReadonlySet<string>): void {
  const r = checkBackupStatement(o.createSql, { server, tables: new Set(tables) });
  if (r.action !== 'run') {
    throw new IntegrityError(
      `The backup's ${kind} "${o.name}" was refused: ${r.action === 'skip' ? 'it is not a statement that creates one' : r.why}. Nothing was changed.`,
      'Load the backup as a user that can create accounts (it then runs confined by privileges), or remove that object from the backup.',
    );
  }
}

/**
 * Tries the views and triggers in the staging database, on a connection of the load's confinement:
 * one the server refuses (say it names a table missing here) fails the load while nothing live has
 * changed. The triggers are dropped again (a table with triggers cannot move to another database).
 */
export async function tryObjectsInStage(
  conn: Connection,
  objs: SchemaObjects,
  mode: ConfinementMode,
  server: ServerFlavor,
  tables: ReadonlySet<string>,
  createdViews?: Set<string>,
): Promise<void> {
  if (mode === 'checked') {
    const known = new Set([...tables, ...objs.views.map((v) => v.name.toLowerCase())]);
    for (const v of objs.views) checkObject('view', v, server, known);
    for (const t of objs.triggers) checkObject('trigger', t, server, known);
  }
  try {
    await createViews(conn, objs.views, createdViews);
  } catch (e) {
    throw new OlympiaError(`${errorMessage(e)}. Nothing was changed.`, { cause: e });
  }
  for (const t of objs.triggers) {
    try {
      await conn.query(t.createSql);
    } catch (e) {
      throw new OlympiaError(`Cannot create trigger "${t.name}" of the backup: ${errorMessage(e)}. Nothing was changed.`, { cause: e });
    }
    await conn.query(`DROP TRIGGER ${quoteIdent(t.name)}`);
  }
}

async function liveNames(control: Connection, live: string): Promise<Set<string>> {
  const { tables, views } = await listTables(control, live);
  return new Set([...tables.map((t) => t.name), ...views].map((n) => n.toLowerCase()));
}

/**
 * Sets up the definer account with rights on `live` and returns it, or null when this user cannot
 * (then objects are created as the user, checked). Run before the swap, so a failure changes nothing.
 */
export async function prepareDefiner(control: Connection, live: string): Promise<Account | null> {
  try {
    const account = { user: definerAccountName(live), host: await currentHost(control) };
    if (!(await accountExists(control, account))) await createAccount(control, account, randomPassword());
    await lockAccount(control, account);
    await control.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER, CREATE VIEW, SHOW VIEW ON ${grantPattern(live)}.* TO ${accountSql(account)}`);
    return account;
  } catch {
    return null;
  }
}

/**
 * Creates the (rewritten) views and triggers in the live database. Idempotent only together with
 * dropping what exists first (the swap's journal does). Returns how they were confined.
 */
export async function createLiveObjects(
  control: Connection,
  target: MysqlTarget,
  live: string,
  objs: SchemaObjects,
  server: ServerFlavor,
  reporter: Reporter,
): Promise<ConfinementMode> {
  const rewritten = rewriteObjects(objs, server);
  let definer = rewritten.views.length + rewritten.triggers.length > 0 ? await prepareDefiner(control, live) : null;
  let conn: Connection | undefined;
  if (definer) {
    const password = randomPassword();
    try {
      await unlockAccount(control, definer, password);
      conn = await connect({ ...target, user: definer.user, password, database: live });
    } catch {
      // It cannot log in from here (say its host is matched differently): create them as the user, checked.
      await lockAccount(control, definer).catch(() => undefined);
      definer = null;
    }
  }
  if (definer && conn) {
    try {
      await createViews(conn, rewritten.views);
      for (const t of rewritten.triggers) await conn.query(t.createSql);
    } finally {
      await conn.end().catch(() => undefined);
      await lockAccount(control, definer).catch(() => undefined);
    }
  } else if (rewritten.views.length + rewritten.triggers.length > 0) {
    reporter.warn(`Cannot use the definer account for "${live}", so its views and triggers are created as "${target.user}" after each is checked.`);
    const known = await liveNames(control, live);
    for (const v of rewritten.views) checkObject('view', v, server, known);
    for (const t of rewritten.triggers) checkObject('trigger', t, server, known);
    await control.query(`USE ${quoteIdent(live)}`);
    await createViews(control, rewritten.views);
    for (const t of rewritten.triggers) await control.query(t.createSql);
  }
  await dropUnusedDefiner(control, live);
  return definer ? 'account' : 'checked';
}

/** The definer account goes once no trigger in the database runs as it (views are INVOKER: they need none). */
export async function dropUnusedDefiner(control: Connection, live: string): Promise<void> {
  const user = definerAccountName(live);
  try {
    const [r] = await control.query('SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND DEFINER LIKE ?', [live, `${user}@%`]);
    if (Number((r as { n: number }[])[0].n) > 0) return;
    const host = await currentHost(control);
    const [hosts] = await control.query('SELECT Host AS host FROM mysql.user WHERE User = ?', [user]).catch(() => [[{ host }]] as unknown as [unknown]);
    for (const h of hosts as { host: string }[]) await dropAccount(control, { user, host: String(h.host) });
  } catch {
    // Best-effort: a locked account with row rights on this database only.
  }
}
