// InnoDB may pick one of several statements loading the same table as a deadlock victim (MariaDB
// takes a table lock for a bulk insert into an empty table, so two chunks of one table starting at
// once can collide). The victim statement is rolled back whole, so running it again is safe — as
// long as it was its own transaction, which every loader statement here is (autocommit).

const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

export function isRetryableLockError(e: unknown): boolean {
  return RETRYABLE.has(String((e as { code?: unknown })?.code));
}

export async function retryOnDeadlock<T>(statement: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (e) {
      if (!isRetryableLockError(e) || attempt >= attempts) throw e;
      // Back off a little more each time, with jitter, so the colliding loaders fall out of step.
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 20 * attempt));
    }
  }
}
