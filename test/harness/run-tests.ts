// `npm test`: starts (or reuses) the real services the tests need, then runs every test file with
// node's test runner. OLYMPIA_TEST_DATABASE_URL / OLYMPIA_TEST_ELASTICSEARCH_URL use existing ones.
// Arguments narrow the run: `npm test -- unit`, `npm test -- test/integration/x.test.ts`.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensureMariaDB } from './mariadb.js';
import { ensureElasticsearch } from './elasticsearch.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SUITES = ['unit', 'integration', 'action'];

function testFiles(filters: string[]): string[] {
  const all = SUITES.flatMap((suite) =>
    readdirSync(join(ROOT, 'test', suite))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => join('test', suite, f)),
  );
  if (filters.length === 0) return all;
  return all.filter((f) => filters.some((x) => f === x || f.startsWith(`test/${x}/`) || f.includes(x)));
}

async function main(): Promise<number> {
  const files = testFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error('No test files match.');
    return 1;
  }
  const needsServices = files.some((f) => !f.startsWith('test/unit/'));
  const env = { ...process.env };
  if (needsServices) {
    const t0 = Date.now();
    // Start both at once: Elasticsearch takes the longest.
    const ownServer = !process.env.OLYMPIA_TEST_DATABASE_URL;
    const [db, es] = await Promise.all([ensureMariaDB(), ensureElasticsearch()]);
    // Tests that watch the server itself (its pid) know it is the harness's own.
    if (ownServer) env.OLYMPIA_TEST_OWN_MYSQL = '1';
    env.OLYMPIA_TEST_DATABASE_URL = db;
    env.OLYMPIA_TEST_ELASTICSEARCH_URL = es;
    console.error(`[harness] services ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: MySQL ${db.replace(/:[^:@/]*@/, ':***@')}, Elasticsearch ${es}`);
  }
  const tap = join(ROOT, '.cache', 'test-results.tap');
  mkdirSync(dirname(tap), { recursive: true });
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'inherit' });
  const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
  // One plain closing line for CI, whatever the reporter above printed.
  const counts = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(readFileSync(tap, 'utf8'))?.[1] ?? 0);
  console.log(`tests: ${counts('pass')} passed, ${counts('fail') + counts('cancelled')} failed, ${counts('skipped')} skipped`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[harness] ${(e as Error).message}`);
    process.exit(1);
  },
);
