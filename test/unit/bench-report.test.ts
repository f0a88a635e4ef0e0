import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { figures, formatReport, median, type PhaseResult, ratios } from '../../bench/report.js';
import { compareTables } from '../../bench/server.js';
import { parseGnuTimeCpu, parseGnuTimeMaxRss, parseGnuTimeSwitches, parseProcStatSteal, parseVmHwm } from '../../bench/measure.js';
import { mydumperDump, myloaderLoad, mysqldumpDump, mysqlLoad, missingBinaries } from '../../bench/peers.js';
import { keepGoing } from '../../bench/catalogue.js';

const source = { bytes: 100e6, rows: 200_000 };
const phase = (tool: PhaseResult['tool'], p: PhaseResult['phase'], ms: number[], extra: Partial<PhaseResult> = {}): PhaseResult => ({
  tool,
  phase: p,
  command: `${tool} ${p}`,
  runs: ms.map((wallMs) => ({ wallMs, peakRss: 50e6, cpuS: wallMs / 2000, stealS: wallMs / 10000 })),
  ...extra,
});

describe('bench figures', () => {
  test('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  test('MB/s and rows/s are over the source size, from the median time', () => {
    const f = figures(phase('ours', 'dump', [4000, 2000, 1000], { outputBytes: 80e6 }), source);
    assert.equal(f.medianMs, 2000);
    assert.equal(f.bestMs, 1000);
    assert.equal(f.mbPerS, 50);
    assert.equal(f.rowsPerS, 100_000);
    assert.equal(f.peakRssMb, 50);
    assert.equal(f.cpuS, 1);
    assert.equal(f.stealS, 0.2);
    assert.equal(f.outputMb, 80);
  });

  test('a load whose row counts differ has no time and is reported as failed', () => {
    const f = figures(phase('mydumper', 'load', [1000], { checkProblems: ['reviews: rows 4999, source 5000'] }), source);
    assert.equal(f.medianMs, null);
    assert.equal(f.verified, false);
    assert.match(f.failed!, /reviews: rows 4999, source 5000/);
    assert.match(formatReport([f], [], { repeat: 1 }), /MISMATCH/);
  });

  test('ratios: ours ÷ peer, with the mydumper/myloader ones marked as targets', () => {
    const all = [
      phase('ours', 'dump', [1000]),
      phase('ours', 'load', [3000]),
      phase('mydumper', 'dump', [2000]),
      phase('mydumper', 'load', [2000]),
      phase('mysqldump', 'dump', [500]),
      phase('mysqldump', 'load', [6000]),
    ].map((r) => figures(r, source));
    const rs = ratios(all);
    assert.deepEqual(
      rs.map((r) => [r.label, r.value, r.target]),
      [
        ['our dump ÷ mydumper', 0.5, true],
        ['our load ÷ myloader', 1.5, true],
        ['our dump ÷ mysqldump', 2, false],
        ['our load ÷ mysql < dump.sql', 0.5, false],
      ],
    );
    const text = formatReport(all, rs, { repeat: 1 });
    assert.match(text, /our dump ÷ mydumper\s+0\.50\s+meets target/);
    assert.match(text, /our load ÷ myloader\s+1\.50\s+misses target/);
    assert.match(text, /olympia-data dump\s+50\.0 MB\s+meets target/);
  });

  test('with several rounds: the range of each tool and the ratio of each round', () => {
    const all = [phase('ours', 'dump', [1000, 3000, 2000]), phase('mydumper', 'dump', [2000, 2000, 1000])].map((r) => figures(r, source));
    const [r] = ratios(all);
    assert.equal(r.value, 1);
    assert.deepEqual(r.perRound, [0.5, 1.5, 2]);
    const text = formatReport(all, [r], { repeat: 3 });
    assert.match(text, /olympia-data dump\s+2\.00\s+1\.00–3\.00\s+50\.0/);
    // Each tool's median steal is in the table, after its client CPU.
    assert.match(text, /CPU steal s/);
    assert.match(text, /olympia-data dump\s+2\.00\s+1\.00–3\.00\s+50\.0\s+100,000\s+50\.0\s+1\.00\s+0\.20/);
    assert.match(text, /our dump ÷ mydumper\s+1\.00\s+meets target \(≤ 1\.00\)\s+\(round by round: 0\.50, 1\.50, 2\.00\)/);
    // A tool with a failed round cannot be paired round by round.
    const short = [phase('ours', 'dump', [1000, 3000]), phase('mydumper', 'dump', [2000, 2000, 1000])].map((f) => figures(f, source));
    assert.deepEqual(ratios(short)[0].perRound, []);
  });

  test("ours' own engine time is reported beside its wall time, against the peer's whole run, as no target", () => {
    const ours = phase('ours', 'dump', [300, 340, 320]);
    ours.runs.forEach((r, i) => (r.engineMs = [200, 220, 180][i]));
    const all = [ours, phase('mydumper', 'dump', [250, 250, 250])].map((r) => figures(r, source));
    assert.equal(all[0].engineMedianMs, 200);
    assert.equal(all[1].engineMedianMs, null);
    const text = formatReport(all, ratios(all), { repeat: 3 });
    assert.match(text, /not a target/);
    assert.match(text, /olympia-data dump\s+0\.20 s of 0\.32 s\s+÷ mydumper's whole run 0\.80/);
    // Without engine times (a peer, or an older run) there is no such section.
    assert.doesNotMatch(formatReport([all[1]], [], { repeat: 3 }), /not a target/);
  });

  test('without a peer there is no ratio against it', () => {
    const all = [phase('ours', 'dump', [1000]), phase('ours', 'load', [1000])].map((r) => figures(r, source));
    assert.deepEqual(ratios(all), []);
  });
});

describe('bench load check', () => {
  test('reports missing tables, extra tables and count differences', () => {
    const src = new Map([
      ['a', 10],
      ['b', 5],
      ['c', 1],
    ]);
    const loaded = new Map([
      ['a', 10],
      ['b', 4],
      ['d', 1],
    ]);
    assert.deepEqual(compareTables(src, loaded, 'rows'), ['b: rows 4, source 5', 'c: missing', 'd: not in the source']);
    assert.deepEqual(compareTables(src, new Map(src), 'rows'), []);
  });
});

describe('bench measurement parsing', () => {
  test('GNU time -v maximum RSS, in bytes', () => {
    assert.equal(parseGnuTimeMaxRss('\tUser time (seconds): 0.01\n\tMaximum resident set size (kbytes): 10240\n'), 10240 * 1024);
    assert.equal(parseGnuTimeMaxRss('garbage'), null);
  });
  test('GNU time -v user + system CPU seconds', () => {
    assert.equal(parseGnuTimeCpu('\tUser time (seconds): 1.25\n\tSystem time (seconds): 0.50\n'), 1.75);
    assert.equal(parseGnuTimeCpu('\tUser time (seconds): 1.25\n'), null);
  });
  test('GNU time -v voluntary context switches', () => {
    assert.equal(parseGnuTimeSwitches('\tVoluntary context switches: 6431\n\tInvoluntary context switches: 12\n'), 6431);
    assert.equal(parseGnuTimeSwitches('\tInvoluntary context switches: 12\n'), null);
  });
  test('/proc/stat steal time of all CPUs, in seconds', () => {
    const stat = 'cpu  120148 0 43666 166716 8039 0 8856 17632 0 0\ncpu0 60000 0 20000 80000 4000 0 4000 8800 0 0\n';
    assert.equal(parseProcStatSteal(stat), 176.32);
    assert.equal(parseProcStatSteal('cpu0 1 2 3\n'), null);
  });
  test('/proc status VmHWM, in bytes', () => {
    assert.equal(parseVmHwm('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 100 kB\n'), 2048 * 1024);
    assert.equal(parseVmHwm('Name:\tnode\n'), null);
  });
});

describe('bench peer commands', () => {
  const server = { host: '127.0.0.1', port: 33306, user: 'olympia', password: 's3cret pass' };
  test('the shown commands never contain the password', () => {
    for (const inv of [
      mysqldumpDump(server, 'db', '/x.sql'),
      mysqlLoad(server, 'db2', '/x.sql'),
      mydumperDump(server, 'db', '/d', 2, 100000),
      myloaderLoad(server, 'db2', '/d', 2),
    ]) {
      assert.ok(!inv.display.includes('s3cret'), inv.display);
    }
  });
  test('mysqldump is consistent and streams; mysql reads the file into the target', () => {
    const d = mysqldumpDump(server, 'cat', '/w/dump.sql');
    assert.ok(d.args.includes('--single-transaction') && d.args.includes('--quick'));
    assert.equal(d.env.MYSQL_PWD, 's3cret pass');
    assert.match(d.display, /> \/w\/dump\.sql$/);
    assert.equal(mysqlLoad(server, 'target', '/w/dump.sql').args.at(-1), 'target');
  });
  test('mydumper and myloader use the same thread count', () => {
    const d = mydumperDump(server, 'cat', '/w/m', 3, 0);
    const l = myloaderLoad(server, 'target', '/w/m', 3);
    assert.equal(d.args[d.args.indexOf('--threads') + 1], '3');
    assert.equal(l.args[l.args.indexOf('--threads') + 1], '3');
    assert.ok(!d.args.includes('--rows'), '--rows 0 means one file per table');
    assert.equal(l.args[l.args.indexOf('--database') + 1], 'target');
  });
  test('missing binaries are named', () => {
    assert.deepEqual(missingBinaries('mydumper', '/nonexistent'), ['mydumper', 'myloader']);
  });
});

describe('catalogue size', () => {
  test('adds a batch only while that brings the size closer to the target', () => {
    assert.equal(keepGoing(100e6, 80e6, 11e6), true);
    assert.equal(keepGoing(100e6, 94e6, 11e6), true, '94 → ~105 MB is closer to 100 than 94');
    assert.equal(keepGoing(100e6, 96e6, 11e6), false, '96 → ~107 MB is farther');
    assert.equal(keepGoing(100e6, 101e6, 11e6), false);
    assert.equal(keepGoing(5e6, 14e6, 14e6), false, 'a target below one batch stops after the first');
  });
});
