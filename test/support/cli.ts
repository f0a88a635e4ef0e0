// Runs the real CLI as a child process, the way a user does: exit code, stdout and stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = resolve(ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Environment without DATABASE_URL & co. leaking in from the caller's shell. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k === 'DATABASE_URL' || k.startsWith('OLYMPIA_') || k.startsWith('INIT_') || k === 'NODE_TEST_CONTEXT') delete env[k];
  return { ...env, ...extra };
}

/** `prefix` runs the CLI under another command, e.g. strace. */
export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; prefix?: string[] } = {}): ChildProcess {
  const [command, ...rest] = [...(opts.prefix ?? []), process.execPath, '--import', 'tsx', MAIN, ...args];
  return spawn(command, rest, { cwd: opts.cwd ?? ROOT, env: cleanEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function collect(child: ChildProcess, timeoutMs = 120_000): Promise<CliResult> {
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`CLI did not finish within ${timeoutMs} ms; stderr so far: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; prefix?: string[]; timeoutMs?: number } = {}): Promise<CliResult> {
  return collect(spawnCli(args, opts), opts.timeoutMs);
}

/** Peak resident memory (VmHWM) of a running process, in bytes; undefined once it is gone. */
export async function peakRss(pid: number): Promise<number | undefined> {
  const { readFile } = await import('node:fs/promises');
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
