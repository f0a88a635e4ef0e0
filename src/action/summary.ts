// The job summary (GITHUB_STEP_SUMMARY): what was done, how long each step took, the cache outcome and
// key, the backups' sizes, and a Mermaid pie chart of where the time went. A pure function of the run's
// record, so it is unit-tested without a runner.
import { formatBytes, formatDuration } from '../core/format.js';
import type { Phase, PhaseStatus } from './phases.js';

export type RestoreOutcome = 'exact' | 'partial' | 'miss' | 'not-needed' | 'failed' | 'unavailable';
export type SaveOutcome = 'saved' | 'exists' | 'not-needed' | 'unavailable' | 'timeout' | 'declined' | 'error' | 'failed-run' | 'after-failed-restore';

export interface CacheSummary {
  key: string;
  restore: RestoreOutcome;
  /** The key of the restored entry (an older one on a partial hit). */
  matchedKey?: string;
  /** Why a restore failed, or a save did not happen. */
  restoreCause?: string;
  saveCause?: string;
  save: SaveOutcome;
}

export interface BackupSummary {
  name: string;
  /** What the backup is to this run, e.g. "loaded", "saved to the cache", "published". */
  role: string;
  tables?: number;
  rows?: number;
  bytes: number;
}

export interface SummaryInput {
  command: string;
  ok: boolean;
  error?: { message: string; hint?: string };
  totalMs: number;
  phases: readonly Phase[];
  /** Absent when caching was off or the command does not use the cache. */
  cache?: CacheSummary;
  migration?: { hash: string; files: number };
  backups: readonly BackupSummary[];
  loaded?: string;
  seeded: boolean;
  indexed: boolean;
  artifactId?: number;
}

const ICONS: Record<PhaseStatus, string> = { done: '✅', skipped: '➖', failed: '❌', warning: '⚠️', 'not-run': '⏸️' };

/** A markdown table cell: no pipes or line breaks from messages. */
function cell(text: string | number | undefined): string {
  if (text === undefined || text === '') return '';
  return String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function rows(n: number | undefined): string {
  return n === undefined ? '' : n.toLocaleString('en-US');
}

function restoreLine(c: CacheSummary): string {
  switch (c.restore) {
    case 'exact':
      return `✅ **hit**: \`_init\` restored from \`${c.key}\``;
    case 'partial':
      return `🔸 **partial hit** (incremental): \`_init\` of older migrations restored from \`${c.matchedKey ?? '?'}\`; the key for the current migrations is \`${c.key}\``;
    case 'miss':
      return `❌ **miss**: no \`_init\` restored for \`${c.key}\``;
    case 'not-needed':
      return `➖ not restored (a named backup was loaded instead); key \`${c.key}\``;
    case 'failed':
      return `⚠️ **restore failed**: ${c.restoreCause ?? 'see the warning'}; key \`${c.key}\``;
    case 'unavailable':
      return `➖ no cache service is available to this job; key \`${c.key}\``;
  }
}

const SAVE_TEXT: Record<SaveOutcome, string> = {
  saved: 'saved `_init` under the key',
  exists: 'already stored under the key (entries are immutable), kept as it is',
  'not-needed': 'nothing new to save',
  unavailable: 'not saved: no cache service is available to this job',
  timeout: 'not saved: the cache service did not answer in time (see the warning)',
  declined: 'not saved: the cache service refused the entry (see the warning)',
  error: 'not saved: the cache service failed (see the warning)',
  'failed-run': 'not saved: the run failed',
  'after-failed-restore': 'not attempted: the restore failed, so the job made no further cache calls',
};

/** Labels inside a Mermaid pie are double-quoted strings. */
function chartLabel(title: string): string {
  const flat = title.replace(/["\r\n]/g, (c) => (c === '"' ? "'" : ' ')).trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/**
 * A Mermaid `pie` of the time per step (seconds), with the time outside every step (startup, probes)
 * as "Other". Empty when nothing measurable ran.
 */
export function timeChart(phases: readonly Phase[], totalMs: number): string {
  const slices = phases.filter((p) => p.status !== 'skipped' && p.durationMs > 0).map((p) => ({ label: chartLabel(p.title), ms: p.durationMs }));
  const other = totalMs - slices.reduce((sum, s) => sum + s.ms, 0);
  if (other >= Math.max(50, totalMs * 0.02)) slices.push({ label: 'Other (startup, probes, outputs)', ms: other });
  if (slices.length === 0) return '';
  // Mermaid sums slices with the same label; keep repeated steps apart.
  const seen = new Map<string, number>();
  const lines = slices.map(({ label, ms }) => {
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    return `    "${n > 1 ? `${label} (${n})` : label}" : ${(ms / 1000).toFixed(2)}`;
  });
  return ['```mermaid', 'pie showData', '    title Where the time went (seconds)', ...lines, '```'].join('\n');
}

export function renderSummary(input: SummaryInput): string {
  const out: string[] = [];
  out.push(`### olympia-data ${input.command}: ${input.ok ? '✅ done' : '❌ failed'} in ${formatDuration(input.totalMs)}`, '');
  if (input.error) {
    out.push('> [!CAUTION]', `> ${cell(input.error.message)}`);
    if (input.error.hint) out.push('>', `> ${cell(input.error.hint)}`);
    out.push('');
  }
  if (input.phases.length > 0) {
    out.push('| | Step | Time | Rows | Details |', '|:-:|---|--:|--:|---|');
    for (const p of input.phases) {
      const time = p.status === 'skipped' || p.status === 'not-run' ? '' : formatDuration(p.durationMs);
      out.push(`| ${ICONS[p.status]} | ${cell(p.title)} | ${time} | ${rows(p.rows)} | ${cell(p.detail)} |`);
    }
    out.push(`| | **Total** | **${formatDuration(input.totalMs)}** | | |`, '');
  }
  const facts: string[] = [];
  if (input.cache) {
    facts.push(`- **Cache:** ${restoreLine(input.cache)}`);
    facts.push(`- **Cache save:** ${SAVE_TEXT[input.cache.save]}${input.cache.saveCause ? ` (${cell(input.cache.saveCause)})` : ''}`);
  }
  if (input.migration) facts.push(`- **Migration hash:** \`${input.migration.hash}\` over ${input.migration.files} ${input.migration.files === 1 ? 'file' : 'files'}`);
  const result = [`loaded: ${input.loaded ? `\`${input.loaded}\`` : 'nothing'}`, `seeded: ${input.seeded ? 'yes' : 'no'}`, `indexed: ${input.indexed ? 'yes' : 'no'}`];
  if (input.artifactId !== undefined) result.push(`artifact ID: ${input.artifactId}`);
  facts.push(`- **Result:** ${result.join(' · ')}`);
  out.push(...facts, '');
  if (input.backups.length > 0) {
    out.push('| Backup | Role | Tables | Rows | Size |', '|---|---|--:|--:|--:|');
    for (const b of input.backups) out.push(`| \`${cell(b.name)}\` | ${cell(b.role)} | ${b.tables ?? ''} | ${rows(b.rows)} | ${formatBytes(b.bytes)} |`);
    out.push('');
  }
  const chart = timeChart(input.phases, input.totalMs);
  if (chart) out.push('<details open><summary>Where the time went</summary>', '', chart, '', '</details>', '');
  return out.join('\n');
}
