// The engine's Reporter inside a GitHub Actions job: info and warnings through @actions/core (warnings
// become annotations), each long engine step in its own collapsible log group.
import * as core from '@actions/core';
import type { Reporter } from '../core/reporter.js';

/** Log groups cannot nest; `inGroup` lets the caller's own groups and the engine's steps share one flag. */
export interface GroupState {
  open: boolean;
}

export function actionsReporter(groups: GroupState = { open: false }): Reporter {
  return {
    info: (message) => core.info(message),
    warn: (message) => core.warning(message),
    step: (name) => {
      if (groups.open) {
        core.info(`▸ ${name}`);
        return () => undefined;
      }
      core.startGroup(name);
      groups.open = true;
      return () => {
        core.endGroup();
        groups.open = false;
      };
    },
    // Per-chunk progress would flood a CI log, which nobody watches live; the step summary has the totals.
  };
}
