// Pure: turns measured runs into the figures, the ratios against the targets, and the printed table.
import type { Tool } from './args.js';

export type Phase = 'dump' | 'load';

export interface Run {
  wallMs: number;
  /** Peak RSS in bytes, null when unknown. */
  peakRss: number | null;
  /** CPU seconds the tool itself used (user + system), null when unknown. */
  cpuS?: number | null;
  /** CPU seconds stolen by the hypervisor during the run (see measure.ts), null when unknown. */
  stealS?: number | null;
  /** Ours only: the engine's own time, from its first connection to its result (the process's start and exit excluded). */
  engineMs?: number | null;
}

export interface PhaseResult {
  tool: Tool;
  phase: Phase;
  /** What ran, password masked. */
  command: string;
  runs: Run[];
  /** Bytes the dump wrote (dump phase only). */
  outputBytes?: number;
  /** Problems found by the row-count check after a load; empty when it passed. */
  checkProblems?: string[];
  /** Set when the phase could not run or failed: the reason. */
  failed?: string;
}

export interface Figures {
  tool: Tool;
  phase: Phase;
  program: string;
  runs: number;
  medianMs: number | null;
  bestMs: number | null;
  worstMs: number | null;
  /** Wall time of each successful run, in the order they ran. */
  runsMs: number[];
  mbPerS: number | null;
  rowsPerS: number | null;
  peakRssMb: number | null;
  /** Median CPU seconds of the tool's own processes: what it costs the client, whatever the machine's load. */
  cpuS: number | null;
  /** Median CPU steal during the runs: when it differs between tools, so do their conditions. */
  stealS: number | null;
  outputMb: number | null;
  verified: boolean | null;
  /** Ours only: median of the engine's own time (Run.engineMs). */
  engineMedianMs: number | null;
  failed?: string;
}

export const PROGRAMS: Record<Tool, Record<Phase, string>> = {
  ours: { dump: 'olympia-data dump', load: 'olympia-data load' },
  mysqldump: { dump: 'mysqldump', load: 'mysql < dump.sql' },
  mydumper: { dump: 'mydumper', load: 'myloader' },
};

export const MEMORY_TARGET_MB = 300;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** MB/s and rows/s are over the *source* catalogue (InnoDB data + index bytes, exact rows) for every tool. */
export function figures(r: PhaseResult, source: { bytes: number; rows: number }): Figures {
  const ok = !r.failed && (r.checkProblems === undefined || r.checkProblems.length === 0);
  const times = ok ? r.runs.map((x) => x.wallMs) : [];
  const med = median(times);
  const rss = r.runs.map((x) => x.peakRss).filter((x): x is number => x !== null);
  return {
    tool: r.tool,
    phase: r.phase,
    program: PROGRAMS[r.tool][r.phase],
    runs: r.runs.length,
    medianMs: med,
    bestMs: times.length ? Math.min(...times) : null,
    worstMs: times.length ? Math.max(...times) : null,
    runsMs: times,
    mbPerS: med ? source.bytes / 1e6 / (med / 1000) : null,
    rowsPerS: med ? source.rows / (med / 1000) : null,
    peakRssMb: rss.length ? Math.max(...rss) / 1e6 : null,
    cpuS: ok ? median(r.runs.map((x) => x.cpuS).filter((x): x is number => typeof x === 'number')) : null,
    stealS: ok ? median(r.runs.map((x) => x.stealS).filter((x): x is number => typeof x === 'number')) : null,
    outputMb: r.outputBytes !== undefined ? r.outputBytes / 1e6 : null,
    verified: r.phase === 'load' ? (r.failed ? null : ok) : null,
    engineMedianMs: ok ? median(r.runs.map((x) => x.engineMs).filter((x): x is number => typeof x === 'number')) : null,
    failed: r.failed ?? (r.checkProblems?.length ? `load check failed: ${r.checkProblems.slice(0, 3).join('; ')}` : undefined),
  };
}

export interface Ratio {
  label: string;
  /** ours ÷ peer time; below 1 means we are faster. */
  value: number | null;
  /** Whether this ratio is one of the targets (ours at least as fast). */
  target: boolean;
  /**
   * Ours ÷ peer for each round (the tools take turns, so a round's runs are minutes apart at most):
   * how far the median ratio can be trusted on a machine whose speed drifts. Empty for one round.
   */
  perRound: number[];
}

export function ratios(all: Figures[]): Ratio[] {
  const time = (tool: Tool, phase: Phase) => all.find((f) => f.tool === tool && f.phase === phase)?.medianMs ?? null;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? a / b : null);
  const out: Ratio[] = [];
  const add = (label: string, phase: Phase, peer: Tool, target: boolean) => {
    const ours = all.find((f) => f.tool === 'ours' && f.phase === phase);
    const theirs = all.find((f) => f.tool === peer && f.phase === phase);
    if (!ours || !theirs) return;
    const paired = ours.runsMs.length === theirs.runsMs.length && ours.runsMs.length > 1;
    const perRound = paired ? ours.runsMs.map((ms, i) => ms / theirs.runsMs[i]) : [];
    out.push({ label, value: ratio(time('ours', phase), time(peer, phase)), target, perRound });
  };
  add('our dump ÷ mydumper', 'dump', 'mydumper', true);
  add('our load ÷ myloader', 'load', 'mydumper', true);
  add('our dump ÷ mysqldump', 'dump', 'mysqldump', false);
  add('our load ÷ mysql < dump.sql', 'load', 'mysqldump', false);
  return out;
}

function fmt(n: number | null, digits = 1): string {
  return n === null ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatReport(all: Figures[], rs: Ratio[], ctx: { repeat: number }): string {
  const spread = ctx.repeat > 1;
  const header = [
    'program',
    spread ? `median s (of ${ctx.repeat})` : 'time s',
    ...(spread ? ['range s'] : []),
    'MB/s',
    'rows/s',
    'peak RSS MB',
    'client CPU s',
    'CPU steal s',
    'dump MB',
    'rows check',
  ];
  const rows = all.map((f) => [
    f.program,
    f.medianMs === null ? 'FAILED' : fmt(f.medianMs / 1000, 2),
    ...(spread ? [f.bestMs === null ? '—' : `${fmt(f.bestMs / 1000, 2)}–${fmt(f.worstMs! / 1000, 2)}`] : []),
    fmt(f.mbPerS),
    fmt(f.rowsPerS, 0),
    fmt(f.peakRssMb),
    fmt(f.cpuS, 2),
    fmt(f.stealS, 2),
    fmt(f.outputMb),
    f.phase === 'dump' ? '' : f.verified === null ? '—' : f.verified ? 'ok' : 'MISMATCH',
  ]);
  const lines = [table(header, rows, [false, true, ...(spread ? [true] : []), true, true, true, true, true, true, false])];
  const failures = all.filter((f) => f.failed);
  for (const f of failures) lines.push(`! ${f.program}: ${f.failed}`);
  if (rs.length) {
    lines.push('', 'Ratios (time ours ÷ time theirs; below 1.00 = ours faster):');
    for (const r of rs) {
      const verdict = r.value === null ? 'n/a' : r.target ? (r.value <= 1 ? 'meets target (≤ 1.00)' : 'misses target (≤ 1.00)') : r.value <= 1 ? 'faster' : 'slower';
      const rounds = r.perRound.length ? `   (round by round: ${r.perRound.map((v) => v.toFixed(2)).join(', ')})` : '';
      lines.push(`  ${r.label.padEnd(30)} ${r.value === null ? '—' : r.value.toFixed(2)}   ${verdict}${rounds}`);
    }
  }
  const engine = all.filter((f) => f.tool === 'ours' && f.engineMedianMs !== null && f.medianMs !== null);
  if (engine.length) {
    lines.push('', "Ours without the process's start and exit (the engine's own time, median; not a target):");
    for (const f of engine) {
      const peer = all.find((p) => p.tool === 'mydumper' && p.phase === f.phase)?.medianMs ?? null;
      const vs = peer ? `   ÷ ${f.phase === 'dump' ? 'mydumper' : 'myloader'}'s whole run ${fmt(f.engineMedianMs! / peer, 2)}` : '';
      lines.push(`  ${f.program.padEnd(30)} ${fmt(f.engineMedianMs! / 1000, 2)} s of ${fmt(f.medianMs! / 1000, 2)} s${vs}`);
    }
  }
  const mem = all.filter((f) => f.tool === 'ours' && f.peakRssMb !== null);
  if (mem.length) {
    lines.push('', `Peak memory of ours (target < ${MEMORY_TARGET_MB} MB):`);
    for (const f of mem) lines.push(`  ${f.program.padEnd(30)} ${fmt(f.peakRssMb)} MB   ${f.peakRssMb! < MEMORY_TARGET_MB ? 'meets target' : 'misses target'}`);
  }
  return lines.join('\n');
}
