// The CLI's Reporter: a live progress line on a terminal, plain lines otherwise, quiet or JSON on
// request. Everything goes to stderr; stdout carries only the command's result.
import type { Progress, Reporter } from '../core/reporter.js';

export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** "addons  120,000 rows  45 MB  12 MB/s  ETA 8 s" — rate and ETA from the time since `since`. */
export function progressLine(p: Progress, elapsedMs: number): string {
  const parts = [p.label, `${p.rows.toLocaleString('en-US')}${p.totalRows ? `/${p.totalRows.toLocaleString('en-US')}` : ''} rows`, formatBytes(p.bytes)];
  if (elapsedMs > 0) parts.push(`${formatBytes(Math.round((p.bytes * 1000) / elapsedMs))}/s`);
  const done = p.totalBytes ? p.bytes / p.totalBytes : p.totalRows ? p.rows / p.totalRows : 0;
  if (done > 0 && done < 1 && elapsedMs > 1000) parts.push(`ETA ${formatDuration(Math.round((elapsedMs * (1 - done)) / done))}`);
  return parts.join('  ');
}

export function cliReporter(mode: OutputMode, stream: NodeJS.WriteStream = process.stderr): Reporter {
  const started = new Map<string, number>();
  let lastDraw = 0;
  const lastPlain = new Map<string, number>();
  let liveLine = false;
  const clear = () => {
    if (liveLine) {
      stream.write('\r\x1b[2K');
      liveLine = false;
    }
  };
  const say = (text: string) => {
    clear();
    stream.write(text + '\n');
  };
  return {
    info: (m) => {
      // JSON mode keeps stdout for the result; messages (hook output, lock waits) still reach stderr.
      if (mode !== 'quiet') say(m);
    },
    warn: (m) => say(`warning: ${m}`),
    step: (name) => {
      if (mode !== 'quiet') say(`▸ ${name}`);
      return () => clear();
    },
    progress: (p) => {
      const now = Date.now();
      if (!started.has(p.label)) started.set(p.label, now);
      const elapsed = now - started.get(p.label)!;
      if (mode === 'tty') {
        if (now - lastDraw < 100) return;
        lastDraw = now;
        stream.write('\r\x1b[2K' + progressLine(p, elapsed).slice(0, (stream.columns ?? 120) - 1));
        liveLine = true;
      } else if (mode === 'plain') {
        if (now - (lastPlain.get(p.label) ?? started.get(p.label)!) < 5000) return;
        lastPlain.set(p.label, now);
        say(progressLine(p, elapsed));
      }
    },
  };
}
