// The CLI's Reporter: a live progress line on a terminal, plain lines otherwise, quiet or JSON on
// request. Everything goes to stderr; stdout carries only the command's result.
import { formatBytes, formatDuration } from '../core/format.js';
import type { Progress, Reporter } from '../core/reporter.js';

export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

/** "addons  120,000 rows  45 MB  12 MB/s  ETA 8 s" — rate and ETA from the time since `since`. */
export function progressLine(p: Progress, elapsedMs: number): string {
  // The total is the server's estimate: once the rows pass it, it says nothing.
  const total = p.totalRows && p.rows <= p.totalRows ? `/${p.totalRows.toLocaleString('en-US')}` : '';
  const parts = [p.label, `${p.rows.toLocaleString('en-US')}${total} rows`, formatBytes(p.bytes)];
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
