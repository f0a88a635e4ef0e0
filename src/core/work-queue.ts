// Runs tasks on a fixed set of workers (e.g. one per database connection) where a task may add new
// ones as it runs: a load turns "the last file of a table is in" into "build that table's indexes"
// while other tables are still loading, so no connection sits idle between the phases. The first
// failure stops new tasks from starting; running ones finish.

export interface WorkQueue<T> {
  /** Adds a task; `urgent` ones go before everything still waiting. */
  add(task: T, urgent?: boolean): void;
}

export async function runQueue<W, T>(workers: readonly W[], initial: readonly T[], run: (worker: W, task: T, queue: WorkQueue<T>) => Promise<void>): Promise<void> {
  const waiting = [...initial];
  let running = 0;
  let failure: { error: unknown } | undefined;
  // Idle workers sleep until something changes: a task added, or one finished (and maybe added none).
  let changed!: () => void;
  let signal = new Promise<void>((r) => (changed = r));
  const notify = () => {
    const wakeAll = changed;
    signal = new Promise<void>((r) => (changed = r));
    wakeAll();
  };
  const queue: WorkQueue<T> = {
    add(task, urgent = false) {
      if (urgent) waiting.unshift(task);
      else waiting.push(task);
      notify();
    },
  };
  await Promise.all(
    workers.map(async (worker) => {
      for (;;) {
        if (failure) return;
        const task = waiting.shift();
        if (task === undefined) {
          // Nothing waits and nothing runs, so nothing can be added any more.
          if (running === 0) return;
          await signal;
          continue;
        }
        running++;
        try {
          await run(worker, task, queue);
        } catch (error) {
          failure ??= { error };
        } finally {
          running--;
          notify();
        }
      }
    }),
  );
  if (failure) throw failure.error;
}
