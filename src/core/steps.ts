// One record for every step a run planned, whether it ran or not: the CLI's lines, the action's log and
// job summary all print these, and none of them works out by itself what never ran.

/** `not-run`: planned, but an earlier step failed first. `warning`: done without something optional. */
export type StepStatus = 'done' | 'warning' | 'skipped' | 'failed' | 'not-run';

export interface StepRecord {
  title: string;
  status: StepStatus;
  durationMs: number;
  /** What it did; why it was skipped or not run; for a failure, its error. */
  detail?: string;
  rows?: number;
}

export const NOT_RUN_REASON = 'not run: an earlier step failed';
