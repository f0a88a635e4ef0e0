// The engine's Reporter inside a GitHub Actions job: info and warnings through the runner (warnings
// become annotations), each long engine step in its own collapsible log group.
import type { Reporter } from '../core/reporter.js';
import type { ActionIO } from './runtime.js';

/** Log groups cannot nest; `inGroup` lets the caller's own groups and the engine's steps share one flag. */
export interface GroupState {
  open: boolean;
}

export function actionsReporter(io: Pick<ActionIO, 'info' | 'warning' | 'startGroup' | 'endGroup'>, groups: GroupState = { open: false }): Reporter {
  return {
    info: (message) => io.info(message),
    warn: (message) => io.warning(message),
    step: (name) => {
      if (groups.open) {
        io.info(`▸ ${name}`);
        return () => undefined;
      }
      io.startGroup(name);
      groups.open = true;
      return () => {
        io.endGroup();
        groups.open = false;
      };
    },
    // Per-chunk progress would flood a CI log, which nobody watches live; the step summary has the totals.
  };
}
