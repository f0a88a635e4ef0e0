// Small filesystem helpers for backup tests: a directory's files and their bytes, for "unchanged" checks.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every regular file under dir (relative path → contents as hex), or null when dir is missing. */
export async function treeContents(dir: string): Promise<Record<string, string> | null> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (!e.isFile()) continue;
    const parent = (e as unknown as { parentPath?: string; path: string }).parentPath ?? (e as unknown as { path: string }).path;
    const full = join(parent, e.name);
    out[full.slice(dir.length + 1)] = (await readFile(full)).toString('hex');
  }
  return out;
}

/** Names in dir (including hidden ones), sorted; [] when dir is missing. */
export async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).then(
    (n) => n.sort(),
    () => [],
  );
}
