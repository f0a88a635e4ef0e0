// The CLI adapter: flags + INIT_* env + olympia-data.json → a Context → a command → output.
// First, so a dump's threads boot while the rest loads.
import './prestart.js';
import { createInterface } from 'node:readline/promises';
import { isMainThread } from 'node:worker_threads';
import { parseBackupName, timestampName, type BackupName } from '../core/backup-name.js';
import { loadConfig } from '../core/config.js';
import { errorMessage, ExitCode, OlympiaError, UsageError } from '../core/errors.js';
import { resolveInitializeOptions } from '../core/flags.js';
import { describePlan, type Plan } from '../core/initialize-plan.js';
import { TOOL_VERSION } from '../core/version.js';
import { makeContext, requireTarget, type Context } from '../commands/context.js';
import { dumpBackup } from '../commands/dump.js';
import { initialize, seedCommand, type InitializeResult } from '../commands/initialize.js';
import { loadCommand, reindexCommand } from '../commands/load.js';
import { reset } from '../commands/reset.js';
import { listBackups } from '../commands/list.js';
import { integrityError, verifyCommand } from '../commands/verify.js';
import { maskUrl } from '../core/connection-url.js';
import { servicesDown, servicesUp } from '../commands/services.js';
import { DEV_PASSWORD, type Services } from '../commands/services.js';
import { commandHelp, mainHelp, parseCommandLine, parsePositiveInt, parseSize, type ParsedCommand } from './args.js';
import { formatBytes, formatDuration } from '../core/format.js';
import { cliReporter, type OutputMode } from './output.js';

type Values = ParsedCommand['values'];
const str = (v: Values, k: string) => v[k] as string | undefined;

function outputMode(v: Values): OutputMode {
  if (v.json) return 'json';
  if (v.quiet) return 'quiet';
  return process.stderr.isTTY ? 'tty' : 'plain';
}

async function buildContext(v: Values, env: NodeJS.ProcessEnv): Promise<Context> {
  const config = await loadConfig(str(v, 'config'));
  return makeContext({
    config,
    databaseUrl: str(v, 'database-url') ?? env.DATABASE_URL,
    elasticsearchUrl: str(v, 'elasticsearch-url') ?? env.ELASTICSEARCH_URL,
    backupDir: str(v, 'backup-dir') ?? env.OLYMPIA_BACKUP_DIR,
    storageDir: str(v, 'storage-dir') ?? env.OLYMPIA_STORAGE_DIR,
    jobs: parsePositiveInt(str(v, 'jobs'), '--jobs'),
    lockTimeoutS: parsePositiveInt(str(v, 'lock-timeout'), '--lock-timeout'),
    enableLocalInfile: v['enable-local-infile'] === true || env.OLYMPIA_ENABLE_LOCAL_INFILE === '1',
    // Flag, then OLYMPIA_*_COMMAND, then olympia-data.json.
    hooks: {
      migrate: str(v, 'migrate-command') ?? (env.OLYMPIA_MIGRATE_COMMAND || undefined),
      seed: str(v, 'seed-command') ?? (env.OLYMPIA_SEED_COMMAND || undefined),
      index: str(v, 'index-command') ?? (env.OLYMPIA_INDEX_COMMAND || undefined),
    },
    reporter: cliReporter(outputMode(v)),
  });
}

/** `--services P` on initialize/seed/up: start (or wait for) the services and use their URLs. */
function startServices(ctx: Context, v: Values, wantSearch: boolean): Promise<Services> {
  return servicesUp(ctx, {
    provider: str(v, 'services') ?? 'local',
    elasticsearch: wantSearch,
    mysqlImage: str(v, 'mysql-image'),
    elasticsearchImage: str(v, 'elasticsearch-image'),
    elasticsearchVersion: str(v, 'elasticsearch-version'),
  });
}

/** One line per step: status, duration and what it did (or why it was skipped, or its error). */
function summaryLines(r: InitializeResult): string[] {
  const rows = r.steps.map((s) => {
    if (s.status === 'not-run') return ['· not run', '', s.title];
    const mark = s.status === 'done' ? '✓' : s.status === 'failed' ? '✗' : s.status === 'warning' ? '!' : '–';
    const time = s.status === 'skipped' ? '' : formatDuration(s.durationMs);
    return [`${mark} ${s.status}`, time, `${s.title}: ${s.detail ?? s.reason}`];
  });
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  const what = [r.loaded ? `loaded "${r.loaded}"` : '', r.seeded ? 'seeded' : '', r.indexed ? 'indexed' : ''].filter(Boolean).join(', ');
  lines.push(`${r.error ? 'Failed' : 'Done'} in ${formatDuration(r.durationMs)}${what ? ` (${what})` : ''}.`);
  return lines;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.command === 'help') {
    const { topic, missing } = parsed as { topic?: string; missing?: true };
    if (missing) {
      process.stderr.write(`${mainHelp()}\nerror: no command given.\n`);
      return ExitCode.usage;
    }
    process.stdout.write((topic ? commandHelp(parseCommandLine([topic, '--help']).command) : mainHelp()) + '\n');
    return ExitCode.ok;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`olympia-data ${TOOL_VERSION}\n`);
    return ExitCode.ok;
  }
  const { command, values: v, positionals } = parsed as ParsedCommand;
  if (v.help) {
    process.stdout.write(commandHelp(command) + '\n');
    return ExitCode.ok;
  }
  const json = Boolean(v.json);
  // --quiet: nothing but errors (and --json's result, which a script asked for).
  const print = (human: string[], data: unknown) => {
    if (json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    else if (!v.quiet) process.stdout.write(human.map((l) => l + '\n').join(''));
  };
  // Names are validated before anything touches the filesystem or a server.
  const nameOf = (raw: string | undefined, required: boolean): BackupName | undefined => {
    if (raw === undefined) {
      if (required) throw new UsageError(`${command} needs a backup name.`, `Run \`olympia-data ${command} --name NAME\`; \`olympia-data list\` shows the backups.`);
      return undefined;
    }
    return parseBackupName(raw);
  };

  switch (command) {
    case 'dump': {
      const name = nameOf(str(v, 'name'), false) ?? timestampName();
      const chunkBytes = parseSize(str(v, 'chunk-size'), '--chunk-size');
      if (v.sync && v['no-sync'])
        throw new UsageError('--sync and --no-sync contradict each other.', 'Give one of them, or neither (files are then synced only when --force replaces a backup).');
      const sync = v.sync ? 'always' : v['no-sync'] ? 'never' : 'auto';
      const ctx = await buildContext(v, env);
      const r = await dumpBackup(ctx, { name, force: Boolean(v.force), chunkBytes, sync });
      print([`Dumped ${r.tables} tables, ${r.rows.toLocaleString('en-US')} rows (${formatBytes(r.bytes)}) to ${r.path} in ${formatDuration(r.durationMs)}.`], {
        name: r.name,
        path: r.path,
        tables: r.tables,
        rows: r.rows,
        bytes: r.bytes,
        durationMs: r.durationMs,
      });
      return ExitCode.ok;
    }
    case 'load': {
      const name = nameOf(str(v, 'name'), true)!;
      const ctx = await buildContext(v, env);
      const r = await loadCommand(ctx, { name, skipIndex: Boolean(v['skip-index']) });
      const confined = r.confinement === 'account' ? 'its SQL ran as a load account confined to the staging database' : 'its SQL ran as you, each statement checked first';
      const what = r.kind === 'addons-server' ? `${r.tables} tables from db.sql` : `${r.tables} tables, ${r.rows.toLocaleString('en-US')} rows`;
      const files = r.storageFiles ? `, ${r.storageFiles} storage files` : '';
      const indexed = r.indexed ? ` Search index rebuilt (${r.indexDetail}).` : '';
      print([`Loaded "${r.name}" (${r.kind} backup): ${what}${files} in ${formatDuration(r.durationMs)}; ${confined}.${indexed}`], r);
      return ExitCode.ok;
    }
    case 'reindex': {
      const ctx = await buildContext(v, env);
      const r = await reindexCommand(ctx);
      print([`Search index rebuilt: ${r.detail}.`], { ok: true, ...r });
      return ExitCode.ok;
    }
    case 'list': {
      const ctx = await buildContext(v, env);
      const rows = await listBackups(ctx);
      const table = [
        ['NAME', 'CREATED', 'SIZE', 'TABLES', 'ROWS', 'MIGRATIONS'],
        ...rows.map((r) => [
          r.name + (r.valid ? '' : ' (damaged)'),
          r.created || r.kind,
          formatBytes(r.size),
          String(r.tables ?? '-'),
          r.rows === null ? '-' : r.rows.toLocaleString('en-US'),
          // The hash of the migration and seed files it was dumped after: `_init` is current when it is the checkout's.
          r.migrationHash ? `${r.migrationHash.slice(0, 12)}${r.current ? ' (current)' : ''}` : '-',
        ]),
      ];
      const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
      print(
        rows.length
          ? table.map((r) =>
              r
                .map((c, i) => c.padEnd(widths[i]))
                .join('  ')
                .trimEnd(),
            )
          : [`No backups in ${ctx.store.root}.`],
        rows,
      );
      return ExitCode.ok;
    }
    case 'verify': {
      if (positionals.length > 1) throw new UsageError('verify takes one backup name.');
      const name = nameOf(positionals[0] ?? str(v, 'name'), true)!;
      const ctx = await buildContext(v, env);
      const r = await verifyCommand(ctx, name);
      if (r.problems.length) {
        print(
          r.problems.map((p) => `✗ ${p.path}: ${p.problem}`),
          { name, ok: false, ...r },
        );
        throw integrityError(name, r);
      }
      print([`✓ ${name}: ${r.files} files, ${formatBytes(r.bytes)} verified.`], { name, ok: true, ...r });
      return ExitCode.ok;
    }
    case 'initialize':
    case 'seed': {
      const ctx = await buildContext(v, env);
      const options = resolveInitializeOptions({
        flags: { clean: v.clean as boolean | undefined, load: str(v, 'load'), skipSeed: v['skip-seed'] as boolean | undefined, skipIndex: v['skip-index'] as boolean | undefined },
        // seed only honours INIT_SKIP_INDEX; the other INIT_* variables mean nothing to it.
        env: command === 'seed' ? { INIT_SKIP_INDEX: env.INIT_SKIP_INDEX } : env,
      });
      if (str(v, 'services')) await startServices(ctx, v, !options.skipIndex && (ctx.config.index.definitions.length > 0 || Boolean(ctx.hooks.index)));
      // The plan is shown before anything runs, so a user sees what is about to happen.
      const onPlan = (plan: Plan) => ctx.reporter.info(`Plan:\n  ${describePlan(plan).join('\n  ')}`);
      const r = command === 'seed' ? await seedCommand(ctx, { skipIndex: options.skipIndex }, { onPlan }) : await initialize(ctx, options, { onPlan });
      print(summaryLines(r), { ok: !r.error, steps: r.steps, loaded: r.loaded ?? null, seeded: r.seeded, indexed: r.indexed, durationMs: r.durationMs });
      if (r.error) throw r.error;
      return ExitCode.ok;
    }
    case 'reset': {
      const ctx = await buildContext(v, env);
      const target = requireTarget(ctx);
      if (!v.yes) {
        if (!process.stdin.isTTY)
          throw new UsageError(`reset drops the database "${target.database}" and the project's search indices; pass --yes to confirm when not on a terminal.`);
        if (!(await confirm(`Drop the database "${target.database}" at ${maskUrl(ctx.databaseUrl!)} and the project's search indices?`))) {
          process.stderr.write('Nothing was changed.\n');
          return ExitCode.failure;
        }
      }
      const r = await reset(ctx, { skipIndex: Boolean(v['skip-index']) });
      print(
        [
          r.database ? `Dropped database "${r.database}".` : `Database "${target.database}" did not exist.`,
          r.indices.length ? `Removed indices: ${r.indices.join(', ')}.` : 'No search indices to remove.',
        ],
        r,
      );
      return ExitCode.ok;
    }
    case 'up': {
      const ctx = await buildContext(v, env);
      const given = Boolean(ctx.databaseUrl);
      const s = await startServices(ctx, v, !v['skip-index']);
      // The password is never printed in a URL; say where it comes from instead.
      const password = given
        ? 'the password is the one in your database URL'
        : `the password is the built-in development one, ${DEV_PASSWORD}; choose your own with --database-url`;
      print([`MySQL:         ${maskUrl(s.databaseUrl)}  (${password})`, ...(s.elasticsearchUrl ? [`Elasticsearch: ${maskUrl(s.elasticsearchUrl)}`] : [])], {
        databaseUrl: maskUrl(s.databaseUrl),
        elasticsearchUrl: s.elasticsearchUrl ? maskUrl(s.elasticsearchUrl) : null,
      });
      return ExitCode.ok;
    }
    case 'down': {
      const ctx = await buildContext(v, env);
      const { provider, stopped } = await servicesDown(ctx, str(v, 'services') ?? 'local');
      const line = stopped.length
        ? `Stopped ${stopped.join(' and ')}; ${stopped.length > 1 ? 'their' : 'its'} data is kept.`
        : provider === 'external'
          ? 'External services are not managed by olympia-data; nothing was stopped.'
          : `No ${provider} services were running; nothing was stopped.`;
      print([line], { ok: true, stopped });
      return ExitCode.ok;
    }
  }
  throw new UsageError(`Unknown command "${command}".`);
}

export async function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await run(argv, env);
  } catch (e) {
    const err = e instanceof OlympiaError ? e : undefined;
    process.stderr.write(`error: ${err ? err.message : errorMessage(e)}\n`);
    if (err?.hint) process.stderr.write(`hint: ${err.hint}\n`);
    if (!err && env.OLYMPIA_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return err?.exitCode ?? ExitCode.failure;
  }
}

// Dump worker threads load this same bundle for their own code (src/dump/dump-thread.ts): the CLI
// itself runs only on the main thread.
if (isMainThread) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\ninterrupted (${signal}); a partial backup or staged load is never left under a real name.\n`);
      process.exit(130);
    });
  }

  main().then((code) => {
    process.exitCode = code;
  });
}
