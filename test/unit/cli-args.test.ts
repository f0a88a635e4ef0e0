import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dumpThreads } from '../../src/dump/chunk-plan.js';
import { COMMANDS, commandHelp, dumpJobsToPrestart, mainHelp, parseCommandLine, parsePositiveInt, parseSize, type ParsedCommand } from '../../src/cli/args.js';
import { UsageError } from '../../src/core/errors.js';

const parse = (...argv: string[]) => parseCommandLine(argv) as ParsedCommand;

function usage(argv: string[], message: RegExp, hint?: RegExp): void {
  assert.throws(
    () => parseCommandLine(argv),
    (e: unknown) => e instanceof UsageError && e.exitCode === 2 && message.test(e.message) && (!hint || hint.test(e.hint ?? '')),
  );
}

describe('CLI argument parsing', () => {
  test('help and version forms', () => {
    assert.deepEqual(parseCommandLine([]), { command: 'help', topic: undefined, missing: true });
    assert.deepEqual(parseCommandLine(['--help']), { command: 'help', topic: undefined });
    assert.deepEqual(parseCommandLine(['help', 'dump']), { command: 'help', topic: 'dump' });
    assert.deepEqual(parseCommandLine(['--version']), { command: 'version' });
    assert.equal(parse('dump', '--help').values.help, true);
    assert.equal(parse('load', '-h').values.help, true);
  });

  test('dump flags: --name/-n, --force/-f and the common options', () => {
    const p = parse('dump', '-n', 'x', '-f', '--backup-dir', '/b', '--database-url', 'mysql://u:p@h/d', '--storage-dir', 's', '-j', '3', '--json');
    assert.equal(p.command, 'dump');
    assert.deepEqual({ ...p.values }, { name: 'x', force: true, 'backup-dir': '/b', 'database-url': 'mysql://u:p@h/d', 'storage-dir': 's', jobs: '3', json: true });
    assert.equal(parse('dump', '--name=y').values.name, 'y');
    assert.equal(parse('dump', '--sync').values.sync, true);
    assert.equal(parse('dump', '--no-sync').values['no-sync'], true);
    assert.equal(parse('dump', '--name', '').values.name, '', 'an empty name reaches name validation, which rejects it');
  });

  test('verify takes the name as a positional; other commands take none', () => {
    assert.deepEqual(parse('verify', 'nightly').positionals, ['nightly']);
    assert.equal(parse('verify', '--name', 'nightly').values.name, 'nightly');
    usage(['load', 'nightly'], /^load: Unexpected argument 'nightly'\. This command does not take positional arguments/);
    usage(['dump', 'x'], /^dump: Unexpected argument/);
  });

  test('an unknown flag names the command and points at its help', () => {
    usage(['dump', '--bogus'], /^dump: Unknown option '--bogus'/, /olympia-data dump --help/);
    usage(['load', '--force'], /^load: Unknown option '--force'/, /olympia-data load --help/);
    usage(['list', '--name', 'x'], /^list: Unknown option '--name'/);
    usage(['verify', '--force'], /^verify: Unknown option/);
  });

  test('a flag missing its value is a usage error', () => {
    usage(['dump', '--name'], /^dump: Option '-n, --name <value>' argument missing/);
  });

  test('an unknown command lists the commands', () => {
    usage(['backup'], /Unknown command "backup"/, /dump, load, reindex, list, verify/);
  });

  test('--jobs and --lock-timeout must be positive whole numbers', () => {
    assert.equal(parsePositiveInt('4', '--jobs'), 4);
    assert.equal(parsePositiveInt(undefined, '--jobs'), undefined);
    for (const bad of ['0', '-1', '1.5', 'two', '', '3x']) {
      assert.throws(
        () => parsePositiveInt(bad, '--jobs'),
        (e: unknown) => e instanceof UsageError && e.message.startsWith('--jobs must be a positive whole number'),
      );
    }
  });

  test('--chunk-size takes a size with a binary unit', () => {
    assert.equal(parseSize('64MB', '--chunk-size'), 64 << 20);
    assert.equal(parseSize('512kb', '--chunk-size'), 512 << 10);
    assert.equal(parseSize('1G', '--chunk-size'), 1 << 30);
    assert.equal(parseSize('1.5MB', '--chunk-size'), 1.5 * (1 << 20));
    assert.equal(parseSize('4096', '--chunk-size'), 4096);
    assert.equal(parseSize(undefined, '--chunk-size'), undefined);
    for (const bad of ['0', '-1MB', 'big', '', '64 TB', '0.1B']) {
      assert.throws(
        () => parseSize(bad, '--chunk-size'),
        (e: unknown) => e instanceof UsageError && e.message.startsWith('--chunk-size must be a size such as 64MB'),
        bad,
      );
    }
  });

  test('every command documents its usage and each of its own flags', () => {
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const help = commandHelp(name);
      assert.ok(help.startsWith(`Usage: olympia-data ${name}`), name);
      for (const flag of Object.keys(spec.options)) assert.ok(help.includes(`--${flag}`), `${name} --help documents --${flag}`);
      for (const flag of ['--database-url', '--backup-dir', '--storage-dir', '--jobs', '--json', '--help']) assert.ok(help.includes(flag), `${name} --help documents ${flag}`);
    }
    const main = mainHelp();
    for (const name of Object.keys(COMMANDS)) assert.match(main, new RegExp(`^  ${name} `, 'm'));
    assert.match(main, /Exit codes: 0 ok.*2 bad usage.*3 not found.*4 integrity.*\n.*5 cannot connect, 6 locked/);
  });
});

describe('dump threads started before the CLI has loaded', () => {
  const prestarted = (argv: string[], cpus: number) => dumpThreads(dumpJobsToPrestart(argv, cpus));
  test('one per job past the two on the main thread, for dump only', () => {
    // The main thread serves two connections itself: threads for the jobs past those.
    assert.equal(prestarted(['dump', '--name', 'x'], 4), 2);
    assert.equal(prestarted(['dump', '--jobs', '2'], 8), 0);
    assert.equal(prestarted(['dump', '--jobs=3'], 8), 1);
    assert.equal(prestarted(['dump', '-j', '6'], 1), 4);
    assert.equal(prestarted(['dump', '-j5'], 1), 3);
    assert.equal(prestarted(['dump', '--jobs', '1'], 8), 0);
    assert.equal(prestarted(['dump'], 1), 0);
  });
  test('none for other commands, for help, or for a --jobs the parser will refuse', () => {
    for (const argv of [
      ['load', '--jobs', '4'],
      ['initialize'],
      [],
      ['dump', '--help'],
      ['dump', '-h'],
      ['dump', '--jobs'],
      ['dump', '--jobs', 'many'],
      ['dump', '--jobs', '0'],
      ['dump', '--jobs=-2'],
    ]) {
      assert.equal(prestarted(argv, 8), 0, argv.join(' '));
    }
  });
  test('a command line the parser refuses starts none', () => {
    assert.equal(prestarted(['dump', '--no-such-flag', '--jobs', '9'], 2), 0);
    assert.equal(prestarted(['dump', '--jobs', '4', 'extra'], 2), 0);
  });
});
