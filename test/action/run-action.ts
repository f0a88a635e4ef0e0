// Runs the bundled action (dist/index.js) the way the GitHub runner runs a JavaScript action: a fresh
// `node` process in the workspace, inputs as INPUT_<NAME> (upper-cased, hyphens kept), the file commands
// GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV / GITHUB_STEP_SUMMARY, RUNNER_TEMP, GITHUB_WORKSPACE, and
// the service environment the caller passes (here: FakeActionsServices.env()).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const DIST_ENTRY = join(ROOT, 'dist', 'index.js');
const EXAMPLE = join(ROOT, 'examples', 'olympia');

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** Everything the run wrote anywhere a user or a log could see it. */
  allText: string;
  durationMs: number;
}

/** Parses a GITHUB_OUTPUT / GITHUB_STATE file: `name<<DELIM\nvalue\nDELIM\n` records (and plain `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]);
      if (i >= lines.length) throw new Error(`unterminated value of ${name} in a file command`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`not a file command line: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** The workflow-command lines of one kind in stdout, e.g. `warning` → the `::warning::…` messages. */
export function commands(stdout: string, kind: 'warning' | 'error' | 'notice' | 'add-mask'): string[] {
  return stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith(`::${kind}`))
    .map((l) =>
      l
        .slice(l.indexOf('::', 2) + 2)
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%'),
    );
}

let workspaces = 0;

/**
 * A temporary copy of examples/olympia as GITHUB_WORKSPACE (without its backups), with the search alias
 * renamed so parallel test runs never share an index. `edit` may change files before the run.
 */
export async function makeWorkspace(alias: string, edit?: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `olympia-action-ws${++workspaces}-`));
  await cp(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !['backups', '.olympia-data'].some((skip) => src === join(EXAMPLE, skip) || src.startsWith(join(EXAMPLE, skip, '/'))),
  });
  const configPath = join(dir, 'olympia-data.json');
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  for (const d of config.index?.definitions ?? []) d.alias = alias;
  await writeFile(configPath, JSON.stringify(config, null, 2));
  if (!existsSync(join(dir, 'storage'))) await mkdir(join(dir, 'storage'));
  if (edit) await edit(dir);
  return dir;
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string>;
  /** The runner's service environment (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, GITHUB_RUN_ID, …). */
  env?: Record<string, string>;
  /** Kill the process after this long (a hung action is a test failure, not a hung suite). */
  timeoutMs?: number;
}

/**
 * The defaults of action.yml's inputs, as the runner passes them (every input with a default becomes an
 * INPUT_ variable). Reads the simple `inputs:` block of our own action.yml; `${{ github.token }}` becomes
 * `githubToken`.
 */
export async function actionDefaults(githubToken: string): Promise<Record<string, string>> {
  const text = await readFile(join(ROOT, 'action.yml'), 'utf8');
  const block = /^inputs:\n([\s\S]*?)^\S/m.exec(text)?.[1] ?? '';
  const defaults: Record<string, string> = {};
  let current: string | undefined;
  for (const line of block.split('\n')) {
    const name = /^  ([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (name) current = name[1];
    const value = /^    default:\s*(.*)$/.exec(line);
    if (value && current) {
      let v = value[1].trim();
      if (/^'.*'$/.test(v)) v = v.slice(1, -1).replace(/''/g, "'");
      else if (/^".*"$/.test(v)) v = JSON.parse(v);
      defaults[current] = v === '${{ github.token }}' ? githubToken : v;
    }
  }
  return defaults;
}

/** The files and environment of one action run, as the runner sets them up; `files` holds them all. */
export async function prepareActionRun({ workspace, inputs, env = {} }: Omit<RunOptions, 'timeoutMs'>): Promise<{
  files: string;
  paths: Record<'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY', string>;
  childEnv: Record<string, string>;
}> {
  if (!existsSync(DIST_ENTRY)) throw new Error(`${DIST_ENTRY} is missing: run \`npm run package\` first.`);
  const files = await mkdtemp(join(tmpdir(), 'olympia-action-files-'));
  const paths = {
    GITHUB_OUTPUT: join(files, 'output'),
    GITHUB_STATE: join(files, 'state'),
    GITHUB_ENV: join(files, 'env'),
    GITHUB_PATH: join(files, 'path'),
    GITHUB_STEP_SUMMARY: join(files, 'summary.md'),
  };
  for (const p of Object.values(paths)) await writeFile(p, '');
  const runnerTemp = join(files, 'runner-temp');
  await mkdir(runnerTemp);
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? files,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: workspace,
    ...paths,
    ...env,
  };
  const withDefaults = { ...(await actionDefaults('ghs_defaultJobTokenOfTheFakeRun')), ...inputs };
  for (const [name, value] of Object.entries(withDefaults)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  return { files, paths, childEnv };
}

/** Runs dist/index.js once; `node` is this process's binary unless OLYMPIA_ACTION_NODE names another (e.g. Node 24). */
export async function runAction({ workspace, inputs, env = {}, timeoutMs = 120_000 }: RunOptions): Promise<ActionRun> {
  const { files, paths, childEnv } = await prepareActionRun({ workspace, inputs, env });
  const started = Date.now();
  const child = spawn(process.env.OLYMPIA_ACTION_NODE || process.execPath, [DIST_ENTRY], { cwd: workspace, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolvePromise) => child.on('close', (c) => resolvePromise(c)));
  clearTimeout(timer);
  const durationMs = Date.now() - started;

  const read = (p: string) => readFile(p, 'utf8');
  const [output, state, envFile, summary] = await Promise.all([read(paths.GITHUB_OUTPUT), read(paths.GITHUB_STATE), read(paths.GITHUB_ENV), read(paths.GITHUB_STEP_SUMMARY)]);
  await rm(files, { recursive: true, force: true });
  return {
    code,
    stdout,
    stderr,
    outputs: parseFileCommands(output),
    state: parseFileCommands(state),
    summary,
    // The URL outputs carry their passwords on purpose (a later step connects with them); the runner masks
    // every value registered with ::add-mask::, which the secrets test checks happened first.
    allText: [stdout, stderr, withoutUrlOutputs(output), state, envFile, summary].join('\n'),
    durationMs,
  };
}

/** The GITHUB_OUTPUT text without the database-url and elasticsearch-url records. */
function withoutUrlOutputs(text: string): string {
  const outputs = parseFileCommands(text);
  return Object.entries(outputs)
    .filter(([name]) => name !== 'database-url' && name !== 'elasticsearch-url')
    .map(([name, value]) => `${name}=${value}`)
    .join('\n');
}

/** A readable dump of a run for assertion messages. */
export function describeRun(run: ActionRun): string {
  return `exit ${run.code} after ${run.durationMs} ms\n--- stdout ---\n${run.stdout.slice(-6000)}\n--- stderr ---\n${run.stderr.slice(-3000)}\n--- summary ---\n${run.summary}`;
}
