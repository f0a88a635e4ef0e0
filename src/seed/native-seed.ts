// Native seed: runs the project's SQL seed files, in the configured order, statement by statement.
// Files are streamed through the splitter, so a large seed (or a SQL dump used as one) is never held whole.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { NotFoundError, OlympiaError, errorMessage } from '../core/errors.js';
import { expandGlobs } from '../core/glob.js';
import { silentReporter, type Reporter } from '../core/reporter.js';
import { projectPath } from '../core/config.js';
import { firstLine, splitSqlStream } from '../mysql/sql-splitter.js';

export interface SeedResult {
  /** Number of files run. */
  files: number;
  /** Number of statements executed, over all files. */
  statements: number;
  durationMs: number;
  /** The files run, relative to the project directory, in order. */
  paths: string[];
}

const GLOB_META = /[*?[\]{}]/;

/**
 * The seed files named by `patterns` (paths or globs relative to the project dir), in the configured
 * order; a glob's matches come sorted by name. A pattern matching nothing is an error: a seed that
 * silently runs fewer files would give a different `_init`.
 */
export async function resolveSeedFiles(projectDir: string, patterns: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const pattern of patterns) {
    let paths: string[];
    if (GLOB_META.test(pattern)) {
      paths = (await expandGlobs(projectDir, [pattern])).map((p) => projectPath({ projectDir }, p));
      if (paths.length === 0) throw new NotFoundError(`The seed pattern ${JSON.stringify(pattern)} matches no files in ${projectDir}.`, 'Fix "seed.files" in olympia-data.json.');
    } else {
      const path = projectPath({ projectDir }, pattern);
      const s = await stat(path).catch(() => undefined);
      if (!s?.isFile()) throw new NotFoundError(`The seed file ${path} does not exist.`, 'Fix "seed.files" in olympia-data.json.');
      paths = [path];
    }
    for (const p of paths) {
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(p);
    }
  }
  return out;
}

export interface NativeSeedOptions {
  projectDir: string;
  /** Paths or globs relative to projectDir (config `seed.files`). */
  files: readonly string[];
  reporter?: Reporter;
}

/** Runs every statement of the seed files on `conn`; throws an OlympiaError naming the file and statement. */
export async function runNativeSeed(conn: Connection, options: NativeSeedOptions): Promise<SeedResult> {
  const reporter = options.reporter ?? silentReporter;
  const started = Date.now();
  const paths = await resolveSeedFiles(options.projectDir, options.files);
  if (paths.length === 0) throw new NotFoundError('No seed files are configured.', 'List them in "seed.files" in olympia-data.json, or configure a seed command.');
  let statements = 0;
  const shown: string[] = [];
  for (const path of paths) {
    const name = relative(options.projectDir, path) || path;
    shown.push(name);
    const fileStarted = Date.now();
    let n = 0;
    let failure: OlympiaError | undefined;
    try {
      for await (const stmt of splitSqlStream(createReadStream(path))) {
        n++;
        try {
          await conn.query(stmt);
        } catch (e) {
          failure = new OlympiaError(`Seed file ${name} failed at statement ${n} (${firstLine(stmt)}): ${errorMessage(e)}`, {
            hint: 'Fix the seed file and run the seed again (it starts from an empty database).',
            cause: e,
          });
          break;
        }
      }
    } catch (e) {
      // Reading or splitting the file failed (e.g. an unterminated string at its end).
      throw new OlympiaError(`Seed file ${name} cannot be read as SQL: ${errorMessage(e)}`, { cause: e });
    }
    if (failure) throw failure;
    statements += n;
    reporter.info(`Seeded from ${name}: ${n} statement${n === 1 ? '' : 's'} in ${((Date.now() - fileStarted) / 1000).toFixed(1)} s`);
  }
  return { files: paths.length, statements, durationMs: Date.now() - started, paths: shown };
}
