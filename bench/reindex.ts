// Native reindex throughput against a plain bulk load of the same documents, in the same run.
//
//   node --import tsx bench/reindex.ts [--docs N] [--repeat N] [--no-tune] [--sample N] [--flush-bytes N] [--concurrency N] [--keep]
//
// Builds a table of N synthetic add-ons (default 1,000,000) on the test MariaDB, then times
//   ours:  buildIndex() — MySQL query stream → documents → bulk helper → settings back, refresh,
//          count check, alias swap;
//   plain: client.helpers.bulk over the same documents, pre-serialized to a file beforehand (not
//          timed), into an index created with the same mappings, replicas 0 and refresh -1, then
//          the settings put back and a refresh, so both end with the same searchable index.
// The plain load's flushBytes/concurrency are first tuned on a sample (--no-tune skips that).
// Runs alternate ours/plain and the medians are reported, so both see the same machine load; each run
// starts on a node with no bench index and no merge running.
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Client } from '@elastic/elasticsearch';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { createSearchClient } from '../src/search/client.js';
import { BULK_RESPONSE_FIELDS, DEFAULT_BULK_TUNING, buildIndex, deleteProjectIndices } from '../src/search/indexer.js';
import { flattenSettings, loadingSettings, servingSettings } from '../src/search/index-settings.js';
import { rowConverter, type ColumnInfo } from '../src/search/row-documents.js';
import { TEST_ES_CACHE_DIR, TEST_ES_PORT, ensureElasticsearch } from '../test/harness/elasticsearch.js';
import { freshDatabase } from '../test/harness/mariadb.js';

interface Args {
  /** Bulk settings of our indexer (defaults: DEFAULT_BULK_TUNING). */
  flushBytes: number;
  concurrency: number;
  docs: number;
  repeat: number;
  tune: boolean;
  sample: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    flushBytes: DEFAULT_BULK_TUNING.flushBytes,
    concurrency: DEFAULT_BULK_TUNING.concurrency,
    docs: 1_000_000,
    repeat: 1,
    tune: true,
    sample: 30_000,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--docs') args.docs = num();
    else if (a === '--repeat') args.repeat = num();
    else if (a === '--sample') args.sample = num();
    else if (a === '--no-tune') args.tune = false;
    else if (a === '--flush-bytes') args.flushBytes = num();
    else if (a === '--concurrency') args.concurrency = num();
    else if (a === '--keep') args.keep = true;
    else if (a === '--help') {
      console.log(
        "Usage: node --import tsx bench/reindex.ts [--docs N] [--repeat N] [--no-tune] [--sample N] [--flush-bytes N] [--concurrency N] [--keep]\n(--flush-bytes/--concurrency: our indexer's bulk settings, and the plain load's with --no-tune)",
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const ALIAS = 'bench-addons';
const WORDS = (
  'tab privacy block tracker dark theme reader video download translate password manager screenshot note ' +
  'bookmark sync search container cookie proxy music weather clock calendar mail github youtube speed ' +
  'zoom font color scroll history session window focus timer grammar dictionary emoji shopping coupon ' +
  'price wallet crypto news feed rss social share'
).split(' ');

/** An SQL expression picking `count` pseudo-random words for row `n` (evaluated by the server). */
function words(count: number, salt: number): string {
  const list = WORDS.map((w) => `'${w}'`).join(',');
  const parts = Array.from({ length: count }, (_, k) => `ELT(1 + ((n * ${2 * k + 7919 + salt} + ${k * 31 + salt}) % ${WORDS.length}), ${list})`);
  return `CONCAT_WS(' ', ${parts.join(', ')})`;
}

const MAPPINGS = {
  properties: {
    id: { type: 'long' },
    guid: { type: 'keyword' },
    slug: { type: 'keyword' },
    name: { type: 'text', fields: { raw: { type: 'keyword' } } },
    summary: { type: 'text' },
    description: { type: 'text' },
    type: { type: 'byte' },
    status: { type: 'byte' },
    is_disabled: { type: 'boolean' },
    is_experimental: { type: 'boolean' },
    average_daily_users: { type: 'integer' },
    weekly_downloads: { type: 'integer' },
    bayesian_rating: { type: 'float' },
    category_id: { type: 'integer' },
    default_locale: { type: 'keyword' },
    created: { type: 'date' },
    last_updated: { type: 'date' },
  },
};
const SETTINGS = { index: { number_of_shards: 1 } };
const QUERY = 'SELECT * FROM addons';

async function createTable(url: string, docs: number): Promise<void> {
  const c = await mysqlPromise.createConnection({ uri: url });
  await c.query(`CREATE TABLE addons (
    id INT UNSIGNED PRIMARY KEY, guid VARCHAR(64) NOT NULL, slug VARCHAR(64) NOT NULL, name VARCHAR(255) NOT NULL,
    summary TEXT NOT NULL, description TEXT NOT NULL, type TINYINT NOT NULL, status TINYINT NOT NULL,
    is_disabled TINYINT(1) NOT NULL, is_experimental TINYINT(1) NOT NULL, average_daily_users INT NOT NULL,
    weekly_downloads INT NOT NULL, bayesian_rating DOUBLE NOT NULL, category_id INT NOT NULL,
    default_locale VARCHAR(10) NOT NULL, created DATETIME NOT NULL, last_updated DATETIME(6) NOT NULL)`);
  await c.query('CREATE TABLE digits (d TINYINT PRIMARY KEY)');
  await c.query('INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  // Rows in slices of 100k (a 10^5 cross join of the digits), so the server never holds one huge statement.
  const slice = 100_000;
  for (let start = 0; start < docs; start += slice) {
    const n = `(${start} + a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 1)`;
    await c.query(`INSERT INTO addons
      SELECT n, CONCAT('{', LPAD(HEX(n), 8, '0'), '-olympia}'), CONCAT('addon-', n),
        CONCAT(${words(3, 1)}, ' ', n), ${words(30, 2)}, ${words(80, 3)},
        1 + n % 10, IF(n % 13 = 0, 5, 4), n % 50 = 0, n % 7 = 0, (n * 7919) % 1000000, (n * 104729) % 50000,
        ((n * 31) % 500) / 100, 1 + n % 60, ELT(1 + n % 4, 'en-US', 'de', 'fr', 'ja'),
        TIMESTAMP('2015-01-01') + INTERVAL (n % 3000) DAY, TIMESTAMP('2020-01-01') + INTERVAL (n * 37) SECOND
      FROM (SELECT ${n} AS n FROM digits a, digits b, digits c, digits d, digits e) seq WHERE n <= ${docs}`);
  }
  await c.end();
}

/** Writes the documents as `id \t json` lines: the plain load then reads them with no MySQL in the way. */
async function exportDocuments(url: string, file: string, limit?: number): Promise<number> {
  const conn = mysql.createConnection({ uri: url, supportBigNumbers: true, decimalNumbers: true, dateStrings: true });
  const out = createWriteStream(file);
  let columns: ColumnInfo[] = [];
  let rows = 0;
  const stream = conn.query(limit ? `${QUERY} ORDER BY id LIMIT ${limit}` : QUERY).stream({ highWaterMark: 1000 });
  stream.on('fields', (f: ColumnInfo[]) => (columns = f));
  let convert: ReturnType<typeof rowConverter> | undefined;
  for await (const row of stream) {
    convert ??= rowConverter(columns, 'id', ALIAS);
    const doc = convert(row as Record<string, unknown>);
    if (!out.write(`${doc.id}\t${doc.json}\n`)) await once(out, 'drain');
    rows++;
  }
  out.end();
  await once(out, 'finish');
  conn.end();
  return rows;
}

async function* fileDocuments(file: string): AsyncGenerator<{ id: string; json: string }> {
  for await (const line of createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    const tab = line.indexOf('\t');
    yield { id: line.slice(0, tab), json: line.slice(tab + 1) };
  }
}

interface Timing {
  docs: number;
  ms: number;
  /** CPU seconds this process spent (user + system): the client-side cost of each approach. */
  cpuS: number;
  /** CPU seconds of the Elasticsearch and MariaDB processes, when they are the harness's local ones. */
  esCpuS?: number;
  dbCpuS?: number;
}

/** The pids of the harness's private servers (undefined when the bench runs against other ones). */
function serverPids(): { es?: number; db?: number } {
  const read = (f: string, pick: (t: string) => number) => {
    try {
      return pick(readFileSync(f, 'utf8'));
    } catch {
      return undefined;
    }
  };
  return {
    es: read(join(TEST_ES_CACHE_DIR, 'run', `${TEST_ES_PORT}.json`), (t) => (JSON.parse(t) as { pid: number }).pid),
    db: read(join(TEST_ES_CACHE_DIR, '..', 'mariadb', 'mysqld.pid'), (t) => Number(t.trim())),
  };
}

/** utime + stime of a process in seconds (Linux /proc; clock ticks are 100 Hz there). */
function processCpu(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function timed(fn: () => Promise<{ docs: number; ms: number }>): Promise<Timing> {
  const pids = serverPids();
  const [es0, db0] = [processCpu(pids.es), processCpu(pids.db)];
  const before = process.cpuUsage();
  const r = await fn();
  const used = process.cpuUsage(before);
  const [es1, db1] = [processCpu(pids.es), processCpu(pids.db)];
  return {
    ...r,
    cpuS: (used.user + used.system) / 1e6,
    esCpuS: es0 !== undefined && es1 !== undefined ? es1 - es0 : undefined,
    dbCpuS: db0 !== undefined && db1 !== undefined ? db1 - db0 : undefined,
  };
}

function cpuText(t: Timing): string {
  const server = (label: string, v?: number) => (v === undefined ? '' : `, ${label} ${v.toFixed(1)} s`);
  return `client CPU ${t.cpuS.toFixed(1)} s${server('Elasticsearch', t.esCpuS)}${server('MariaDB', t.dbCpuS)}`;
}

async function plainLoad(client: Client, file: string, tuning: { flushBytes: number; concurrency: number }, expected: number): Promise<{ docs: number; ms: number }> {
  const index = `bench-plain-${Date.now()}`;
  const user = flattenSettings(SETTINGS);
  const started = Date.now();
  await client.indices.create({ index, settings: loadingSettings(user) as never, mappings: MAPPINGS as never });
  const stats = await client.helpers.bulk({
    datasource: fileDocuments(file),
    onDocument: (d) => [{ index: { _index: index, _id: d.id } }, d.json as never],
    flushBytes: tuning.flushBytes,
    concurrency: tuning.concurrency,
    retries: 5,
    wait: 1000,
    // The same response trimming as ours: a setting any bulk load can use, so the baseline gets it too.
    filter_path: BULK_RESPONSE_FIELDS,
  });
  await client.indices.putSettings({ index, settings: servingSettings(user) as never });
  await client.indices.refresh({ index });
  const ms = Date.now() - started;
  const { count } = await client.count({ index });
  await client.indices.delete({ index });
  if (stats.failed > 0 || count !== expected) throw new Error(`plain load: ${stats.failed} failed, ${count} of ${expected} documents`);
  return { docs: count, ms };
}

async function oursLoad(client: Client, databaseUrl: string, projectDir: string, bulk: { flushBytes: number; concurrency: number }): Promise<{ docs: number; ms: number }> {
  const r = await buildIndex({
    client,
    bulk,
    databaseUrl,
    projectDir,
    definition: { alias: ALIAS, query: QUERY, id: 'id', mappings: 'mappings.json', settings: 'settings.json' },
  });
  return { docs: r.documents, ms: r.durationMs };
}

/** Waits until the node runs no merges (bounded): leftovers of one run must not slow the next. */
async function waitForQuiet(client: Client): Promise<void> {
  const deadline = Date.now() + 300_000;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const stats = await client.nodes.stats({ node_id: '_local', metric: 'indices', index_metric: 'merge' });
    const merging = Object.values(stats.nodes).reduce((n, node) => n + (node.indices?.merges?.current ?? 0), 0);
    if (merging > 0) quietSince = 0;
    else if (!quietSince) quietSince = Date.now();
    else if (Date.now() - quietSince >= 2000) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const rate = (t: Timing) => t.docs / (t.ms / 1000);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const esUrl = await ensureElasticsearch();
  const client = await createSearchClient(esUrl);
  const db = await freshDatabase('bench_reindex');
  const work = await mkdtemp(join(tmpdir(), 'olympia-reindex-bench-'));
  try {
    await writeFile(join(work, 'mappings.json'), JSON.stringify(MAPPINGS));
    await writeFile(join(work, 'settings.json'), JSON.stringify(SETTINGS));
    let t = Date.now();
    await createTable(db.url, args.docs);
    console.log(`table: ${fmt(args.docs)} add-ons in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    const docsFile = join(work, 'docs.tsv');
    const rows = await exportDocuments(db.url, docsFile);
    console.log(`plain load input: ${fmt(rows)} documents pre-serialized in ${((Date.now() - t) / 1000).toFixed(1)} s (not timed)`);

    const oursTuning = { flushBytes: args.flushBytes, concurrency: args.concurrency };
    let best = oursTuning;
    if (args.tune) {
      const sampleFile = join(work, 'sample.tsv');
      const sample = await exportDocuments(db.url, sampleFile, Math.min(args.sample, args.docs));
      // Two rounds in opposite orders, best of the two per setting: a shared machine is noisy.
      const grid = [1_000_000, 2_000_000, 5_000_000, 10_000_000].flatMap((flushBytes) => [1, 2, 4].map((concurrency) => ({ flushBytes, concurrency })));
      const rates = new Map<string, number>();
      for (const round of [grid, [...grid].reverse()]) {
        for (const g of round) {
          await waitForQuiet(client);
          const r = rate(await timed(() => plainLoad(client, sampleFile, g, sample)));
          const key = JSON.stringify(g);
          rates.set(key, Math.max(rates.get(key) ?? 0, r));
        }
      }
      let bestRate = 0;
      for (const g of grid) {
        const r = rates.get(JSON.stringify(g))!;
        console.log(`  tune plain: flushBytes ${fmt(g.flushBytes).padStart(10)}, concurrency ${g.concurrency}: ${fmt(r)} docs/s`);
        if (r > bestRate) [bestRate, best] = [r, g];
      }
      console.log(`plain load settings: flushBytes ${fmt(best.flushBytes)}, concurrency ${best.concurrency}`);
    }
    console.log(`ours: flushBytes ${fmt(oursTuning.flushBytes)}, concurrency ${oursTuning.concurrency}`);

    const ours: Timing[] = [];
    const plain: Timing[] = [];
    for (let i = 0; i < args.repeat; i++) {
      // Alternate the order so neither side always runs on a warmer (or busier) node.
      const order = i % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
      for (const which of order) {
        // Each run starts from the same state: no bench index on the node, no merge still running.
        await deleteProjectIndices(client, [ALIAS]);
        await waitForQuiet(client);
        const timing = await timed(() => (which === 'ours' ? oursLoad(client, db.url, work, oursTuning) : plainLoad(client, docsFile, best, rows)));
        (which === 'ours' ? ours : plain).push(timing);
        console.log(`  run ${i + 1} ${which.padEnd(5)}: ${fmt(timing.docs)} docs in ${(timing.ms / 1000).toFixed(1)} s = ${fmt(rate(timing))} docs/s (${cpuText(timing)})`);
      }
    }
    const o = median(ours.map(rate));
    const p = median(plain.map(rate));
    console.log('');
    console.log(`documents        ${fmt(rows)}`);
    console.log(`ours  (native)   ${fmt(o)} docs/s  (median of ${ours.length}; client CPU ${median(ours.map((t) => t.cpuS)).toFixed(1)} s)`);
    console.log(`plain bulk       ${fmt(p)} docs/s  (median of ${plain.length}; client CPU ${median(plain.map((t) => t.cpuS)).toFixed(1)} s)`);
    console.log(`ratio ours/plain ${(o / p).toFixed(2)}  (target ≥ 0.90)`);
  } finally {
    if (!args.keep) {
      await deleteProjectIndices(client, [ALIAS]).catch(() => undefined);
      await db.drop();
    } else console.log(`kept: database ${db.name}, alias ${ALIAS}, files in ${work}`);
    if (!args.keep) await rm(work, { recursive: true, force: true });
    await client.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
