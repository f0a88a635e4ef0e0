// Small filesystem and process checks shared by the backup store, storage swaps and loads.
import { stat } from 'node:fs/promises';

export async function pathExists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Whether a process is alive; lock files and temporary names carry the pid of their writer. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
