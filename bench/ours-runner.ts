// How the benchmark starts our engine: by default as the ncc bundle of bench/ours.ts (the way
// dist/ ships it: no TypeScript compiler in the process, so its memory is the engine's), or
// through tsx with --tsx. The bundle is rebuilt only when a source file is newer than it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSpec } from './measure.js';
import { UsageError } from '../src/core/errors.js';

export interface OursRunner {
  /** How our engine is started, for the report. */
  describe: string;
  /** The version of the node that runs it. */
  nodeVersion: string;
  spec(mode: 'dump' | 'load', opts: { databaseUrl: string; backupDir: string; name: string; jobs: number; sync?: boolean; profileName?: string }): RunSpec;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/**
 * The node binary at `path`, asked once: its version, and whether it has the compile cache that
 * bin/olympia-data.js turns on (module.enableCompileCache, Node 22.8+). A usage error says why a
 * binary cannot run our engine.
 */
export function probeNode(path: string): { version: string; compileCache: boolean } {
  const r = spawnSync(path, ['-p', "process.version + ' ' + typeof require('node:module').enableCompileCache"], { encoding: 'utf8', timeout: 30_000 });
  const [version = '', kind] = r.status === 0 ? r.stdout.trim().split(' ') : [];
  if (!/^v\d+\./.test(version))
    throw new UsageError(
      `--node ${path} is not a working node binary${r.error ? ` (${r.error.message})` : ''}.`,
      'Give the path of a node executable, e.g. --node /opt/node-24/bin/node.',
    );
  if (Number(version.slice(1).split('.')[0]) < 20) throw new UsageError(`--node ${path} is ${version}; olympia-data needs Node.js 20 or newer.`);
  return { version, compileCache: kind === 'function' };
}

export function prepareOurs(root: string, opts: { tsx: boolean; node?: string; cpuProfDir?: string; log: (line: string) => void }): OursRunner {
  const node = opts.node ?? process.execPath;
  const probed = probeNode(node);
  const command = opts.node ?? 'node';
  const script = join(root, 'bench', 'ours.ts');
  let entry: string[];
  let describe: string;
  if (opts.tsx) {
    entry = ['--import', 'tsx', script];
    describe = `${command} --import tsx bench/ours.ts`;
  } else {
    const out = join(root, '.cache', 'bench', 'ours-bundle');
    const bundle = join(out, 'index.js');
    const sourcesTime = Math.max(newestMtime(join(root, 'src')), statSync(script).mtimeMs);
    const workerBundle = join(out, 'dump-worker.js');
    if (!existsSync(bundle) || !existsSync(workerBundle) || statSync(bundle).mtimeMs < sourcesTime) {
      opts.log('Bundling bench/ours.ts and the dump worker with ncc (as dist/ is built)…');
      const ncc = (entry: string, dir: string) => {
        const r = spawnSync(join(root, 'node_modules', '.bin', 'ncc'), ['build', entry, '-o', dir, '-q', '--transpile-only'], { cwd: root, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`ncc could not bundle ${entry} (rerun with --tsx to skip bundling):\n${r.stderr || r.stdout}`);
      };
      ncc(script, out);
      // The dump's threads run the small worker bundle placed next to the main one, as in dist/.
      const workerDir = join(out, '.worker');
      ncc(join(root, 'src', 'dump', 'dump-thread.ts'), workerDir);
      renameSync(join(workerDir, 'index.js'), workerBundle);
      rmSync(workerDir, { recursive: true, force: true });
    }
    entry = [bundle];
    describe = `${command} .cache/bench/ours-bundle/index.js (ncc bundle of bench/ours.ts; NODE_COMPILE_CACHE=.cache/bench/compile-cache from Node 22.8)`;
  }
  // As bin/olympia-data.js starts the CLI: with the compile cache on where that node has
  // module.enableCompileCache (22.8+), filled once here so no timed run compiles the bundle.
  // NODE_COMPILE_CACHE does for this process what the launcher's call does; it may also reach dump
  // worker threads, which the call does not, but at --jobs 2 there are none.
  const cacheable = !opts.tsx && probed.compileCache;
  const compileCache = cacheable ? { NODE_COMPILE_CACHE: join(root, '.cache', 'bench', 'compile-cache') } : {};
  if (cacheable) spawnSync(node, entry, { env: { ...process.env, ...compileCache, BENCH_DATABASE_URL: '' }, stdio: 'ignore', timeout: 60_000 });
  return {
    describe,
    nodeVersion: probed.version,
    spec(mode, o) {
      const prof = opts.cpuProfDir && o.profileName ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir, '--cpu-prof-name', `${o.profileName}.cpuprofile`] : [];
      return {
        command: node,
        args: [...prof, ...entry, mode, '--backup-dir', o.backupDir, '--name', o.name, '--jobs', String(o.jobs), ...(o.sync ? ['--sync'] : [])],
        env: { ...process.env, ...compileCache, BENCH_DATABASE_URL: o.databaseUrl },
      };
    },
  };
}
