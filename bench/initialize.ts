// Times `initialize` on the example project: cold (no _init, so it seeds and dumps _init) against warm
// (_init present, so it loads it), each on a database that does not exist yet, alternating, several runs.
// Run: node --import tsx bench/initialize.ts [--runs N] [--skip-index] [--json FILE]
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import mysql from 'mysql2/promise';
import { makeContext } from '../src/commands/context.js';
import { initialize, type InitializeResult } from '../src/commands/initialize.js';
import { loadConfig } from '../src/core/config.js';
import { UsageError } from '../src/core/errors.js';
import { silentReporter } from '../src/core/reporter.js';
import { ensureElasticsearch } from '../test/harness/elasticsearch.js';
import { ensureMariaDB } from '../test/harness/mariadb.js';

const EXAMPLE = resolve(import.meta.dirname, '..', 'examples', 'olympia');

export interface InitializeBenchOptions {
  runs: number;
  skipIndex: boolean;
}

export interface RunFigures {
  totalMs: number;
  steps: Record<string, number>;
}

export interface InitializeBenchResult {
  runs: number;
  skipIndex: boolean;
  cold: RunFigures[];
  warm: RunFigures[];
  coldMedianMs: number;
  warmMedianMs: number;
  /** cold / warm: how many times faster a warm initialize is. */
  ratio: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function parseArgs(argv: string[]): InitializeBenchOptions & { json?: string } {
  const out: InitializeBenchOptions & { json?: string } = { runs: 5, skipIndex: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') {
      const v = argv[++i];
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--runs needs a whole number of at least 1, got ${JSON.stringify(v ?? '')}.`);
      out.runs = Number(v);
    } else if (a === '--skip-index') out.skipIndex = true;
    else if (a === '--json') out.json = argv[++i];
    else throw new UsageError(`Unknown option ${JSON.stringify(a)}.`, 'Options: --runs N, --skip-index, --json FILE.');
  }
  return out;
}

function figures(r: InitializeResult): RunFigures {
  if (r.error) throw r.error;
  return { totalMs: r.durationMs, steps: Object.fromEntries(r.steps.filter((s) => s.status === 'done').map((s) => [s.kind, s.durationMs])) };
}

export async function benchInitialize(opts: InitializeBenchOptions, log: (line: string) => void = console.log): Promise<InitializeBenchResult> {
  const server = (await ensureMariaDB()).replace(/\/$/, '');
  const esUrl = opts.skipIndex ? undefined : await ensureElasticsearch();
  // A private copy: its own alias on the node and its own backup dir.
  const dir = await mkdtemp(join(tmpdir(), 'olympia-bench-init-'));
  for (const part of ['migrations', 'seed', 'search']) await cp(join(EXAMPLE, part), join(dir, part), { recursive: true });
  const alias = `bench-init-${process.pid}-addons`;
  const config = JSON.parse(await readFile(join(EXAMPLE, 'olympia-data.json'), 'utf8'));
  config.index.definitions[0].alias = alias;
  await writeFile(join(dir, 'olympia-data.json'), JSON.stringify(config));
  const databases: string[] = [];
  const admin = await mysql.createConnection({ uri: server });

  const once = async (kind: 'cold' | 'warm', i: number): Promise<RunFigures> => {
    const database = `bench_init_${process.pid}_${kind}_${i}`;
    databases.push(database);
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    if (kind === 'cold') await rm(join(dir, 'backups', '_init'), { recursive: true, force: true });
    const ctx = makeContext({ config: await loadConfig(undefined, dir), databaseUrl: `${server}/${database}`, elasticsearchUrl: esUrl, reporter: silentReporter });
    const r = await initialize(ctx, { clean: false, skipSeed: false, skipIndex: opts.skipIndex });
    const expected = kind === 'cold' ? r.seeded && !r.loaded : r.loaded === '_init' && !r.seeded;
    if (!expected && !r.error) throw new Error(`the ${kind} run did not ${kind === 'cold' ? 'seed' : 'load _init'}`);
    return figures(r);
  };

  const cold: RunFigures[] = [];
  const warm: RunFigures[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      // Cold first: it writes the _init the warm run then loads.
      cold.push(await once('cold', i));
      warm.push(await once('warm', i));
      log(`run ${i + 1}/${opts.runs}: cold ${cold[i].totalMs} ms, warm ${warm[i].totalMs} ms`);
    }
  } finally {
    for (const d of databases) await admin.query(`DROP DATABASE IF EXISTS \`${d}\``).catch(() => undefined);
    await admin.end();
    if (esUrl) {
      const res = await fetch(new URL(`/_cat/indices/${alias}*?format=json&h=index`, esUrl));
      if (res.ok) for (const { index } of (await res.json()) as Array<{ index: string }>) await fetch(new URL(`/${index}`, esUrl), { method: 'DELETE' });
    }
    await rm(dir, { recursive: true, force: true });
  }

  const coldMedianMs = median(cold.map((r) => r.totalMs));
  const warmMedianMs = median(warm.map((r) => r.totalMs));
  const result: InitializeBenchResult = { runs: opts.runs, skipIndex: opts.skipIndex, cold, warm, coldMedianMs, warmMedianMs, ratio: coldMedianMs / warmMedianMs };

  const stepMedians = (rs: RunFigures[]) => {
    const kinds = Object.keys(rs[0].steps);
    return kinds.map((k) => `${k} ${median(rs.map((r) => r.steps[k] ?? 0))} ms`).join(', ');
  };
  log('');
  log(`initialize on examples/olympia (${opts.runs} runs each, medians${opts.skipIndex ? ', --skip-index' : ''}):`);
  log(`  cold (seed + dump _init): ${coldMedianMs} ms   [${stepMedians(cold)}]`);
  log(`  warm (load _init):        ${warmMedianMs} ms   [${stepMedians(warm)}]`);
  log(`  cold / warm = ${result.ratio.toFixed(2)}×`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const result = await benchInitialize(args);
    if (args.json) await writeFile(args.json, JSON.stringify(result, null, 2) + '\n');
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
