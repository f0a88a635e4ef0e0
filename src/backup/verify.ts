// Checks every file a manifest lists against its recorded size and sha256. A backup is untrusted:
// no link below the backup directory is followed, and only regular files count (a link to a file
// with the right bytes is still a problem: the load would copy whatever it points to).
import { lstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { IntegrityError } from '../core/errors.js';
import { entryKind } from '../core/safe-fs.js';
import { hashFiles } from './file-hasher.js';
import { allFiles, type FileEntry, type Manifest } from './manifest.js';

export interface VerifyProblem {
  path: string;
  problem: string;
}

export interface VerifyResult {
  files: number;
  bytes: number;
  problems: VerifyProblem[];
}

type Found = { size: number } | { problem: string };

function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/**
 * The size of the regular file at `rel` (a manifest path, `/`-separated) below `dir`, looked at with
 * lstat one component at a time; `dirs` caches what the directories above it turned out to be.
 * Blocking calls: one quick system call each, where a promise would cost a thread-pool round trip.
 */
function regularFile(dir: string, rel: string, dirs: Map<string, string | null>): Found {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    let problem = dirs.get(prefix);
    if (problem === undefined) {
      const s = lstatOf(join(dir, ...parts.slice(0, i)));
      if (!s) problem = 'missing';
      else if (s.isSymbolicLink()) problem = `${prefix} is a symbolic link (links are not loaded)`;
      else if (!s.isDirectory()) problem = `missing (${prefix} is ${entryKind(s) ?? 'a file'}, not a directory)`;
      else problem = null;
      dirs.set(prefix, problem);
    }
    if (problem !== null) return { problem };
  }
  const s = lstatOf(join(dir, ...parts));
  if (!s) return { problem: 'missing' };
  if (s.isSymbolicLink()) return { problem: 'a symbolic link (links are not loaded)' };
  if (!s.isFile()) return { problem: `${entryKind(s)}, not a regular file` };
  return { size: s.size };
}

export async function verifyBackup(dir: string, manifest: Manifest, jobs: number): Promise<VerifyResult> {
  const files = allFiles(manifest);
  const problems: VerifyProblem[] = [];
  const toHash: { f: FileEntry; path: string; size: number }[] = [];
  const dirs = new Map<string, string | null>();
  // Sizes first: a missing, truncated or linked file is reported without reading anything.
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    const found = regularFile(dir, f.path, dirs);
    if ('problem' in found) {
      problems.push({ path: f.path, problem: found.problem });
      continue;
    }
    const { size } = found;
    if (size !== f.size) problems.push({ path: f.path, problem: `size is ${size} bytes, manifest says ${f.size}${size < f.size ? ' (truncated)' : ''}` });
    else toHash.push({ f, path, size });
  }
  const digests = await hashFiles(toHash, jobs);
  toHash.forEach(({ f }, i) => {
    const d = digests[i];
    if ('error' in d) problems.push({ path: f.path, problem: `unreadable (${d.error.code ?? d.error.message})` });
    else if (d.sha256 !== f.sha256) problems.push({ path: f.path, problem: `sha256 is ${d.sha256.slice(0, 12)}…, manifest says ${f.sha256.slice(0, 12)}… (altered)` });
  });
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), problems };
}

export function integrityError(name: string, result: VerifyResult): IntegrityError {
  const shown = result.problems
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.problem}`)
    .join('; ');
  const more = result.problems.length > 5 ? ` and ${result.problems.length - 5} more` : '';
  return new IntegrityError(
    `Backup "${name}" failed verification (${result.problems.length} of ${result.files} files): ${shown}${more}. Nothing was changed.`,
    'The backup is damaged: dump it again, or load another backup.',
  );
}
