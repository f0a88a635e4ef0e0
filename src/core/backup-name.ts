// Backup names are validated before any filesystem access: the type makes path tricks unrepresentable.
import { UsageError } from './errors.js';

export type BackupName = string & { readonly __brand: 'BackupName' };

export const INIT_BACKUP = '_init' as BackupName;
export const MAX_NAME_LENGTH = 128;
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

const RULES = 'Use letters, digits, "_", "." and "-" (at most 128 characters), e.g. "2026-01-31" or "before-upgrade".';

export function parseBackupName(input: string): BackupName {
  const shown = JSON.stringify(input);
  if (input.length === 0) throw new UsageError('The backup name is empty.', RULES);
  if (input.length > MAX_NAME_LENGTH) throw new UsageError(`The backup name is ${input.length} characters long; the limit is ${MAX_NAME_LENGTH}.`, RULES);
  if (input === '.' || input === '..') throw new UsageError(`The backup name ${shown} is not allowed: it names a directory, not a backup.`, RULES);
  if (!NAME_PATTERN.test(input)) {
    const bad = [...input].find((c) => !/[A-Za-z0-9_.-]/.test(c)) ?? '';
    const what = bad === '/' || bad === '\\' ? 'a path separator' : /[\x00-\x1f\x7f]/.test(bad) ? 'a control character' : `the character ${JSON.stringify(bad)}`;
    throw new UsageError(`The backup name ${shown} contains ${what}.`, RULES);
  }
  if (input.startsWith('.')) throw new UsageError(`The backup name ${shown} starts with "."; such names are reserved for temporary files.`, RULES);
  return input as BackupName;
}

/** Default dump name: a UTC timestamp that sorts by time, e.g. 20260131T120000Z. */
export function timestampName(now: Date = new Date()): BackupName {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z') as BackupName;
}
