// Flags of `npm run bench`, parsed without side effects so they can be unit-tested.
import { UsageError } from '../src/core/errors.js';

export const TOOLS = ['ours', 'mysqldump', 'mydumper'] as const;
export type Tool = (typeof TOOLS)[number];

/** `catalogue`: a few big tables (sized by --scale); `init`: a seeded _init's hundreds of small tables (sized by --fill). */
export const SHAPES = ['catalogue', 'init'] as const;
export type Shape = (typeof SHAPES)[number];

export interface BenchArgs {
  shape: Shape;
  /** For the init shape: how many times its base row counts (about 66k rows in all). */
  fill: number;
  /** `off`: the server runs with local_infile = 0 during the run (as stock mysql:8.0), restored after. */
  localInfile: 'server' | 'off';
  /** Target on-disk size of the source catalogue (InnoDB data + indexes), in MB (10^6 bytes). */
  scaleMb: number;
  jobs: number;
  only: Tool[];
  repeat: number;
  keep: boolean;
  fresh: boolean;
  json?: string;
  /** Also compare CHECKSUM TABLE of every loaded table with the source (slower, stricter). */
  checksum: boolean;
  /** Run our engine through tsx instead of the ncc bundle we ship. */
  tsx: boolean;
  /** The Node.js binary that runs our engine (the peers are native); this process's own by default. */
  node?: string;
  /** Write V8 CPU profiles of our dump and load into this directory. */
  cpuProf?: string;
  /** mydumper --rows: split tables into chunks of this many rows (0: one file per table). */
  mydumperRows: number;
  /** Our dump waits for every file to reach the disk (dump --sync); the peers never do. */
  sync: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Builds (or reuses) a synthetic add-ons catalogue and times, on the same data and with the same
thread count, our dump/load against mysqldump | mysql and mydumper/myloader.

Options:
  --shape catalogue|init   catalogue: a few big tables (--scale); init: a seeded
                           _init's 300 tables, most small or empty (--fill)     [catalogue]
  --scale 100mb|1gb|<N>mb  size of the catalogue (InnoDB data + indexes)        [100mb]
  --fill N                 init shape: N times its ~66k rows                    [1]
  --local-infile off       run with the server's local_infile off (as stock mysql:8.0),
                           restored afterwards; the user needs SUPER            [server's]
  --jobs N                 threads / connections for every parallel tool       [CPUs]
  --only LIST              tools to run, comma-separated: ours,mysqldump,mydumper [all]
  --repeat N               runs per tool; the median is reported               [1]
  --keep                   keep the dump files and loaded databases of the last run
  --fresh                  drop the cached catalogue and generate it again
  --checksum               also compare CHECKSUM TABLE of loaded tables with the source
  --json FILE              write the figures as JSON
  --mydumper-rows N        mydumper --rows chunk size (0: one file per table)   [100000]
  --sync                   our dump syncs every file to disk (dump --sync); by default, like
                           mysqldump and mydumper, it leaves that to the kernel
  --tsx                    run our engine through tsx instead of an ncc bundle
  --node PATH              the node binary that runs our engine, e.g. the Node 24 the
                           action and the container image run                  [this one]
  --cpu-prof DIR           write V8 CPU profiles of our dump and load into DIR
  --help                   this text

The database server is the test MariaDB (127.0.0.1:33306, started if needed), or the server in
OLYMPIA_TEST_DATABASE_URL (a URL without a database; the user must be able to create databases).`;

export function parseScale(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(mb|gb)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--scale ${JSON.stringify(text)} is not a size.`, 'Use 100mb, 1gb or <N>mb, e.g. --scale 250mb.');
  const mb = Number(m[1]) * (m[2].toLowerCase() === 'gb' ? 1000 : 1);
  if (mb < 5 || mb > 100_000) throw new UsageError(`--scale ${text} is out of range.`, 'Choose between 5mb and 100gb.');
  return Math.round(mb);
}

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${flag} needs a whole number${min > 0 ? ` of at least ${min}` : ''}, got ${JSON.stringify(value ?? '')}.`);
  }
  return Number(value);
}

export function parseBenchArgs(argv: string[], cpus: number): BenchArgs {
  const args: BenchArgs = {
    shape: 'catalogue',
    fill: 1,
    localInfile: 'server',
    scaleMb: 100,
    jobs: Math.max(1, cpus),
    only: [...TOOLS],
    repeat: 1,
    keep: false,
    fresh: false,
    checksum: false,
    tsx: false,
    mydumperRows: 100_000,
    sync: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] =
      argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`, USAGE.split('\n')[0]);
      return v;
    };
    switch (flag) {
      case '--shape': {
        const shape = value();
        if (!(SHAPES as readonly string[]).includes(shape)) throw new UsageError(`--shape: unknown shape ${JSON.stringify(shape)}.`, `Choose from ${SHAPES.join(', ')}.`);
        args.shape = shape as Shape;
        break;
      }
      case '--fill':
        args.fill = positiveInt('--fill', value());
        if (args.fill > 1000) throw new UsageError(`--fill ${args.fill} is out of range.`, 'Choose between 1 and 1000.');
        break;
      case '--local-infile': {
        const v = value();
        if (v !== 'off') throw new UsageError(`--local-infile takes only "off", got ${JSON.stringify(v)}.`, 'Without the flag the server keeps its own setting.');
        args.localInfile = 'off';
        break;
      }
      case '--scale':
        args.scaleMb = parseScale(value());
        break;
      case '--jobs':
        args.jobs = positiveInt('--jobs', value());
        break;
      case '--repeat':
        args.repeat = positiveInt('--repeat', value());
        break;
      case '--mydumper-rows':
        args.mydumperRows = positiveInt('--mydumper-rows', value(), 0);
        break;
      case '--only': {
        const list = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = list.filter((t) => !(TOOLS as readonly string[]).includes(t));
        if (bad.length || list.length === 0) throw new UsageError(`--only: unknown tool ${JSON.stringify(bad[0] ?? '')}.`, `Choose from ${TOOLS.join(', ')}.`);
        args.only = TOOLS.filter((t) => list.includes(t));
        break;
      }
      case '--json':
        args.json = value();
        break;
      case '--cpu-prof':
        args.cpuProf = value();
        break;
      case '--node':
        args.node = value();
        break;
      case '--keep':
      case '--fresh':
      case '--checksum':
      case '--tsx':
      case '--sync':
      case '--help':
        if (inline !== undefined) throw new UsageError(`${flag} takes no value.`);
        args[flag.slice(2) as 'keep' | 'fresh' | 'checksum' | 'tsx' | 'sync' | 'help'] = true;
        break;
      case '-h':
        args.help = true;
        break;
      default:
        throw new UsageError(`Unknown option ${JSON.stringify(argv[i])}.`, 'Run `npm run bench -- --help` for the options.');
    }
  }
  return args;
}
