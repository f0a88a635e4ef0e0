// Runs the real CLI (src/cli/main.ts through tsx) as a user would: its own process, exit code, stdout
// and stderr. The environment starts clean of anything the tool reads, so the machine's DATABASE_URL
// or INIT_* never leak into a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = resolve(REPO, 'src', 'cli', 'main.ts');
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** The run is killed (and the test fails on its result) after this long. */
  timeoutMs?: number;
}

const TOOL_VARS = /^(DATABASE_URL|ELASTICSEARCH_URL|INIT_.*|OLYMPIA_(?!TEST_).*)$/;

function environment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!TOOL_VARS.test(k)) env[k] = v;
  // Tests run with NODE_TEST_CONTEXT set; the child is a CLI, not a test.
  delete env.NODE_TEST_CONTEXT;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** Resolves once stderr has shown text matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(args: string[], opts: CliOptions): RunningCli {
  const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: opts.cwd,
    env: environment(opts.env),
    // stdin is a pipe, not a terminal: reset must not be able to ask.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.end();
  let stdout = '';
  let stderr = '';
  const watchers: Array<{ pattern: RegExp; done: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...watchers]) {
      if (w.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.done();
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const result = new Promise<CliResult>((resolveResult, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveResult({ code, stdout, stderr });
    });
  });
  return {
    child,
    result,
    waitForStderr(pattern, timeoutMs = 60_000) {
      if (pattern.test(stderr)) return Promise.resolve();
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`stderr never matched ${pattern}; it was:\n${stderr}`)), timeoutMs);
        watchers.push({ pattern, done: () => (clearTimeout(t), res()) });
        void result.then(() => setTimeout(() => rej(new Error(`the CLI exited before stderr matched ${pattern}:\n${stderr}`)), 50));
      });
    },
  };
}

export function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  return startCli(args, opts).result;
}

/** For assertion messages: everything the run printed. */
export function shown(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}
