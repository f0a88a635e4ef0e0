// How long the bundled action (dist/index.js) takes from its process's start to its first service
// probe: `initialize` with `services: external` and the other inputs at their defaults, run as the
// runner runs it, with MySQL and Elasticsearch URLs that point at two listening sockets of this
// process. The first connection to either ends the run. Node's own start (`node -e 0`) is measured in the same rounds,
// so what the action adds is visible apart from it.
//
//   npm run package && npm run bench:action-start -- [--repeat 9] [--node PATH]...
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { parseArgs } from 'node:util';
import { probeNode } from './ours-runner.js';
import { median } from './report.js';
import { DIST_ENTRY, makeWorkspace, prepareActionRun, removeWorkspace } from '../test/action/run-action.js';

const TARGET_MS = 300;

const { values } = parseArgs({
  options: { repeat: { type: 'string', default: '9' }, node: { type: 'string', multiple: true, default: [] }, help: { type: 'boolean', default: false } },
});
if (values.help) {
  console.log('Usage: npm run bench:action-start -- [--repeat N] [--node PATH]...\n  --node PATH  also time the action under this node binary (repeatable); this one always runs');
  process.exit(0);
}
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat takes a whole number of at least 1, got ${JSON.stringify(values.repeat)}`);
const nodes = [process.execPath, ...values.node.filter((n) => n !== process.execPath)];
const versions = new Map(nodes.map((n) => [n, probeNode(n).version]));

/** A socket that stands in for a service: resolves with the time of its first connection. */
function listener(): Promise<{ server: Server; port: number; first: Promise<number> }> {
  return new Promise((resolve) => {
    let hit!: (t: number) => void;
    const first = new Promise<number>((r) => (hit = r));
    const server = createServer((socket) => {
      hit(performance.now());
      socket.destroy();
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, first }));
  });
}

/** Milliseconds from spawning `node args` to `until` (or to its exit, without `until`). */
async function timed(node: string, args: string[], opts: { cwd?: string; env?: Record<string, string> }, until?: Promise<number>): Promise<number> {
  const started = performance.now();
  const child = spawn(node, args, { ...opts, stdio: 'ignore' });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('exit', () => resolve(performance.now()));
    child.on('error', reject);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    const end = await (until ? Promise.race([until, exited.then(() => Promise.reject(new Error('the action exited before it probed a service')))]) : exited);
    return end - started;
  } finally {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    clearTimeout(timer);
  }
}

async function actionToProbe(node: string, workspace: string): Promise<number> {
  const mysql = await listener();
  const search = await listener();
  const { files, childEnv } = await prepareActionRun({
    workspace,
    inputs: {
      command: 'initialize',
      services: 'external',
      'database-url': `mysql://olympia:bench@127.0.0.1:${mysql.port}/olympia`,
      'elasticsearch-url': `http://127.0.0.1:${search.port}`,
    },
  });
  try {
    return await timed(node, [DIST_ENTRY], { cwd: workspace, env: childEnv }, Promise.race([mysql.first, search.first]));
  } finally {
    mysql.server.close();
    search.server.close();
    await rm(files, { recursive: true, force: true });
  }
}

const workspace = await makeWorkspace(`olympia-bench-start-${process.pid}`);
const runs = new Map(nodes.map((n) => [n, { boot: [] as number[], probe: [] as number[] }]));
try {
  for (let i = 0; i < repeat; i++) {
    for (const node of nodes) {
      const r = runs.get(node)!;
      r.boot.push(await timed(node, ['-e', '0'], {}));
      r.probe.push(await actionToProbe(node, workspace));
    }
  }
} finally {
  await removeWorkspace(workspace);
}

const ms = (x: number | null) => `${Math.round(x ?? NaN)} ms`;
console.log(`The action (dist/index.js, initialize, services: external), process start to first service probe; ${repeat} rounds, medians:`);
for (const node of nodes) {
  const r = runs.get(node)!;
  const probe = median(r.probe)!;
  console.log(
    `  Node.js ${versions.get(node)}: ${ms(probe)} (${ms(Math.min(...r.probe))}–${ms(Math.max(...r.probe))}), of which node's own start ${ms(median(r.boot))}; ` +
      `${probe <= TARGET_MS ? 'meets' : 'misses'} the target (≤ ${TARGET_MS} ms)`,
  );
}
