// Command-line parsing: pure, from argv to a command and its options.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
  'database-url': { type: 'string' },
  'elasticsearch-url': { type: 'string' },
  'backup-dir': { type: 'string' },
  'storage-dir': { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'lock-timeout': { type: 'string' },
  'enable-local-infile': { type: 'boolean' },
};

const HOOKS: Options = {
  'migrate-command': { type: 'string' },
  'seed-command': { type: 'string' },
  'index-command': { type: 'string' },
};

const SERVICES: Options = {
  services: { type: 'string' },
  'mysql-image': { type: 'string' },
  'elasticsearch-image': { type: 'string' },
  'elasticsearch-version': { type: 'string' },
};

const HOOKS_HELP = '--migrate-command, --seed-command, --index-command CMD   project hooks (override olympia-data.json)';
const IMAGES_HELP = ['--mysql-image, --elasticsearch-image I   images for the docker provider', '--elasticsearch-version V   version for the local provider (default 7.17)'];

export interface CommandSpec {
  summary: string;
  usage: string;
  options: Options;
  /** Lines describing the command's own flags. */
  help: string[];
}

export const COMMANDS: Record<string, CommandSpec> = {
  initialize: {
    summary: 'Create, migrate and fill the database (load _init or seed), then build the search index.',
    usage: 'olympia-data initialize [--clean] [--load NAME] [--skip-seed] [--skip-index]',
    options: { ...HOOKS, ...SERVICES, clean: { type: 'boolean' }, load: { type: 'string' }, 'skip-seed': { type: 'boolean' }, 'skip-index': { type: 'boolean' } },
    help: [
      "--clean            drop and recreate the database and the project's indices first (INIT_CLEAN)",
      '--load NAME        load this backup instead of _init (INIT_LOAD)',
      '--skip-seed        when _init is missing, only migrate; do not seed (INIT_SKIP_SEED)',
      '--skip-index       do not touch Elasticsearch (INIT_SKIP_INDEX)',
      HOOKS_HELP,
      '--services P       start the services first: local (installed binaries), docker, or external (only wait)',
      ...IMAGES_HELP,
    ],
  },
  seed: {
    summary: 'Flush the database, remove _init, migrate, run the seed and dump it as _init.',
    usage: 'olympia-data seed [--skip-index]',
    options: { ...HOOKS, ...SERVICES, 'skip-index': { type: 'boolean' } },
    help: [
      '--skip-index       do not rebuild the search index afterwards',
      HOOKS_HELP,
      '--services P       start the services first: local, docker, or external (only wait)',
      ...IMAGES_HELP,
    ],
  },
  dump: {
    summary: 'Write a consistent backup of the database and the storage directory.',
    usage: 'olympia-data dump [--name NAME] [--force] [--sync | --no-sync]',
    options: {
      name: { type: 'string', short: 'n' },
      force: { type: 'boolean', short: 'f' },
      'chunk-size': { type: 'string' },
      sync: { type: 'boolean' },
      'no-sync': { type: 'boolean' },
    },
    help: [
      '--name NAME        backup name (default: a UTC timestamp such as 20260131T120000Z)',
      '--force            replace an existing backup of that name (only once the new one is complete)',
      '--sync             wait until every file is on disk (fsync) before finishing, so the backup',
      '                   survives a power loss right after it; by default only a dump that replaces',
      '                   a backup (--force) does, as the old one is deleted',
      '--no-sync          never wait for the disk, not even when replacing a backup',
      '--chunk-size SIZE  table data per file, e.g. 64MB (default), 512KB, 1GB: big tables are read in',
      '                   chunks of about this size over the --jobs connections, and a database',
      '                   under one chunk over a single connection',
    ],
  },
  load: {
    summary: 'Verify a backup and load it, replacing the database tables in one atomic swap, then rebuild the search index.',
    usage: 'olympia-data load --name NAME [--skip-index]',
    options: { ...HOOKS, name: { type: 'string', short: 'n' }, 'skip-index': { type: 'boolean' } },
    help: [
      '--name NAME        the backup to load (an olympia-data backup, or an addons-server db.sql + storage.tar directory)',
      '--skip-index       do not rebuild the search index from the loaded data (the next initialize will)',
      HOOKS_HELP,
    ],
  },
  reindex: {
    summary: 'Rebuild the search index from the database as it is.',
    usage: 'olympia-data reindex',
    options: { ...HOOKS },
    help: [HOOKS_HELP],
  },
  list: {
    summary: 'List the backups in the backup directory.',
    usage: 'olympia-data list',
    options: {},
    help: [],
  },
  verify: {
    summary: 'Check every file of a backup against its manifest (exit 4 on any mismatch).',
    usage: 'olympia-data verify NAME',
    options: { name: { type: 'string', short: 'n' } },
    help: ['NAME               the backup to verify (or --name NAME)'],
  },
  reset: {
    summary: "Drop the database and the project's search indices.",
    usage: 'olympia-data reset [--yes]',
    options: { yes: { type: 'boolean', short: 'y' }, 'skip-index': { type: 'boolean' }, ...SERVICES },
    help: [
      '--yes              do not ask for confirmation (needed when not on a terminal)',
      '--skip-index       leave Elasticsearch alone',
      '--services P       the provider that runs the services',
      ...IMAGES_HELP,
    ],
  },
  up: {
    summary: 'Start MySQL and Elasticsearch (local binaries, Docker containers, or wait for external ones).',
    usage: 'olympia-data up [--services local|docker|external] [--skip-index]',
    options: { ...SERVICES, 'skip-index': { type: 'boolean' } },
    help: [
      '--services P       local (default here: installed binaries), docker, or external (only wait)',
      '--skip-index       MySQL only: no Elasticsearch',
      '--database-url URL the port, database, user and password the services get (local default:',
      '                   mysql://olympia:olympia-dev-pw@127.0.0.1:3306/olympia)',
      ...IMAGES_HELP,
    ],
  },
  down: {
    summary: 'Stop the services `up` started (data is kept).',
    usage: 'olympia-data down [--services local|docker]',
    options: { ...SERVICES },
    help: ['--services P       the provider that started them', ...IMAGES_HELP],
  },
};

export interface ParsedCommand {
  command: string;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandLine(argv: string[]): ParsedCommand | { command: 'help'; topic?: string; missing?: true } | { command: 'version' } {
  const [command, ...rest] = argv;
  // No command at all is a usage error (exit 2) that shows the help; asking for help is not.
  if (!command) return { command: 'help', topic: undefined, missing: true };
  if (command === 'help' || command === '--help' || command === '-h') return { command: 'help', topic: rest[0] };
  if (command === '--version' || command === '-V' || command === 'version') return { command: 'version' };
  const spec = COMMANDS[command];
  if (!spec) {
    throw new UsageError(`Unknown command "${command}".`, `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`olympia-data --help\`.`);
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...COMMON, ...spec.options }, allowPositionals: command === 'verify', strict: true });
    return { command, values: values as ParsedCommand['values'], positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(`${command}: ${msg}`, `Run \`olympia-data ${command} --help\` for its options.`);
  }
}

export function commandHelp(command: string): string {
  const spec = COMMANDS[command];
  return [
    `Usage: ${spec.usage} [options]`,
    '',
    spec.summary,
    '',
    ...(spec.help.length ? ['Options:', ...spec.help.map((l) => `  ${l}`), ''] : []),
    'Common options:',
    '  -c, --config FILE      project config (default: ./olympia-data.json if present)',
    '  --database-url URL     mysql://user:password@host:3306/db (or DATABASE_URL)',
    '  --elasticsearch-url U  http://host:9200 (or ELASTICSEARCH_URL)',
    '  --backup-dir DIR       where backups live (default: backups)',
    '  --storage-dir DIR      uploaded files directory backed up with the database',
    '  -j, --jobs N           parallel connections (default: number of CPUs)',
    '  --lock-timeout S       seconds to wait for another run holding the database (default 600)',
    "  --enable-local-infile  a load may turn the server's local_infile on, and off after",
    '                         (needs SUPER; for a throwaway CI server; OLYMPIA_ENABLE_LOCAL_INFILE=1)',
    '  --json                 print the result as JSON on stdout',
    '  -q, --quiet            only errors',
    '  -h, --help             this help',
  ].join('\n');
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: olympia-data <command> [options]',
    '',
    'The data lifecycle of a MySQL + Elasticsearch application: services, initialize, seed, backups.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`),
    '',
    "Run `olympia-data <command> --help` for a command's options.",
    '',
    'Exit codes: 0 ok, 1 failure, 2 bad usage, 3 not found, 4 integrity check failed,',
    '            5 cannot connect, 6 locked by another run, 7 a project hook failed, 130 interrupted.',
  ].join('\n');
}

export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UsageError(`${flag} must be a positive whole number, not ${JSON.stringify(value)}.`);
  return Number(value);
}

const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KB: 1 << 10, MB: 1 << 20, GB: 1 << 30 };

/** A size such as `64MB`, `512KB`, `1GB` or a byte count (units are binary: 1MB = 1,048,576 bytes). */
export function parseSize(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]?B?)\s*$/i.exec(value);
  const bytes = m ? Math.round(Number(m[1]) * SIZE_UNITS[m[2].toUpperCase().replace(/^([KMG])$/, '$1B')]) : NaN;
  if (!(bytes >= 1)) throw new UsageError(`${flag} must be a size such as 64MB, 512KB or 1GB, not ${JSON.stringify(value)}.`);
  return bytes;
}

/**
 * The jobs of a `dump` command line the parser accepts (`cpus` by default), for the threads started
 * before the CLI has loaded (cli/prestart.ts); 0 for anything else, including `dump --help`, since the
 * parse error or help comes next anyway.
 */
export function dumpJobsToPrestart(argv: string[], cpus: number): number {
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.command !== 'dump' || !('values' in parsed) || parsed.values.help) return 0;
    return parsePositiveInt(parsed.values.jobs as string | undefined, '--jobs') ?? cpus;
  } catch {
    return 0;
  }
}
