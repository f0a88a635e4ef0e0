// What the `_init` cache saves on the example project, or with `--shape init` on a project shaped like
// a real _init (bench/init-shape.ts: 300 tables made by a migration, filled by a seed): the bundled
// action (dist/index.js) run as the runner runs it, cold (cache miss: migrate, seed, dump, save) and
// warm (hit: restore, load, migrate), each on a fresh database and a fresh checkout, against the
// harness's MariaDB and Elasticsearch and the FAKE cache service of the tests. Prints medians of the
// whole step and of each phase.
//
//   npm run package && node --import tsx bench/action-cache.ts [--shape init] [--repeat 3] [--skip-index]
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSearchClient } from '../src/search/client.js';
import { FakeActionsServices } from '../test/action/fake-actions-services.js';
import { makeWorkspace, removeWorkspace, runAction, describeRun, type ActionRun } from '../test/action/run-action.js';
import { ensureElasticsearch } from '../test/harness/elasticsearch.js';
import { freshDatabase } from '../test/harness/mariadb.js';
import { writeInitShapeProject } from './initialize.js';

const { values } = parseArgs({
  options: { repeat: { type: 'string', default: '3' }, 'skip-index': { type: 'boolean', default: false }, shape: { type: 'string', default: 'example' } },
});
if (values.shape !== 'example' && values.shape !== 'init') throw new Error(`--shape takes init or example, got ${JSON.stringify(values.shape)}`);
const repeat = Math.max(1, Number(values.repeat) || 3);
const alias = `olympia-bench-action-${process.pid}`;

/** Step title → seconds, from the summary table rows `| ✅ | title | 1.2 s | …`. */
function phases(summary: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of summary.split('\n')) {
    const m = /^\| (?:✅|⚠️) \| (.+?) \| ([\d.]+) (ms|s) \|/.exec(line);
    if (m) out.set(m[1], Number(m[2]) / (m[3] === 'ms' ? 1000 : 1));
  }
  return out;
}

/** The action's own total from the summary heading ("… done in 2.0 s"): the step without node's start. */
function actionTotal(summary: string): number {
  const m = /done in ([\d.]+) (ms|s)\n/.exec(summary);
  if (!m) throw new Error(`no total in the summary:\n${summary}`);
  return Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
}

/** The example's project files replaced by the _init shape's (bench/initialize.ts). */
async function asInitShape(dir: string): Promise<void> {
  for (const part of ['migrations', 'seed', 'search', 'olympia-data.json']) await rm(join(dir, part), { recursive: true, force: true });
  await writeInitShapeProject(dir, alias);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fake = await FakeActionsServices.start();
const esUrl = values['skip-index'] ? '' : await ensureElasticsearch();
const results: Record<'cold' | 'warm', ActionRun[]> = { cold: [], warm: [] };
try {
  for (let i = 0; i < repeat; i++) {
    // A new prefix per round: each cold run misses, its warm run hits what it saved.
    const prefix = `bench-${process.pid}-${i}`;
    for (const kind of ['cold', 'warm'] as const) {
      const db = await freshDatabase('bench_action');
      const workspace = await makeWorkspace(alias, values.shape === 'init' ? asInitShape : undefined);
      try {
        const r = await runAction({
          workspace,
          inputs: { services: 'external', 'database-url': db.url, 'elasticsearch-url': esUrl, 'cache-key-prefix': prefix, 'skip-index': String(values['skip-index']) },
          env: fake.env(),
        });
        const expectHit = kind === 'warm' ? 'true' : 'false';
        if (r.code !== 0 || r.outputs['cache-hit'] !== expectHit) throw new Error(`${kind} run ${i + 1} did not go as expected:\n${describeRun(r)}`);
        results[kind].push(r);
        process.stderr.write(`${kind} ${i + 1}/${repeat}: ${(r.durationMs / 1000).toFixed(2)} s\n`);
      } finally {
        await db.drop();
        await removeWorkspace(workspace);
      }
    }
  }
} finally {
  await fake.close();
  if (esUrl) {
    const client = await createSearchClient(esUrl);
    await client.indices.delete({ index: `${alias}*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
    await client.close();
  }
}

const line = (label: string, cold: number, warm: number) =>
  console.log(`  ${label.padEnd(40)} cold ${cold.toFixed(2)} s   warm ${warm.toFixed(2)} s   saved ${(cold - warm).toFixed(2)} s   warm/cold ${(warm / cold).toFixed(2)}`);
const project = values.shape === 'init' ? 'the _init shape (bench/init-shape.ts)' : 'examples/olympia';
console.log(`${project}${values['skip-index'] ? ' (skip-index)' : ''}, ${repeat} rounds, medians:`);
line('whole step (node start to exit)', median(results.cold.map((r) => r.durationMs / 1000)), median(results.warm.map((r) => r.durationMs / 1000)));
line("the action's work (summary total)", median(results.cold.map((r) => actionTotal(r.summary))), median(results.warm.map((r) => actionTotal(r.summary))));
for (const kind of ['cold', 'warm'] as const) {
  const titles = [...phases(results[kind][0].summary).keys()];
  console.log(`  ${kind} phases:`);
  for (const t of titles) console.log(`    ${t.padEnd(44)} ${median(results[kind].map((r) => phases(r.summary).get(t) ?? 0)).toFixed(2)} s`);
}
