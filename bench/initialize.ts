// Times `initialize` on a project: cold (no _init, so it migrates, seeds and dumps _init) against warm
// (_init present, so it loads it: what a CI job does on a cache hit), each on a database that does not
// exist yet, alternating, several runs. The project is examples/olympia, or with `--shape init` one
// shaped like a real _init (bench/init-shape.ts: 300 tables made by a migration, filled by a seed).
// Run: npm run bench:initialize -- [--shape init] [--runs N] [--skip-index] [--json FILE]
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
import { INIT_TABLES, shapeSchemaSql, shapeSeedSql } from './init-shape.js';

const EXAMPLE = resolve(import.meta.dirname, '..', 'examples', 'olympia');

export interface InitializeBenchOptions {
  runs: number;
  skipIndex: boolean;
  shape: 'example' | 'init';
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
  const out: InitializeBenchOptions & { json?: string } = { runs: 5, skipIndex: false, shape: 'example' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') {
      const v = argv[++i];
      if (!v || !/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--runs needs a whole number of at least 1, got ${JSON.stringify(v ?? '')}.`);
      out.runs = Number(v);
    } else if (a === '--skip-index') out.skipIndex = true;
    else if (a === '--shape') {
      const v = argv[++i];
      if (v !== 'init' && v !== 'example') throw new UsageError(`--shape takes init or example, got ${JSON.stringify(v ?? '')}.`);
      out.shape = v;
    } else if (a === '--json') out.json = argv[++i];
    else throw new UsageError(`Unknown option ${JSON.stringify(a)}.`, 'Options: --shape init|example, --runs N, --skip-index, --json FILE.');
  }
  return out;
}

function figures(r: InitializeResult): RunFigures {
  if (r.error) throw r.error;
  return { totalMs: r.durationMs, steps: Object.fromEntries(r.steps.filter((s) => s.status === 'done').map((s) => [s.kind, s.durationMs])) };
}

async function copyExample(dir: string, alias: string): Promise<string> {
  for (const part of ['migrations', 'seed', 'search']) await cp(join(EXAMPLE, part), join(dir, part), { recursive: true });
  const config = JSON.parse(await readFile(join(EXAMPLE, 'olympia-data.json'), 'utf8'));
  config.index.definitions[0].alias = alias;
  await writeFile(join(dir, 'olympia-data.json'), JSON.stringify(config));
  return 'examples/olympia';
}

/** A project whose migration creates the _init shape's tables, whose seed fills them, and one index. */
export async function writeInitShapeProject(dir: string, alias: string): Promise<string> {
  const sql = (statements: string[]) => statements.map((x) => `${x};\n`).join('\n');
  await mkdir(join(dir, 'migrations'));
  await mkdir(join(dir, 'seed'));
  await mkdir(join(dir, 'search'));
  await writeFile(join(dir, 'migrations', '0001_init_shape.sql'), sql(shapeSchemaSql(1)));
  await writeFile(join(dir, 'seed', '01_rows.sql'), sql(shapeSeedSql(1)));
  await writeFile(join(dir, 'search', 'items.settings.json'), JSON.stringify({ index: { number_of_shards: 1, number_of_replicas: 0 } }));
  const properties = { id: { type: 'long' }, slug: { type: 'keyword' }, name: { type: 'text' }, status: { type: 'byte' } };
  await writeFile(join(dir, 'search', 'items.mappings.json'), JSON.stringify({ dynamic: 'strict', properties }));
  await writeFile(join(dir, 'search', 'items.sql'), 'SELECT id, slug, name, status FROM parent_items\n');
  const index = { alias, settings: 'search/items.settings.json', mappings: 'search/items.mappings.json', query: 'search/items.sql', id: 'id' };
  await writeFile(join(dir, 'olympia-data.json'), JSON.stringify({ migrate: { dir: 'migrations' }, seed: { files: ['seed/*.sql'] }, index: { definitions: [index] } }));
  return `the _init shape (${INIT_TABLES} tables, bench/init-shape.ts)`;
}

export async function benchInitialize(opts: InitializeBenchOptions, log: (line: string) => void = console.log): Promise<InitializeBenchResult> {
  const server = (await ensureMariaDB()).replace(/\/$/, '');
  const esUrl = opts.skipIndex ? undefined : await ensureElasticsearch();
  // A private project: its own alias on the node and its own backup dir.
  const dir = await mkdtemp(join(tmpdir(), 'olympia-bench-init-'));
  const alias = `bench-init-${process.pid}-${opts.shape === 'init' ? 'items' : 'addons'}`;
  const project = opts.shape === 'init' ? await writeInitShapeProject(dir, alias) : await copyExample(dir, alias);
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
  log(`initialize on ${project} (${opts.runs} runs each, medians${opts.skipIndex ? ', --skip-index' : ''}):`);
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
