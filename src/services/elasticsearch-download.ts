// Fetches Elasticsearch's integ-test-zip distribution from Maven Central with `mvn` and unpacks it once
// into a cache directory. The integ-test-zip is the smallest distribution (core modules only, no bundled
// JDK), which is all a test or development node needs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OlympiaError, UsageError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';

export const DEFAULT_ES_VERSION = '7.17.25';

/** Patch releases we have run; a bare `major.minor` resolves to one of these. */
const KNOWN_PATCHES: Record<string, string> = { '7.17': '7.17.25', '8.15': '8.15.3' };

/** `7.17` → `7.17.25`; a full `x.y.z` passes through; anything else is a usage error. */
export function resolveEsVersion(version: string | undefined): string {
  const v = (version ?? DEFAULT_ES_VERSION).trim();
  if (/^\d+\.\d+\.\d+$/.test(v)) return v;
  const known = KNOWN_PATCHES[v];
  if (known) return known;
  throw new UsageError(
    `Elasticsearch version ${JSON.stringify(v)} is not a full version number.`,
    `Give major.minor.patch, e.g. ${DEFAULT_ES_VERSION} or 8.15.3 (shorthands: ${Object.keys(KNOWN_PATCHES).join(', ')}).`,
  );
}

export function mavenArtifact(version: string): string {
  return `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip`;
}

/** Where the unpacked distribution of `version` lives under the cache dir. */
export function distributionHome(cacheDir: string, version: string): string {
  return join(cacheDir, version, 'home');
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

async function fetchZip(version: string, downloads: string, reporter?: Reporter): Promise<string> {
  const zip = join(downloads, `elasticsearch-${version}.zip`);
  if (existsSync(zip)) return zip;
  await mkdir(downloads, { recursive: true });
  reporter?.info(`Fetching Elasticsearch ${version} (${mavenArtifact(version)}) with mvn…`);
  const args = ['-B', '-q', 'dependency:copy', `-Dartifact=${mavenArtifact(version)}`, `-DoutputDirectory=${downloads}`];
  let result: { code: number; output: string };
  try {
    result = await run('mvn', args, downloads);
  } catch (e) {
    throw new OlympiaError(`Cannot run mvn to fetch Elasticsearch ${version}: ${(e as Error).message}`, {
      hint: 'Install Maven (apt-get install maven) or point the tool at a running Elasticsearch with --elasticsearch-url.',
    });
  }
  if (result.code !== 0 || !existsSync(zip)) {
    throw new OlympiaError(`mvn could not fetch ${mavenArtifact(version)} (exit code ${result.code}):\n${lastLines(result.output, 15)}`, {
      hint: 'Check the version exists on Maven Central and that Maven can reach it (proxy settings in ~/.m2/settings.xml).',
    });
  }
  return zip;
}

/**
 * Returns the ES home of `version`, fetching and unpacking it when it is not cached yet. Unpacks into a
 * temporary sibling and renames it into place, so a crash never leaves a half distribution behind.
 */
export async function ensureDistribution(opts: { version: string; cacheDir: string; reporter?: Reporter }): Promise<string> {
  const home = distributionHome(opts.cacheDir, opts.version);
  if (existsSync(join(home, 'bin', 'elasticsearch'))) return home;
  const zip = await fetchZip(opts.version, join(opts.cacheDir, 'downloads'), opts.reporter);
  const staging = join(opts.cacheDir, opts.version, `.unpack-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  opts.reporter?.info(`Unpacking Elasticsearch ${opts.version} into ${home}…`);
  const unzip = await run('unzip', ['-q', zip, '-d', staging], staging).catch((e: Error) => ({ code: 1, output: e.message }));
  if (unzip.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    // A truncated download is the likely cause when unzip exists: fetch it again next time.
    if (!/ENOENT/.test(unzip.output)) await rm(zip, { force: true });
    throw new OlympiaError(`Cannot unpack ${zip}: ${lastLines(unzip.output, 5)}`, {
      hint: 'Install unzip if it is missing; a damaged download was removed and is fetched again on the next run.',
    });
  }
  const [top] = await readdir(staging);
  const unpacked = join(staging, top ?? '');
  // Zip entries do not always carry the executable bit.
  for (const f of await readdir(join(unpacked, 'bin'))) await chmod(join(unpacked, 'bin', f), 0o755);
  await rm(home, { recursive: true, force: true });
  await rename(unpacked, home);
  await rm(staging, { recursive: true, force: true });
  return home;
}
