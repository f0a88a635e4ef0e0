// Runs a project hook (the migrate, seed or index shell command) in the project directory, with the
// connection details in its environment and its output streamed line by line to the Reporter.
import type { HookVariable } from '../core/config.js';
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { HookError, errorMessage } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { maskUrl, parseDatabaseUrl } from '../core/connection-url.js';

export type HookName = 'migrate' | 'seed' | 'index';

export interface HookOptions {
  /** Directory the command runs in (the project dir). */
  cwd: string;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  reporter: Reporter;
  /** Environment to start from; defaults to this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Aborting kills the command (SIGTERM). */
  signal?: AbortSignal;
  /** More names for the variables a hook gets (e.g. DATABASES_DEFAULT_URL → DATABASE_URL), from olympia-data.json. */
  aliases?: Readonly<Record<string, HookVariable>>;
}

export interface HookResult {
  hook: HookName;
  /** The command as run, with URL passwords and the database password masked (safe to print). */
  command: string;
  exitCode: number;
  durationMs: number;
}

/** The hook's environment: the base plus DATABASE_URL, ELASTICSEARCH_URL and the MySQL parts, and their aliases. */
export function hookEnvironment(base: NodeJS.ProcessEnv, databaseUrl?: string, elasticsearchUrl?: string, aliases: Readonly<Record<string, HookVariable>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (databaseUrl) {
    const t = parseDatabaseUrl(databaseUrl);
    env.DATABASE_URL = databaseUrl;
    env.MYSQL_HOST = t.host;
    env.MYSQL_PORT = String(t.port);
    env.MYSQL_USER = t.user;
    env.MYSQL_PASSWORD = t.password;
    env.MYSQL_DATABASE = t.database;
  }
  if (elasticsearchUrl) env.ELASTICSEARCH_URL = elasticsearchUrl;
  for (const [name, from] of Object.entries(aliases)) if (env[from] !== undefined) env[name] = env[from];
  return env;
}

/** The secrets to hide in anything we print: the password, raw and URL-encoded. */
export function hookSecrets(databaseUrl?: string, elasticsearchUrl?: string): string[] {
  const secrets = new Set<string>();
  if (databaseUrl) {
    const p = parseDatabaseUrl(databaseUrl).password;
    if (p) secrets.add(p);
  }
  for (const url of [databaseUrl, elasticsearchUrl]) {
    if (!url) continue;
    try {
      const u = new URL(url);
      if (u.password) {
        secrets.add(u.password);
        secrets.add(decodeURIComponent(u.password));
      }
    } catch {
      // Not a URL: nothing more to hide.
    }
  }
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** Masks URL passwords and the given secrets in a line of text. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"`]+/gi, (m) => maskUrl(m));
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** Turns an exit into a user-facing error, or undefined when the command succeeded. */
export function hookFailure(hook: HookName, shownCommand: string, code: number | null, signal: NodeJS.Signals | null, lastErrorLine?: string): HookError | undefined {
  const said = lastErrorLine ? ` It said: ${lastErrorLine}` : '';
  if (signal) {
    return new HookError(`The ${hook} hook was killed by ${signal}: ${shownCommand}`, `It did not finish, so its work may be partial; run it again.${said}`);
  }
  if (code === 0) return undefined;
  if (code === 127) {
    return new HookError(
      `The ${hook} hook's command was not found (exit code 127): ${shownCommand}`,
      `Check that the program is installed and on PATH in the project directory, or fix the ${hook} command in olympia-data.json.${said}`,
    );
  }
  if (code === 126) {
    return new HookError(`The ${hook} hook's command could not be executed (exit code 126, not executable?): ${shownCommand}`, `Check the file's execute permission.${said}`);
  }
  return new HookError(`The ${hook} hook failed with exit code ${code}: ${shownCommand}`, `Its output is above.${said}`);
}

/** How long to wait for the last output after the command exits. */
const DRAIN_MS = 2000;

/** Longest partial line kept while waiting for its end; longer ones are reported in pieces. */
const MAX_LINE = 64 * 1024;

/** Calls `onLine` for each line of a stream as it arrives (CR, LF or CRLF ends a line). */
function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    const take = (text: string): void => {
      pending += text;
      let start = 0;
      for (;;) {
        const m = /\r\n|\r|\n/g;
        m.lastIndex = start;
        const hit = m.exec(pending);
        // A lone CR at the very end may be the first half of CRLF: wait for more.
        if (!hit || (hit[0] === '\r' && hit.index === pending.length - 1)) break;
        onLine(pending.slice(start, hit.index));
        start = hit.index + hit[0].length;
      }
      pending = pending.slice(start);
      while (pending.length > MAX_LINE) {
        onLine(pending.slice(0, MAX_LINE));
        pending = pending.slice(MAX_LINE);
      }
    };
    stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
    stream.on('error', reject);
    stream.on('end', () => {
      take(decoder.end());
      const rest = pending.replace(/\r$/, '');
      if (rest.length > 0) onLine(rest);
      resolve();
    });
  });
}

/** Runs `command` with /bin/sh -c; resolves when it exits 0, throws a HookError otherwise. */
export async function runHook(hook: HookName, command: string, options: HookOptions): Promise<HookResult> {
  const { reporter } = options;
  const secrets = hookSecrets(options.databaseUrl, options.elasticsearchUrl);
  const shown = maskSecrets(command, secrets);
  try {
    if (!(await stat(options.cwd)).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new HookError(`Cannot run the ${hook} hook: its directory ${options.cwd} is not usable (${errorMessage(e)}).`);
  }
  const env = hookEnvironment(options.baseEnv ?? process.env, options.databaseUrl, options.elasticsearchUrl, options.aliases);

  reporter.info(`Running the ${hook} hook: ${shown}`);
  const started = Date.now();
  const child = spawn('/bin/sh', ['-c', command], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });

  let lastErrorLine: string | undefined;
  const emit = (line: string, fromStderr: boolean): void => {
    const masked = maskSecrets(line, secrets);
    if (fromStderr && masked.trim().length > 0) lastErrorLine = masked.trim();
    reporter.info(`[${hook}] ${masked}`);
  };
  const outDone = forEachLine(child.stdout, (l) => emit(l, false));
  const errDone = forEachLine(child.stderr, (l) => emit(l, true));

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => {
      // An abort reports an AbortError and then an exit with the signal; let the exit decide.
      if ((e as NodeJS.ErrnoException).name === 'AbortError') return;
      reject(new HookError(`Cannot start the ${hook} hook (/bin/sh): ${errorMessage(e)}`));
    });
    // 'exit', not 'close': a background process the command started may hold the pipes open for ever.
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const drained = await Promise.race([Promise.all([outDone, errDone]).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), DRAIN_MS).unref())]);
  if (!drained) {
    child.stdout.destroy();
    child.stderr.destroy();
    reporter.warn(`The ${hook} hook left a background process holding its output open; its further output is not shown.`);
  }

  const durationMs = Date.now() - started;
  if (options.signal?.aborted) throw new HookError(`The ${hook} hook was cancelled: ${shown}`, 'It did not finish, so its work may be partial.');
  const failure = hookFailure(hook, shown, exit.code, exit.signal, lastErrorLine);
  if (failure) throw failure;
  reporter.info(`The ${hook} hook finished in ${(durationMs / 1000).toFixed(1)} s.`);
  return { hook, command: shown, exitCode: 0, durationMs };
}
