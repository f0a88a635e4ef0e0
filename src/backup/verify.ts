// Checks every file a manifest lists against its recorded size and sha256.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IntegrityError } from '../core/errors.js';
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

export async function verifyBackup(dir: string, manifest: Manifest, jobs: number): Promise<VerifyResult> {
  const files = allFiles(manifest);
  const problems: VerifyProblem[] = [];
  const toHash: { f: FileEntry; path: string; size: number }[] = [];
  // Sizes first: a missing or truncated file is reported without reading anything.
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    const size = await stat(path).then((s) => s.size, () => undefined);
    if (size === undefined) problems.push({ path: f.path, problem: 'missing' });
    else if (size !== f.size) problems.push({ path: f.path, problem: `size is ${size} bytes, manifest says ${f.size}${size < f.size ? ' (truncated)' : ''}` });
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
  const shown = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.problem}`).join('; ');
  const more = result.problems.length > 5 ? ` and ${result.problems.length - 5} more` : '';
  return new IntegrityError(`Backup "${name}" failed verification (${result.problems.length} of ${result.files} files): ${shown}${more}. Nothing was changed.`, 'The backup is damaged: dump it again, or load another backup.');
}
