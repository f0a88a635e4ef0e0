// The action's own steps (services, cache, artifacts, dumps) and the engine's, in the order they ran,
// each with its status and time: what the job summary and its chart are built from.
import * as core from '@actions/core';
import { errorMessage } from '../core/errors.js';
import type { StepResult } from '../commands/run-plan.js';
import type { GroupState } from './reporter.js';

export type PhaseStatus = 'done' | 'skipped' | 'failed' | 'warning';

export interface Phase {
  title: string;
  status: PhaseStatus;
  durationMs: number;
  detail?: string;
  rows?: number;
}

export interface PhaseOutcome {
  status?: PhaseStatus;
  detail?: string;
  rows?: number;
}

export class Phases {
  readonly list: Phase[] = [];

  constructor(private readonly groups: GroupState = { open: false }) {}

  /**
   * Runs `fn` in a log group, timed. A throw is recorded as failed and rethrown, unless `recover` turns it
   * into a value (the run goes on without what failed; recorded as a warning).
   */
  async run<T>(title: string, fn: () => Promise<T>, describe: (value: T) => PhaseOutcome = () => ({}), recover?: (e: unknown) => { value: T; detail: string } | undefined): Promise<T> {
    const started = Date.now();
    core.startGroup(title);
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
      core.endGroup();
      this.groups.open = false;
    }
  }

  skipped(title: string, detail: string): void {
    this.list.push({ title, status: 'skipped', durationMs: 0, detail });
  }

  /** The engine's per-step results (initialize, seed), in order. */
  addEngineSteps(steps: readonly StepResult[]): void {
    for (const s of steps) {
      this.list.push({ title: s.title, status: s.status, durationMs: s.durationMs, detail: s.status === 'failed' ? s.error : (s.detail ?? s.reason), rows: s.rows });
    }
  }
}
