// A private Elasticsearch node for tests and `olympia-data up --services local`: the integ-test-zip
// distribution (see elasticsearch-download.ts) run with the machine's JDK, bound to 127.0.0.1 on its own
// port, single-node, small heap, data and logs under the cache dir. Elasticsearch refuses to run as root,
// so as root it runs as a system user created for it.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ConnectionError, OlympiaError, UsageError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { ensureDistribution, resolveEsVersion } from './elasticsearch-download.js';
import { withPidLock } from '../core/pid-lock.js';

export const DEFAULT_ES_PORT = 39200;
export const ES_SYSTEM_USER = 'olympia-es';
const DEFAULT_READY_TIMEOUT_MS = 120_000;

export interface LocalElasticsearchOptions {
  /** `7.17.25`, `8.15.3`, or a known shorthand (`7.17`). Default 7.17.25. */
  version?: string;
  port?: number;
  /** Holds downloads, unpacked distributions and node data (e.g. `<root>/.cache/elasticsearch`). */
  cacheDir: string;
  reporter?: Reporter;
  /** JVM heap, e.g. `256m` (default). */
  heap?: string;
  readyTimeoutMs?: number;
}

export interface LocalElasticsearch {
  url: string;
  /** The version the node reports. */
  version: string;
  /** True when a node was already running on the port and was reused. */
  reused: boolean;
  stop(): Promise<void>;
}

/** What we remember about a node we started, so another process (`down`) can stop it. */
interface RunRecord {
  pid: number;
  version: string;
  url: string;
  nodeDir: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The node's elasticsearch.yml; everything a throwaway single node needs and nothing else. */
export function nodeSettingsYaml(o: { port: number; nodeDir: string }): string {
  const settings: Record<string, string | number | boolean> = {
    'cluster.name': 'olympia-data',
    'node.name': `olympia-${o.port}`,
    'network.host': '127.0.0.1',
    'http.port': o.port,
    'discovery.type': 'single-node',
    'path.data': join(o.nodeDir, 'data'),
    'path.logs': join(o.nodeDir, 'logs'),
    // 8.x enables security (TLS + passwords) by default; a local test node wants plain HTTP.
    'xpack.security.enabled': false,
    // A nearly full developer disk must not turn the indices read-only.
    'cluster.routing.allocation.disk.threshold_enabled': false,
  };
  return Object.entries(settings)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}\n`)
    .join('');
}

/** The run record lives per port: there is at most one node per port, whatever its version. */
function runFile(cacheDir: string, port: number): string {
  return join(cacheDir, 'run', `${port}.json`);
}

function readRunRecord(cacheDir: string, port: number): RunRecord | undefined {
  try {
    return JSON.parse(readFileSync(runFile(cacheDir, port), 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Alive and still an Elasticsearch process (guards against a recycled pid). */
function isOurProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return /elasticsearch|java/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the pid
  }
}

export function findJavaHome(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const v of [env.ES_JAVA_HOME, env.JAVA_HOME]) if (v && existsSync(join(v, 'bin', 'java'))) return v;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const java = join(dir, 'java');
    if (dir && existsSync(java)) return dirname(dirname(realpathSync(java)));
  }
  return undefined;
}

/** As root: the system user Elasticsearch runs as, created when missing. Otherwise: ourselves. */
function ensureRunAsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', ES_SYSTEM_USER], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', ES_SYSTEM_USER], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
  };
  const existing = lookup();
  if (existing) return existing;
  const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', ES_SYSTEM_USER], {
    encoding: 'utf8',
  });
  const created = lookup();
  if (!created) {
    throw new OlympiaError(`Elasticsearch refuses to run as root, and creating the system user ${ES_SYSTEM_USER} failed: ${(r.stderr || r.error?.message || '').trim()}`, {
      hint: `Create it yourself (useradd --system ${ES_SYSTEM_USER}) or run olympia-data as a non-root user.`,
    });
  }
  return created;
}

interface Probe {
  kind: 'elasticsearch' | 'other' | 'none';
  version?: string;
}

/**
 * What answers on `url`: an Elasticsearch node (and its version), something else, or nothing. Asks the
 * nodes API, not `GET /`: the 8.x integ-test-zip lacks the rest-root module that serves `/`.
 */
export async function probeNode(url: string, timeoutMs = 2000): Promise<Probe> {
  try {
    const res = await fetch(`${url}/_nodes/_local?filter_path=nodes.*.version`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => undefined)) as { nodes?: Record<string, { version?: string }> } | undefined;
    const version = Object.values(body?.nodes ?? {})[0]?.version;
    if (res.ok && version) return { kind: 'elasticsearch', version };
    // Answers like Elasticsearch but not (yet) with a version, e.g. while the node is still starting.
    if (res.headers.get('x-elastic-product') === 'Elasticsearch') return { kind: 'elasticsearch' };
    return { kind: 'other' };
  } catch {
    return { kind: 'none' };
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The log's last lines without Java stack frames, which would crowd out the message that matters. */
function tail(file: string, lines = 20): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all
      .filter((l) => !/^\s+(at |\.\.\. \d+ more)/.test(l))
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log written)';
  }
}

function sameVersion(wanted: string, running: string): boolean {
  return running === wanted || running.startsWith(`${wanted}.`);
}

/** True when every existing ancestor of `dir` can be entered by users other than its owner. */
function searchableByOthers(dir: string): boolean {
  let d = resolve(dir);
  for (;;) {
    try {
      if ((statSync(d).mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: its ancestors decide.
    }
    const parent = dirname(d);
    if (parent === d) return true;
    d = parent;
  }
}

/**
 * Where the distribution and node data live. As root the node runs as another user, who cannot
 * enter a private home such as /root; the files then go under /var/tmp instead (same cache dir,
 * same place every time, so the unpacked distribution is reused).
 */
export function runtimeDir(cacheDir: string): string {
  if (process.getuid?.() !== 0 || searchableByOthers(cacheDir)) return cacheDir;
  return join('/var/tmp', 'olympia-data-elasticsearch', createHash('sha1').update(resolve(cacheDir)).digest('hex').slice(0, 12));
}

async function startNode(o: { version: string; port: number; cacheDir: string; heap: string; reporter?: Reporter; readyTimeoutMs: number }): Promise<void> {
  const dataRoot = runtimeDir(o.cacheDir);
  const url = `http://127.0.0.1:${o.port}`;
  const javaHome = findJavaHome();
  if (!javaHome) {
    throw new OlympiaError('Cannot start Elasticsearch: no JDK found (ES_JAVA_HOME, JAVA_HOME, or java on PATH).', {
      hint: 'Install one (apt-get install openjdk-17-jre-headless) or set ES_JAVA_HOME.',
    });
  }
  // Nodes on other ports may want the same distribution at the same moment.
  const home = await withPidLock(join(o.cacheDir, 'run', `unpack-${o.version}.lock`), 600_000, 'unpacking Elasticsearch', () =>
    ensureDistribution({ version: o.version, cacheDir: dataRoot, reporter: o.reporter }),
  );
  const nodeDir = join(dataRoot, o.version, `node-${o.port}`);
  const config = join(nodeDir, 'config');
  for (const d of ['data', 'logs', 'tmp']) await mkdir(join(nodeDir, d), { recursive: true });
  if (!existsSync(join(config, 'jvm.options'))) await cp(join(home, 'config'), config, { recursive: true });
  await writeFile(join(config, 'elasticsearch.yml'), nodeSettingsYaml({ port: o.port, nodeDir }));

  const user = ensureRunAsUser();
  if (user) {
    for (const dir of [home, nodeDir]) {
      const r = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new OlympiaError(`Cannot hand ${dir} to the user ${ES_SYSTEM_USER}: ${r.stderr.trim()}`);
    }
    const canRun = spawnSync('test', ['-x', join(home, 'bin', 'elasticsearch'), '-a', '-w', nodeDir], { uid: user.uid, gid: user.gid });
    if (canRun.status !== 0) {
      throw new OlympiaError(`The user ${ES_SYSTEM_USER} cannot reach ${dataRoot} (a parent directory is not searchable by other users).`, {
        hint: 'Use a cache directory outside private home directories such as /root.',
      });
    }
  }

  const consoleLog = join(nodeDir, 'console.log');
  const out = openSync(consoleLog, 'w');
  o.reporter?.info(`Starting Elasticsearch ${o.version} on ${url} (log: ${consoleLog})…`);
  const child = spawn(join(home, 'bin', 'elasticsearch'), [], {
    cwd: nodeDir,
    detached: true, // own process group: `stop` ends the launcher and the server together
    stdio: ['ignore', out, out],
    ...(user ?? {}),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: nodeDir,
      ES_JAVA_HOME: javaHome,
      ES_PATH_CONF: config,
      ES_TMPDIR: join(nodeDir, 'tmp'),
      ES_JAVA_OPTS: `-Xms${o.heap} -Xmx${o.heap}`,
    },
  });
  closeSync(out);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = code !== null ? `with code ${code}` : `on signal ${signal}`;
  });
  child.on('error', (e) => {
    exited = `at once (${e.message})`;
  });
  child.unref();
  if (!child.pid) throw new OlympiaError(`Cannot start ${join(home, 'bin', 'elasticsearch')}: ${tail(consoleLog, 5)}`);
  const record: RunRecord = { pid: child.pid, version: o.version, url, nodeDir };
  await mkdir(join(o.cacheDir, 'run'), { recursive: true });
  await writeFile(runFile(o.cacheDir, o.port), JSON.stringify(record));

  const started = Date.now();
  const deadline = started + o.readyTimeoutMs;
  while (!(await isReady(url))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `the process exited ${exited}` : `it was not ready within ${Math.round(o.readyTimeoutMs / 1000)} s`;
      if (exited === undefined) await stopPid(child.pid);
      await rm(runFile(o.cacheDir, o.port), { force: true });
      throw new ConnectionError(
        `Elasticsearch ${o.version} did not start on ${url}: ${why}. Tried ${join(home, 'bin', 'elasticsearch')} with Java from ${javaHome}, polling ${url}/_cluster/health. Last lines of ${consoleLog}:\n${tail(consoleLog)}`,
        'Read the log above; a port already in use or too little memory are the usual causes. Or point the tool at a running node with --elasticsearch-url.',
      );
    }
    await sleep(500);
  }
  o.reporter?.info(`Elasticsearch ${o.version} ready on ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function stopPid(pid: number, timeoutMs = 30_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isOurProcess(pid) && Date.now() < deadline) await sleep(200);
  if (isOurProcess(pid)) signal('SIGKILL');
}

/** Stops the node this tool started on `port` (a node started by someone else is left alone). */
export async function stopLocalElasticsearch(opts: { port?: number; cacheDir: string; reporter?: Reporter }): Promise<boolean> {
  const port = opts.port ?? DEFAULT_ES_PORT;
  const record = readRunRecord(opts.cacheDir, port);
  if (!record) return false;
  const running = isOurProcess(record.pid);
  if (running) {
    opts.reporter?.info(`Stopping Elasticsearch ${record.version} on ${record.url}…`);
    await stopPid(record.pid);
  }
  await rm(runFile(opts.cacheDir, port), { force: true });
  return running;
}

/**
 * For `reset`: stops the node on `port` and deletes its data, logs and config (every version's), keeping
 * the downloaded and unpacked distributions, which are only a cache. Returns the directories removed.
 */
export async function removeLocalElasticsearch(opts: { port?: number; cacheDir: string; reporter?: Reporter }): Promise<string[]> {
  const port = opts.port ?? DEFAULT_ES_PORT;
  await stopLocalElasticsearch({ ...opts, port });
  const removed: string[] = [];
  const root = runtimeDir(opts.cacheDir);
  const versions = await readdir(root).catch(() => [] as string[]);
  for (const v of versions.filter((name) => /^\d+\.\d+\.\d+$/.test(name))) {
    const nodeDir = join(root, v, `node-${port}`);
    if (!existsSync(nodeDir)) continue;
    await rm(nodeDir, { recursive: true, force: true });
    removed.push(nodeDir);
  }
  if (removed.length > 0) opts.reporter?.info(`Removed the Elasticsearch data of port ${port}: ${removed.join(', ')}.`);
  return removed;
}

/**
 * Starts a local node, or reuses the one already answering on the port when it runs the wanted version.
 * Bounded: fails with a ConnectionError (and the log's last lines) when the node is not ready in time.
 */
export async function ensureLocalElasticsearch(opts: LocalElasticsearchOptions): Promise<LocalElasticsearch> {
  const version = resolveEsVersion(opts.version);
  const port = opts.port ?? DEFAULT_ES_PORT;
  const heap = opts.heap ?? '256m';
  if (!/^\d+[kmg]$/i.test(heap)) throw new UsageError(`Elasticsearch heap ${JSON.stringify(heap)} is not a JVM size.`, 'Give a size such as 256m or 1g.');
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`Elasticsearch port ${port} is not a TCP port.`);
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const handle = (running: string, reused: boolean): LocalElasticsearch => ({
    url,
    version: running,
    reused,
    stop: async () => {
      await stopLocalElasticsearch({ port, cacheDir: opts.cacheDir, reporter: opts.reporter });
    },
  });
  const reuse = async (): Promise<LocalElasticsearch | undefined> => {
    const probe = await probeNode(url);
    if (probe.kind === 'none') return undefined;
    if (probe.kind === 'other') {
      throw new ConnectionError(`Port ${port} is taken by something that is not Elasticsearch (${url}).`, 'Free the port or choose another one.');
    }
    if (!probe.version) return undefined; // starting: wait under the lock
    if (!sameVersion(version, probe.version)) {
      throw new ConnectionError(`Elasticsearch ${probe.version} already runs on ${url}, but ${version} was asked for.`, `Stop it first (olympia-data down), or use another port.`);
    }
    if (!(await isReady(url))) return undefined; // still starting: wait under the lock
    return handle(probe.version, true);
  };

  const existing = await reuse();
  if (existing) {
    opts.reporter?.info(`Reusing Elasticsearch ${existing.version} on ${url}.`);
    return existing;
  }
  return withPidLock(join(opts.cacheDir, 'run', `${port}.lock`), readyTimeoutMs + 60_000, 'starting Elasticsearch', async () => {
    // Another process may have started it while we waited for the lock.
    const record = readRunRecord(opts.cacheDir, port);
    if (record && isOurProcess(record.pid)) {
      const deadline = Date.now() + readyTimeoutMs;
      while (!(await isReady(url)) && Date.now() < deadline && isOurProcess(record.pid)) await sleep(500);
    }
    const now = await reuse();
    if (now) return now;
    await startNode({ version, port, cacheDir: opts.cacheDir, heap, reporter: opts.reporter, readyTimeoutMs });
    const probe = await probeNode(url);
    return handle(probe.version ?? version, false);
  });
}
