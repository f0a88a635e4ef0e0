// INIT_* environment flags and initialize options: pure parsing, no I/O (the adapter passes process.env in).
//
// Precedence, kept deliberately simple: a boolean flag counts only when it is `true` (given); when it is
// absent or `false`, the environment variable decides, and unset means false. There is no `--no-clean`:
// to turn an env flag off, unset it or set it to false/0/no. `load` from a flag wins over INIT_LOAD.
// Env values are validated even when a flag overrides them, so a typo never hides until the day it matters.
import { parseBackupName, type BackupName } from './backup-name.js';
import { UsageError } from './errors.js';

/** The environment variables `initialize` reads (the addons-server Makefile's names). */
export const INIT_ENV = {
  clean: 'INIT_CLEAN',
  load: 'INIT_LOAD',
  skipSeed: 'INIT_SKIP_SEED',
  skipIndex: 'INIT_SKIP_INDEX',
} as const;

const TRUE_WORDS = ['true', '1', 'yes'];
const FALSE_WORDS = ['false', '0', 'no'];

/**
 * Reads a yes/no value: true/1/yes or false/0/no, any case, surrounding blanks ignored.
 * Unset or blank → undefined (the caller's default applies); anything else is a UsageError naming `name`.
 */
export function parseBoolFlag(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  const word = value.trim().toLowerCase();
  if (word === '') return undefined;
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new UsageError(
    `${name}=${JSON.stringify(value)} is not a yes/no value.`,
    `Set ${name} to ${TRUE_WORDS.join(', ')} or ${FALSE_WORDS.join(', ')} (any case), or leave it unset.`,
  );
}

/** What the adapter collected from its own flags or inputs; absent means "not given". */
export interface InitializeFlags {
  clean?: boolean;
  /** The raw `--load` value; validated here. Adapters pass undefined when it was not given. */
  load?: string;
  skipSeed?: boolean;
  skipIndex?: boolean;
}

export interface InitializeOptions {
  clean: boolean;
  load?: BackupName;
  skipSeed: boolean;
  skipIndex: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

function parseLoad(value: string, source: string): BackupName {
  try {
    return parseBackupName(value);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${source}: ${e.message}`, e.hint);
    throw e;
  }
}

/** Flags win over INIT_CLEAN, INIT_LOAD, INIT_SKIP_SEED and INIT_SKIP_INDEX (see the precedence note above). */
export function resolveInitializeOptions({ flags, env }: { flags: InitializeFlags; env: Env }): InitializeOptions {
  const bool = (flag: boolean | undefined, variable: string): boolean => {
    const fromEnv = parseBoolFlag(env[variable], variable);
    return flag === true || fromEnv === true;
  };
  const options: InitializeOptions = {
    clean: bool(flags.clean, INIT_ENV.clean),
    skipSeed: bool(flags.skipSeed, INIT_ENV.skipSeed),
    skipIndex: bool(flags.skipIndex, INIT_ENV.skipIndex),
  };
  // A blank INIT_LOAD means unset: `make initialize INIT_LOAD=` must behave like no INIT_LOAD at all.
  const envLoad = env[INIT_ENV.load]?.trim();
  const fromEnv = envLoad ? parseLoad(envLoad, INIT_ENV.load) : undefined;
  const load = flags.load !== undefined ? parseLoad(flags.load, '--load') : fromEnv;
  if (load !== undefined) options.load = load;
  return options;
}
