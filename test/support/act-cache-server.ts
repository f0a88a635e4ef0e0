// nektos/act's Actions cache server (test/support/act-cache-server/main.go), built with the machine's Go
// on first use into .cache/ (the Go module proxy serves its source), then started on a free port.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const SOURCE = resolve(import.meta.dirname, 'act-cache-server');
const CACHE = resolve(import.meta.dirname, '..', '..', '.cache', 'act-cache-server');

/** The server binary, built when its source changed; undefined (with the reason) when Go is missing. */
export function actCacheServerBinary(): { path?: string; reason?: string } {
  const version = createHash('sha256')
    .update(['go.mod', 'go.sum', 'main.go'].map((f) => readFileSync(join(SOURCE, f), 'utf8')).join('\0'))
    .digest('hex')
    .slice(0, 12);
  const path = join(CACHE, version, 'act-cache-server');
  if (existsSync(path)) return { path };
  if (spawnSync('go', ['version']).status !== 0) return { reason: 'go is not installed' };
  mkdirSync(join(CACHE, version), { recursive: true });
  // A build of its own, renamed into place: two test runs on one machine never write the same file.
  const tmp = `${path}.${process.pid}.tmp`;
  const built = spawnSync('go', ['build', '-o', tmp, '.'], { cwd: SOURCE, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (built.status !== 0) throw new Error(`building the act cache server failed:\n${built.stderr}`);
  renameSync(tmp, path);
  return { path };
}

export interface ActCacheServer {
  /** The ACTIONS_CACHE_URL (with its trailing slash). */
  url: string;
  close(): Promise<void>;
}

export async function startActCacheServer(binary: string): Promise<ActCacheServer> {
  const dir = mkdtempSync(join(tmpdir(), 'olympia-act-cache-'));
  const child = spawn(binary, [dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`the act cache server exited (${code}): ${stderr}`)));
  });
  return {
    url: `${line.trim()}/`,
    close: async () => {
      child.stdin.end();
      await new Promise((ok) => (child.exitCode !== null ? ok(undefined) : child.once('exit', ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
