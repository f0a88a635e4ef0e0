// Runs one tool as a child process and measures what every tool is measured by: wall time and the
// peak resident memory (RSS high-water mark) of its process tree's largest process. Uses GNU time
// (`/usr/bin/time -v`) when installed, else polls the child's /proc/<pid>/status VmHWM.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface RunSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** A file to feed on stdin (e.g. `mysql < dump.sql`). */
  stdinFile?: string;
  /** A file to write stdout into (e.g. `mysqldump > dump.sql`); otherwise stdout is captured. */
  stdoutFile?: string;
}

export interface Measured {
  wallMs: number;
  /** Peak RSS in bytes, or null when it could not be read. */
  peakRss: number | null;
  /** User + system CPU seconds of the tool's processes (not the server's), null without GNU time. */
  cpuS: number | null;
  /**
   * CPU seconds the hypervisor gave to other guests while this ran (all of this machine's CPUs), or
   * null without /proc/stat. On a shared VM it is what makes one run slower than the next.
   */
  stealS: number | null;
  /** Voluntary context switches of the tool's processes (each a wait for the server or the disk), null without GNU time. */
  switches: number | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last few KB of stderr, for error messages. */
  stderr: string;
}

/** Reads "Maximum resident set size (kbytes): N" from `time -v` output; bytes or null. */
export function parseGnuTimeMaxRss(text: string): number | null {
  const m = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** Reads user + system CPU seconds from `time -v` output, or null. */
export function parseGnuTimeCpu(text: string): number | null {
  const user = /User time \(seconds\):\s*([\d.]+)/.exec(text);
  const sys = /System time \(seconds\):\s*([\d.]+)/.exec(text);
  return user && sys ? Number(user[1]) + Number(sys[1]) : null;
}

/** Reads "Voluntary context switches: N" from `time -v` output, or null. */
export function parseGnuTimeSwitches(text: string): number | null {
  const m = /Voluntary context switches:\s*(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/** Reads the steal time of the "cpu" line of /proc/stat text (8th value, in 1/100 s), in seconds, or null. */
export function parseProcStatSteal(text: string): number | null {
  const m = /^cpu\s+((?:\d+\s+){7}\d+)/m.exec(text);
  return m ? Number(m[1].trim().split(/\s+/)[7]) / 100 : null;
}

async function stealNow(): Promise<number | null> {
  return parseProcStatSteal(await readFile('/proc/stat', 'utf8').catch(() => ''));
}

/** Reads VmHWM from /proc/<pid>/status text; bytes or null. */
export function parseVmHwm(status: string): number | null {
  const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

const STDERR_TAIL = 8192;

export async function runMeasured(spec: RunSpec): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const statsFile = join(tmpdir(), `bench-time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const [command, args] = useTime ? [GNU_TIME, ['-v', '-o', statsFile, spec.command, ...spec.args]] : [spec.command, spec.args];
  const stdinFd = spec.stdinFile ? openSync(spec.stdinFile, 'r') : undefined;
  const stdoutFd = spec.stdoutFile ? openSync(spec.stdoutFile, 'w') : undefined;
  const stealBefore = await stealNow();
  const started = performance.now();
  const child = spawn(command, args, { env: spec.env ?? process.env, stdio: [stdinFd ?? 'ignore', stdoutFd ?? 'pipe', 'pipe'] });
  if (stdinFd !== undefined) closeSync(stdinFd);
  if (stdoutFd !== undefined) closeSync(stdoutFd);

  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_TAIL);
  });

  // Without GNU time, sample the high-water mark until the process is gone (it only grows, so the
  // last sample misses at most the final interval).
  let polledHwm = null as number | null;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (s) => (polledHwm = Math.max(polledHwm ?? 0, parseVmHwm(s) ?? 0)),
          () => undefined,
        );
      }, 50);

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallMs = performance.now() - started;
  const stealAfter = await stealNow();
  if (poll) clearInterval(poll);
  const stealS = stealBefore !== null && stealAfter !== null ? Math.max(0, stealAfter - stealBefore) : null;

  let peakRss = polledHwm;
  let cpuS: number | null = null;
  let switches: number | null = null;
  if (useTime) {
    const text = await readFile(statsFile, 'utf8').catch(() => '');
    peakRss = parseGnuTimeMaxRss(text);
    cpuS = parseGnuTimeCpu(text);
    switches = parseGnuTimeSwitches(text);
    await rm(statsFile, { force: true });
  }
  return { wallMs, peakRss, cpuS, stealS, switches, exitCode: code, signal, stdout, stderr };
}
