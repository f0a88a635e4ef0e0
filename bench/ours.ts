// One dump or one load with our engine, as its own process so the benchmark can read its peak
// memory the way it reads the peers'. The database URL comes from BENCH_DATABASE_URL (never argv,
// where `ps` would show the password). Prints one JSON line with the engine's result.
//   node bench/ours.ts dump|load --backup-dir DIR --name NAME --jobs N [--sync]
// First, as in the CLI: a dump's threads boot while the rest loads.
import '../src/cli/prestart.js';
import { isMainThread } from 'node:worker_threads';
import { BackupStore } from '../src/backup/store.js';
import { dump } from '../src/dump/dump-database.js';
import { load } from '../src/load/load-backup.js';
import { parseBackupName } from '../src/core/backup-name.js';
import { OlympiaError } from '../src/core/errors.js';
import { silentReporter } from '../src/core/reporter.js';
import { parseDatabaseUrl } from '../src/core/connection-url.js';

function flag(argv: string[], name: string): string {
  const i = argv.indexOf(name);
  if (i < 0 || argv[i + 1] === undefined) throw new Error(`missing ${name}`);
  return argv[i + 1];
}

async function main(argv: string[]): Promise<void> {
  const [mode] = argv;
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set');
  const target = parseDatabaseUrl(url);
  const store = new BackupStore(flag(argv, '--backup-dir'));
  const name = parseBackupName(flag(argv, '--name'));
  const jobs = Number(flag(argv, '--jobs'));
  if (mode === 'dump') {
    const r = await dump({ target, store, name, force: true, jobs, sync: argv.includes('--sync') ? 'always' : 'auto', reporter: silentReporter });
    process.stdout.write(JSON.stringify({ rows: r.rows, bytes: r.bytes, tables: r.tables, durationMs: r.durationMs }) + '\n');
  } else if (mode === 'load') {
    const r = await load({ target, store, name, jobs, reporter: silentReporter });
    process.stdout.write(JSON.stringify({ rows: r.rows, bytes: r.bytes, tables: r.tables, durationMs: r.durationMs }) + '\n');
  } else {
    throw new Error(`unknown mode ${JSON.stringify(mode)}; use dump or load`);
  }
}

// Dump worker threads load this same bundle for their own code (src/dump/dump-thread.ts).
if (isMainThread)
  main(process.argv.slice(2)).catch((e: unknown) => {
    const err = e as Error;
    const hint = e instanceof OlympiaError && e.hint ? `\n${e.hint}` : '';
    const url = process.env.BENCH_DATABASE_URL ?? '';
    const pw = url ? parseDatabaseUrl(url).password : '';
    process.stderr.write(`${err.message}${hint}\n`.split(pw || '\u0000').join('***'));
    process.exit(1);
  });
