// `--enable-local-infile`: a server with local_infile off (stock mysql:8.0, which a CI `services:`
// container cannot start with flags) loads with INSERT statements, slower than LOAD DATA. Where the
// user says so and may (SET GLOBAL needs SUPER or SYSTEM_VARIABLES_ADMIN: a throwaway CI server), the
// load turns it on for itself and off again when it ends, said in the log, never silently.
import { errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import type { Connection } from '../mysql/connect.js';

export interface LocalInfileGrant {
  /** Turns local_infile off again if this load turned it on. */
  restore(): Promise<void>;
}

const nothingToRestore: LocalInfileGrant = { restore: async () => undefined };

export async function enableLocalInfileForLoad(control: Connection, enable: boolean, reporter: Reporter): Promise<LocalInfileGrant> {
  if (!enable) return nothingToRestore;
  const [rows] = await control.query('SELECT @@GLOBAL.local_infile AS enabled');
  if (Number((rows as { enabled: number | string }[])[0].enabled) === 1) return nothingToRestore;
  try {
    await control.query('SET GLOBAL local_infile = 1');
  } catch (e) {
    reporter.warn(`--enable-local-infile: the server refused to turn local_infile on (${errorMessage(e)}), so rows are loaded with INSERT statements.`);
    return nothingToRestore;
  }
  reporter.info("Turned the server's local_infile on for this load (--enable-local-infile); it is turned off again when the load ends.");
  return {
    restore: async () => {
      try {
        await control.query('SET GLOBAL local_infile = 0');
        reporter.info("Turned the server's local_infile off again.");
      } catch (e) {
        reporter.warn(`Could not turn the server's local_infile off again (${errorMessage(e)}); run SET GLOBAL local_infile = 0 on it.`);
      }
    },
  };
}
