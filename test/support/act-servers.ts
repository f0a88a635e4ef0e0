// nektos/act's Actions cache and artifact servers (test/support/act-servers/main.go), built with the
// machine's Go on first use into .cache/ (the Go module proxy serves their source), then started on free ports.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = resolve(import.meta.dirname, 'act-servers');
const CACHE = resolve(import.meta.dirname, '..', '..', '.cache', 'act-servers');

/** The server binary, built when its source changed; undefined (with the reason) when Go is missing. */
export function actServersBinary(): { path?: string; reason?: string } {
  const version = createHash('sha256')
    .update(['go.mod', 'go.sum', 'main.go'].map((f) => readFileSync(join(SOURCE, f), 'utf8')).join('\0'))
    .digest('hex')
    .slice(0, 12);
  const path = join(CACHE, version, 'act-servers');
  if (existsSync(path)) return { path };
  if (spawnSync('go', ['version']).status !== 0) return { reason: 'go is not installed' };
  mkdirSync(join(CACHE, version), { recursive: true });
  // A build of its own, renamed into place: two test runs on one machine never write the same file.
  const tmp = `${path}.${process.pid}.tmp`;
  const built = spawnSync('go', ['build', '-o', tmp, '.'], { cwd: SOURCE, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (built.status !== 0) throw new Error(`building the act servers failed:\n${built.stderr}`);
  renameSync(tmp, path);
  return { path };
}

export interface ActServers {
  /** The ACTIONS_CACHE_URL (with its trailing slash). */
  cacheUrl: string;
  /** The ACTIONS_RESULTS_URL of the artifact service (with its trailing slash). */
  resultsUrl: string;
  close(): Promise<void>;
}

export async function startActServers(binary: string): Promise<ActServers> {
  const dir = mkdtempSync(join(tmpdir(), 'olympia-act-servers-'));
  const child = spawn(binary, [dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [cacheUrl, resultsUrl] = await new Promise<string[]>((ok, fail) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(`${line.trim()}/`);
      if (lines.length === 2) ok(lines);
    });
    child.once('exit', (code) => fail(new Error(`the act servers exited (${code}): ${stderr}`)));
  });
  return {
    cacheUrl,
    resultsUrl,
    close: async () => {
      child.stdin.end();
      await new Promise((ok) => (child.exitCode !== null ? ok(undefined) : child.once('exit', ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An ACTIONS_RUNTIME_TOKEN for act's artifact server: an unsigned JWT whose `scp` claim carries
 * `Actions.Results:<run>:<job>`. act reads the run part as a number and checks no signature.
 */
export function actRuntimeToken(run: number, job: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: `Actions.Results:${run}:${job}`, exp: Math.floor(Date.now() / 1000) + 3600 })}.unsigned`;
}
