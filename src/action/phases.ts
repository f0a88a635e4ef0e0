// The action's steps (services, cache, artifacts, dumps) and the engine's, in the order they ran, each
// with its status and time, and after a failure the planned ones that never ran: what the job summary and
// its chart are built from.
import { errorMessage } from '../core/errors.js';
import { NOT_RUN_REASON, type StepRecord, type StepStatus } from '../core/steps.js';
import type { ActionStepId, PlannedStep } from './action-plan.js';
import type { GroupState } from './reporter.js';
import type { ActionIO } from './runtime.js';

export type Phase = StepRecord;
export type PhaseStatus = StepStatus;

export interface PhaseOutcome {
  status?: PhaseStatus;
  detail?: string;
  rows?: number;
}

export class Phases {
  readonly list: Phase[] = [];
  private readonly reached = new Set<ActionStepId>();

  constructor(
    private readonly io: Pick<ActionIO, 'startGroup' | 'endGroup'>,
    private readonly plan: readonly PlannedStep[] = [],
    private readonly groups: GroupState = { open: false },
  ) {}

  /**
   * Runs `fn` in a log group, timed. A throw is recorded as failed and rethrown, unless `recover` turns it
   * into a value (the run goes on without what failed; recorded as a warning).
   */
  async run<T>(
    id: ActionStepId,
    title: string,
    fn: () => Promise<T>,
    describe: (value: T) => PhaseOutcome = () => ({}),
    recover?: (e: unknown) => { value: T; detail: string } | undefined,
  ): Promise<T> {
    this.reached.add(id);
    const started = Date.now();
    this.io.startGroup(title);
    this.groups.open = true;
    try {
      const value = await fn();
      const outcome = describe(value);
      this.list.push({ title, status: outcome.status ?? 'done', durationMs: Date.now() - started, detail: outcome.detail, rows: outcome.rows });
      return value;
    } catch (e) {
      const recovered = recover?.(e);
      if (recovered) {
        this.list.push({ title, status: 'warning', durationMs: Date.now() - started, detail: recovered.detail });
        return recovered.value;
      }
      this.list.push({ title, status: 'failed', durationMs: Date.now() - started, detail: errorMessage(e) });
      throw e;
    } finally {
      this.io.endGroup();
      this.groups.open = false;
    }
  }

  skipped(id: ActionStepId, title: string, detail: string): void {
    this.reached.add(id);
    this.list.push({ title, status: 'skipped', durationMs: 0, detail });
  }

  /** The engine's per-step results (initialize, seed), in order, including those it never ran. */
  addEngineSteps(steps: readonly StepRecord[]): void {
    this.reached.add('engine');
    for (const s of steps) this.list.push({ title: s.title, status: s.status, durationMs: s.durationMs, detail: s.detail, rows: s.rows });
  }

  /** After a failure: every planned step the run never reached. */
  notReached(): void {
    for (const step of this.plan) {
      if (!this.reached.has(step.id)) this.list.push({ title: step.title, status: 'not-run', durationMs: 0, detail: NOT_RUN_REASON });
    }
  }
}
