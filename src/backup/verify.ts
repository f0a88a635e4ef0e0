// Checks every file a manifest lists against its recorded size and sha256.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { IntegrityError } from '../core/errors.js';
import { runPool } from '../core/run-pool.js';
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

async function checkFile(dir: string, f: FileEntry): Promise<VerifyProblem | undefined> {
  const p = join(dir, ...f.path.split('/'));
  let size: number;
  try {
    size = (await stat(p)).size;
  } catch {
    return { path: f.path, problem: 'missing' };
  }
  if (size !== f.size) return { path: f.path, problem: `size is ${size} bytes, manifest says ${f.size}${size < f.size ? ' (truncated)' : ''}` };
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  if (digest !== f.sha256) return { path: f.path, problem: `sha256 is ${digest.slice(0, 12)}…, manifest says ${f.sha256.slice(0, 12)}… (altered)` };
  return undefined;
}

export async function verifyBackup(dir: string, manifest: Manifest, jobs: number): Promise<VerifyResult> {
  const files = allFiles(manifest).sort((a, b) => b.size - a.size);
  const found = await runPool(
    Array.from({ length: Math.max(1, jobs) }, (_, i) => i),
    files,
    (_w, f) => checkFile(dir, f),
  );
  return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), problems: found.filter((p): p is VerifyProblem => p !== undefined) };
}

export function integrityError(name: string, result: VerifyResult): IntegrityError {
  const shown = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.problem}`).join('; ');
  const more = result.problems.length > 5 ? ` and ${result.problems.length - 5} more` : '';
  return new IntegrityError(`Backup "${name}" failed verification (${result.problems.length} of ${result.files} files): ${shown}${more}. Nothing was changed.`, 'The backup is damaged: dump it again, or load another backup.');
}
