// Replaces every table of the live database with the staged ones in one atomic RENAME TABLE.
// Views and triggers cannot move between databases, so they are dropped and recreated around it.
import { createHash } from 'node:crypto';
import { OlympiaError } from '../core/errors.js';
import { type Connection, quoteIdent } from './connect.js';
import { listTables, listTriggers } from './schema.js';

export interface SchemaObject {
  name: string;
  createSql: string;
}

export function stagingNames(database: string): { stage: string; old: string } {
  const h = createHash('sha1').update(database).digest('hex').slice(0, 12);
  return { stage: `olympia_stage_${h}`, old: `olympia_old_${h}` };
}

/** Views may depend on each other: create them in rounds until none is left or none succeeds. */
export async function createViews(conn: Connection, views: SchemaObject[]): Promise<void> {
  let pending = [...views];
  while (pending.length > 0) {
    const failed: { view: SchemaObject; error: unknown }[] = [];
    for (const v of pending) {
      try {
        await conn.query(v.createSql);
      } catch (error) {
        failed.push({ view: v, error });
      }
    }
    if (failed.length === pending.length) {
      throw new OlympiaError(`Cannot create view "${failed[0].view.name}": ${(failed[0].error as Error).message}`);
    }
    pending = failed.map((f) => f.view);
  }
}

export interface SwapInput {
  live: string;
  stage: string;
  old: string;
  views: SchemaObject[];
  triggers: SchemaObject[];
}

/**
 * `conn` must not have a default database that is dropped here. On return the live database holds
 * the staged tables, views and triggers, and `old` holds the previous tables (the caller drops it).
 */
export async function swapIn(conn: Connection, s: SwapInput): Promise<void> {
  const L = quoteIdent(s.live);
  const S = quoteIdent(s.stage);
  const O = quoteIdent(s.old);
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${L}`);
  await conn.query(`DROP DATABASE IF EXISTS ${O}`);
  await conn.query(`CREATE DATABASE ${O}`);
  const live = await listTables(conn, s.live);
  const staged = await listTables(conn, s.stage);
  const liveTriggers = await listTriggers(conn, s.live);

  await conn.query(`USE ${L}`);
  for (const t of liveTriggers) await conn.query(`DROP TRIGGER ${quoteIdent(t.name)}`);
  const renames = [
    ...live.tables.map((t) => `${L}.${quoteIdent(t.name)} TO ${O}.${quoteIdent(t.name)}`),
    ...staged.tables.map((t) => `${S}.${quoteIdent(t.name)} TO ${L}.${quoteIdent(t.name)}`),
  ];
  try {
    if (renames.length) await conn.query(`RENAME TABLE ${renames.join(', ')}`);
  } catch (e) {
    // RENAME TABLE is all or nothing: the old tables are still in place; put their triggers back.
    for (const t of liveTriggers) await conn.query(t.createSql).catch(() => undefined);
    throw new OlympiaError(`Swapping the loaded tables into "${s.live}" failed; the previous data is unchanged: ${(e as Error).message}`, { cause: e });
  }
  for (const v of live.views) await conn.query(`DROP VIEW IF EXISTS ${quoteIdent(v)}`);
  await createViews(conn, s.views);
  for (const t of s.triggers) await conn.query(t.createSql);
}
