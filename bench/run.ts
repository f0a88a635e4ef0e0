// `npm run bench`: our dump and load against mysqldump | mysql and mydumper / myloader, on the same
// synthetic add-ons catalogue, with the same thread count, in one run. See `npm run bench -- --help`.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { OlympiaError } from '../src/core/errors.js';
import { ensureMariaDB } from '../test/harness/mariadb.js';
import { type BenchArgs, parseBenchArgs, type Tool, USAGE } from './args.js';
import { type CatalogueInfo, ensureCatalogue } from './catalogue.js';
import { ensureInitShape, INIT_TABLES } from './init-shape.js';
import { GNU_TIME, type Measured, runMeasured, type RunSpec } from './measure.js';
import { prepareOurs, type OursRunner } from './ours-runner.js';
import { type Invocation, missingBinaries, mydumperDump, myloaderLoad, mysqldumpDump, mysqlLoad, REQUIRED, type Server } from './peers.js';
import { figures, formatReport, type Phase, type PhaseResult, ratios } from './report.js';
import { checkLoad, checksums, type Conn, connectServer, databaseUrl, dropDatabase, quiesce, recreateDatabase, serverFromUrl } from './server.js';

const ROOT = resolve(import.meta.dirname, '..');
const log = (line: string) => process.stderr.write(line + '\n');

async function pathBytes(p: string): Promise<number> {
  const s = await stat(p);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(p, { withFileTypes: true, recursive: true })) if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  return total;
}

function masked(text: string, password: string): string {
  return password ? text.split(password).join('***') : text;
}

function failure(m: Measured, password: string): string | undefined {
  if (m.exitCode === 0) return undefined;
  const tail = masked(m.stderr.trim(), password).split('\n').slice(-4).join(' | ');
  return `exit ${m.exitCode ?? m.signal}${tail ? `: ${tail}` : ''}`;
}

/** What a run cost besides its time: CPU, context switches, CPU stolen by the hypervisor. */
function costs(m: Measured): string {
  const cpu = m.cpuS === null ? '' : `${m.cpuS.toFixed(2)} s CPU, `;
  const switches = m.switches === null ? '' : `${m.switches.toLocaleString('en-US')} context switches, `;
  const steal = m.stealS ? `${m.stealS.toFixed(2)} s stolen, ` : '';
  return cpu + switches + steal;
}

async function settle(conn: Conn): Promise<void> {
  const waited = await quiesce(conn);
  if (waited > 2000) log(`  (waited ${(waited / 1000).toFixed(1)} s for InnoDB to flush dirty pages)`);
}

interface ToolPlan {
  tool: Tool;
  dumpPath: string;
  loadDb: string;
  dump: () => { spec: RunSpec; display: string };
  load: () => { spec: RunSpec; display: string };
  /** Whether the load needs an existing empty database. */
  loadNeedsDatabase: boolean;
}

/** The engine's own time from bench/ours.ts's result line, or null. */
function engineMs(stdout: string): number | null {
  try {
    const ms = (JSON.parse(stdout.trim().split('\n').pop() ?? '') as { durationMs?: unknown }).durationMs;
    return typeof ms === 'number' ? ms : null;
  } catch {
    return null;
  }
}

function fromInvocation(inv: Invocation, extra: Partial<RunSpec> = {}): { spec: RunSpec; display: string } {
  return { spec: { command: inv.command, args: inv.args, env: { ...process.env, ...inv.env }, ...extra }, display: inv.display };
}

function plans(args: BenchArgs, work: string, serverUrl: string, server: Server, source: string, ours: OursRunner | undefined): ToolPlan[] {
  const out: ToolPlan[] = [];
  let run = 0;
  for (const tool of args.only) {
    const loadDb = `bench_load_${tool}`;
    if (tool === 'ours' && ours) {
      const dir = join(work, 'ours');
      out.push({
        tool,
        dumpPath: dir,
        loadDb,
        loadNeedsDatabase: false,
        dump: () => {
          const spec = ours.spec('dump', {
            databaseUrl: databaseUrl(serverUrl, source),
            backupDir: dir,
            name: 'bench',
            jobs: args.jobs,
            sync: args.sync,
            profileName: `ours-dump-${++run}`,
          });
          return {
            spec,
            display: `${ours.describe} dump --backup-dir ${dir} --name bench --jobs ${args.jobs}${args.sync ? ' --sync' : ''}   (BENCH_DATABASE_URL=mysql://${server.user}:***@${server.host}:${server.port}/${source})`,
          };
        },
        load: () => {
          const spec = ours.spec('load', { databaseUrl: databaseUrl(serverUrl, loadDb), backupDir: dir, name: 'bench', jobs: args.jobs, profileName: `ours-load-${run}` });
          return {
            spec,
            display: `${ours.describe} load --backup-dir ${dir} --name bench --jobs ${args.jobs}   (BENCH_DATABASE_URL=mysql://${server.user}:***@${server.host}:${server.port}/${loadDb})`,
          };
        },
      });
    } else if (tool === 'mysqldump') {
      const file = join(work, 'mysqldump.sql');
      out.push({
        tool,
        dumpPath: file,
        loadDb,
        loadNeedsDatabase: true,
        dump: () => fromInvocation(mysqldumpDump(server, source, file), { stdoutFile: file }),
        load: () => fromInvocation(mysqlLoad(server, loadDb, file), { stdinFile: file }),
      });
    } else if (tool === 'mydumper') {
      const dir = join(work, 'mydumper');
      out.push({
        tool,
        dumpPath: dir,
        loadDb,
        loadNeedsDatabase: true,
        dump: () => fromInvocation(mydumperDump(server, source, dir, args.jobs, args.mydumperRows)),
        load: () => fromInvocation(myloaderLoad(server, loadDb, dir, args.jobs)),
      });
    }
  }
  return out;
}

async function checkDisk(work: string, cat: CatalogueInfo): Promise<void> {
  const fs = await statfs(work);
  const free = fs.bavail * fs.bsize;
  // One dump (text is at most ~1.5× the InnoDB size) plus one loaded copy on the server's disk.
  const needed = cat.bytes * 3;
  log(`Free disk under ${work}: ${(free / 1e9).toFixed(1)} GB (about ${(needed / 1e9).toFixed(1)} GB needed).`);
  if (free < needed) {
    throw new OlympiaError(
      `Not enough free disk for this benchmark (${(cat.bytes / 1e6).toFixed(0)} MB source): ${(free / 1e9).toFixed(1)} GB free under ${work}, about ${(needed / 1e9).toFixed(1)} GB needed.`,
      {
        hint: 'Free some space (see `df -h`), or choose a smaller --scale.',
      },
    );
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, availableParallelism());
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const skipped: { tool: Tool; reason: string }[] = [];
  for (const tool of args.only) {
    if (tool === 'ours') continue;
    const missing = missingBinaries(tool);
    if (missing.length) {
      skipped.push({ tool, reason: `${missing.join(' and ')} not installed; install with: ${REQUIRED[tool].install}` });
      log(`skip ${tool}: ${skipped.at(-1)!.reason}`);
    }
  }
  args.only = args.only.filter((t) => !skipped.some((s) => s.tool === t));
  if (args.only.length === 0) throw new OlympiaError('Nothing to benchmark: every selected tool was skipped.');
  if (!existsSync(GNU_TIME)) log(`note: ${GNU_TIME} is missing (apt-get install time); peak memory is sampled from /proc every 50 ms instead.`);

  const serverUrl = await ensureMariaDB();
  const server = serverFromUrl(serverUrl);
  const conn: Conn = await connectServer(serverUrl);
  const shapeLabel = args.shape === 'init' ? `init-x${args.fill}` : `${args.scaleMb}mb`;
  const work = join(ROOT, '.cache', 'bench', shapeLabel);
  const loadDbs = args.only.map((t) => `bench_load_${t}`);
  let lastRunKept = false;
  let restoreLocalInfile: number | undefined;
  try {
    const [[{ v: version }]] = (await conn.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
    const [la1] = loadavg();
    log(`Server ${version} at ${server.host}:${server.port}; ${cpus().length} CPUs, load average ${la1.toFixed(2)}; --jobs ${args.jobs}.`);
    if (la1 > availableParallelism() * 0.5) log(`warning: the machine is busy (load average ${la1.toFixed(2)}); timings will be noisy.`);

    let cat: CatalogueInfo;
    let described: string;
    if (args.shape === 'init') {
      cat = await ensureInitShape(serverUrl, args.fill, { fresh: args.fresh, log });
      described = `_init shape ×${args.fill} (${cat.rows.size} tables, ${(cat.bytes / 1e6).toFixed(1)} MB InnoDB data + indexes, ${cat.totalRows.toLocaleString('en-US')} rows, foreign keys, 3 views, a trigger)`;
      log(`Source \`${cat.database}\`: ${described}${cat.reused ? ' (cached).' : `, generated in ${(cat.generateMs / 1000).toFixed(1)} s.`}`);
      if (cat.rows.size !== INIT_TABLES) log(`warning: the source has ${cat.rows.size} tables, not ${INIT_TABLES}.`);
    } else {
      cat = await ensureCatalogue(serverUrl, args.scaleMb, { fresh: args.fresh, log });
      const off = (cat.bytes / (args.scaleMb * 1e6) - 1) * 100;
      described = `${args.scaleMb} MB catalogue (${(cat.bytes / 1e6).toFixed(1)} MB InnoDB data + indexes, ${cat.totalRows.toLocaleString('en-US')} rows, ${cat.rows.size} tables)`;
      log(
        `Catalogue \`${cat.database}\`: ${(cat.bytes / 1e6).toFixed(1)} MB InnoDB data + indexes (${off >= 0 ? '+' : ''}${off.toFixed(1)}% of ${args.scaleMb} MB), ${cat.rows.size} tables, ${cat.totalRows.toLocaleString('en-US')} rows` +
          (cat.reused ? ' (cached).' : `, generated in ${(cat.generateMs / 1000).toFixed(1)} s.`),
      );
      if (Math.abs(off) > 15) log(`warning: the catalogue is ${off.toFixed(1)}% off its target size.`);
    }
    const [[{ v: infileNow }]] = (await conn.query('SELECT @@GLOBAL.local_infile AS v')) as unknown as [[{ v: number }]];
    if (args.localInfile === 'off' && Number(infileNow) === 1) {
      await conn.query('SET GLOBAL local_infile = 0');
      restoreLocalInfile = 1;
      log('The server runs with local_infile = 0 for this benchmark (restored at the end).');
    }
    const infileNote = `server local_infile=${args.localInfile === 'off' ? 0 : Number(infileNow)}`;

    await mkdir(work, { recursive: true });
    await checkDisk(work, cat);
    if (args.cpuProf) await mkdir(resolve(args.cpuProf), { recursive: true });
    const ours = args.only.includes('ours') ? prepareOurs(ROOT, { tsx: args.tsx, node: args.node, cpuProfDir: args.cpuProf && resolve(args.cpuProf), log }) : undefined;
    const sourceChecksums = args.checksum ? await checksums(conn, cat.database, [...cat.rows.keys()]) : undefined;

    const toolPlans = plans(args, work, serverUrl, server, cat.database, ours);
    const results = new Map<string, PhaseResult>();
    const result = (tool: Tool, phase: Phase, command: string) => {
      const key = `${tool}:${phase}`;
      if (!results.has(key)) results.set(key, { tool, phase, command, runs: [] });
      return results.get(key)!;
    };

    for (let rep = 1; rep <= args.repeat; rep++) {
      const last = rep === args.repeat;
      // Tools take turns within each round, so drift on a shared machine spreads over all of them.
      for (const p of toolPlans) {
        const tag = args.repeat > 1 ? `[${rep}/${args.repeat}] ` : '';
        await rm(p.dumpPath, { recursive: true, force: true });
        await settle(conn);
        const d = p.dump();
        const dumpResult = result(p.tool, 'dump', d.display);
        if (dumpResult.failed) continue;
        log(`${tag}${p.tool}: dump…`);
        const dm = await runMeasured(d.spec);
        const dumpFailed = failure(dm, server.password);
        if (dumpFailed) {
          dumpResult.failed = dumpFailed;
          result(p.tool, 'load', p.load().display).failed = 'not run: the dump failed';
          log(`  failed: ${dumpFailed}`);
          continue;
        }
        dumpResult.runs.push({ wallMs: dm.wallMs, peakRss: dm.peakRss, cpuS: dm.cpuS, stealS: dm.stealS, engineMs: p.tool === 'ours' ? engineMs(dm.stdout) : null });
        dumpResult.outputBytes = await pathBytes(p.dumpPath);
        log(
          `  ${(dm.wallMs / 1000).toFixed(2)} s, ${costs(dm)}peak RSS ${dm.peakRss === null ? '?' : (dm.peakRss / 1e6).toFixed(1)} MB, ${(dumpResult.outputBytes / 1e6).toFixed(1)} MB written`,
        );

        if (p.loadNeedsDatabase) await recreateDatabase(conn, p.loadDb);
        else await dropDatabase(conn, p.loadDb);
        await settle(conn);
        const l = p.load();
        const loadResult = result(p.tool, 'load', l.display);
        log(`${tag}${p.tool}: load…`);
        const lm = await runMeasured(l.spec);
        const loadFailed = failure(lm, server.password);
        if (loadFailed) {
          loadResult.failed = loadFailed;
          log(`  failed: ${loadFailed}`);
        } else {
          loadResult.runs.push({ wallMs: lm.wallMs, peakRss: lm.peakRss, cpuS: lm.cpuS, stealS: lm.stealS, engineMs: p.tool === 'ours' ? engineMs(lm.stdout) : null });
          const check = await checkLoad(conn, p.loadDb, { rows: cat.rows, checksums: sourceChecksums });
          loadResult.checkProblems = [...(loadResult.checkProblems ?? []), ...check.problems];
          log(
            `  ${(lm.wallMs / 1000).toFixed(2)} s, ${costs(lm)}peak RSS ${lm.peakRss === null ? '?' : (lm.peakRss / 1e6).toFixed(1)} MB, ${check.ok ? `row counts${sourceChecksums ? ' and checksums' : ''} match the source` : `CHECK FAILED: ${check.problems.slice(0, 3).join('; ')}`}`,
          );
        }
        if (!(last && args.keep)) {
          await dropDatabase(conn, p.loadDb);
          await rm(p.dumpPath, { recursive: true, force: true });
        }
      }
    }
    lastRunKept = args.keep;

    const source = { bytes: cat.bytes, rows: cat.totalRows };
    const order: Tool[] = ['ours', 'mydumper', 'mysqldump'];
    const all = [...results.values()].sort((a, b) => order.indexOf(a.tool) - order.indexOf(b.tool) || (a.phase === 'dump' ? -1 : 1)).map((r) => figures(r, source));
    const rs = ratios(all);
    process.stdout.write(
      [
        '',
        `olympia-data benchmark: ${described}, --jobs ${args.jobs}, server ${version}, ${infileNote}${ours ? `, ours on Node.js ${ours.nodeVersion}` : ''}`,
        'MB/s and rows/s are over the source catalogue (InnoDB data + index bytes, exact row counts) for every tool;',
        "client CPU s is the user + system time of the tool's own processes (the server's work is not in it);",
        "CPU steal s is the time the hypervisor ran other guests on this machine's CPUs during a run: a round",
        'whose tools saw different steal compares them under different conditions.',
        '',
        formatReport(all, rs, { repeat: args.repeat }),
        ...skipped.map((s) => `skipped ${s.tool}: ${s.reason}`),
        '',
        'Commands:',
        ...[...results.values()].map((r) => `  ${r.command}`),
        '',
      ].join('\n'),
    );

    if (args.json) {
      const doc = {
        createdAt: new Date().toISOString(),
        command: `npm run bench -- ${argv.join(' ')}`.trim(),
        shape: args.shape,
        ...(args.shape === 'init' ? { fill: args.fill } : { scaleMb: args.scaleMb }),
        localInfile: args.localInfile === 'off' ? 0 : Number(infileNow),
        jobs: args.jobs,
        repeat: args.repeat,
        reported: args.repeat > 1 ? 'median' : 'single run',
        server: { version, host: server.host, port: server.port },
        machine: { cpus: cpus().length, loadAverage: loadavg() },
        ours: ours?.describe,
        throughputBasis: 'source catalogue: InnoDB DATA_LENGTH + INDEX_LENGTH after ANALYZE TABLE, exact row counts',
        source: { database: cat.database, bytes: cat.bytes, rows: cat.totalRows, tables: Object.fromEntries(cat.rows), batches: cat.batches, cached: cat.reused },
        results: all.map((f) => ({
          ...f,
          command: results.get(`${f.tool}:${f.phase}`)!.command,
          runsMs: results.get(`${f.tool}:${f.phase}`)!.runs.map((r) => Math.round(r.wallMs)),
        })),
        ratios: rs,
        skipped,
      };
      await writeFile(resolve(args.json), JSON.stringify(doc, null, 2) + '\n');
      log(`Figures written to ${resolve(args.json)}.`);
    }
  } finally {
    if (restoreLocalInfile !== undefined) await conn.query(`SET GLOBAL local_infile = ${restoreLocalInfile}`).catch(() => log('warning: could not turn local_infile back on'));
    if (!lastRunKept) {
      for (const db of loadDbs) await dropDatabase(conn, db).catch(() => undefined);
      for (const p of ['ours', 'mysqldump.sql', 'mydumper']) await rm(join(work, p), { recursive: true, force: true });
    }
    await conn.end().catch(() => undefined);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const err = e as OlympiaError;
  log(`error: ${err.message}`);
  if (err.hint) log(err.hint);
  process.exitCode = err.exitCode ?? 1;
});
