// One server-side advisory lock per database, taken by everything that changes it (load,
// initialize, seed, reset), so no two of them interleave. It dies with the connection, so a killed
// process never leaves it behind.
import { createHash } from 'node:crypto';
import { LockedError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Connection } from './connect.js';

/** How long a command waits for another run holding the database, unless told (--lock-timeout). */
export const DEFAULT_LOCK_TIMEOUT_S = 600;

export function lockName(database: string): string {
  // GET_LOCK names are limited to 64 characters.
  return `olympia-data:${createHash('sha1').update(database).digest('hex').slice(0, 40)}`;
}

export async function acquireDatabaseLock(conn: Connection, database: string, opts: { timeoutS: number; reporter: Reporter; purpose: string }): Promise<() => Promise<void>> {
  const name = lockName(database);
  const got = async (wait: number) => {
    const [r] = await conn.query('SELECT GET_LOCK(?, ?) AS ok', [name, wait]);
    return Number((r as { ok: number | null }[])[0].ok) === 1;
  };
  if (!(await got(0))) {
    opts.reporter.info(`Another olympia-data run holds the lock on database "${database}"; waiting up to ${opts.timeoutS} s…`);
    if (!(await got(opts.timeoutS))) {
      throw new LockedError(
        `Another olympia-data run kept database "${database}" locked for ${opts.timeoutS} s, so ${opts.purpose} did not start. Nothing was changed.`,
        'Wait for the other run to finish, or raise --lock-timeout.',
      );
    }
  }
  return async () => {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
  };
}
