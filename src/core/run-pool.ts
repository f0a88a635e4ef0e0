// Runs tasks on a fixed set of workers (e.g. one per database connection), biggest first if the
// caller sorted them so. The first failure stops new tasks from starting; running ones finish.

export async function runPool<W, T, R>(workers: W[], tasks: T[], run: (worker: W, task: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    workers.map(async (worker) => {
      while (!failure && next < tasks.length) {
        const i = next++;
        try {
          results[i] = await run(worker, tasks[i]);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
  return results;
}
