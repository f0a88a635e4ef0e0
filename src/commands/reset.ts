// `olympia-data reset`: the hard reset — drop the database and the project's search indices.
import { quoteIdent } from '../mysql/connect.js';
import { type Context, requireTarget } from './context.js';
import { withInitializeLock } from './initialize.js';
import { databaseExists, dropIndices } from './project-steps.js';
import { dropUnusedDefiner } from '../load/schema-objects.js';
import { dropDataState } from '../mysql/data-state.js';

export interface ResetResult {
  /** The database dropped; absent when it did not exist. */
  database?: string;
  /** The search indices deleted (their aliases go with them). */
  indices: string[];
}

export async function reset(ctx: Context, opts: { skipIndex?: boolean } = {}): Promise<ResetResult> {
  const target = requireTarget(ctx);
  // Under the initialize lock: dropping the database under a running initialize would leave it half done.
  return withInitializeLock(ctx, target, 'reset', async () => {
    const out: ResetResult = { indices: [] };
    // Indices first: an unreachable Elasticsearch then fails the reset before anything is dropped.
    if (!opts.skipIndex && ctx.config.index.definitions.length > 0) out.indices = await dropIndices(ctx);
    if ((await databaseExists(ctx, target)).exists) {
      const conn = await ctx.clients.mysql(target, { database: null });
      try {
        await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(target.database)}`);
        // Its triggers are gone, so the account they ran as goes too.
        await dropUnusedDefiner(conn, target.database);
        await dropDataState(conn, target.database);
        out.database = target.database;
      } finally {
        await conn.end();
      }
    }
    return out;
  });
}
