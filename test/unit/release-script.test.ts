// scripts/release.sh, the part of the release workflow that is ours, run in a throwaway repository with a
// bare "origin": tag checks, release notes from CHANGELOG.md, the major tag moved and pushed, image tags.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'release.sh');

function run(cwd: string, command: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const r = run(cwd, 'git', ...args);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const release = (cwd: string, ...args: string[]) => run(cwd, 'bash', SCRIPT, ...args);

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.1.0] - 2026-12-01

- Faster loads.

## 1.0.0

- First.
`;

describe('scripts/release.sh', () => {
  let root: string;
  let repo: string;
  let origin: string;

  const commitVersion = (version: string) => {
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'x', version }));
    git(repo, 'commit', '-qam', `v${version}`);
    git(repo, 'tag', `v${version}`);
    return git(repo, 'rev-parse', 'HEAD');
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'olympia-release-'));
    origin = join(root, 'origin.git');
    repo = join(root, 'repo');
    git(root, 'init', '-q', '--bare', origin);
    git(root, 'init', '-q', repo);
    writeFileSync(join(repo, 'CHANGELOG.md'), CHANGELOG);
    writeFileSync(join(repo, 'package.json'), '{}');
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'start');
    git(repo, 'remote', 'add', 'origin', origin);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("check: the tag must be vX.Y.Z and name package.json's version", () => {
    commitVersion('1.0.0');
    assert.equal(release(repo, 'check', 'v1.0.0').status, 0);
    const other = release(repo, 'check', 'v1.0.1');
    assert.equal(other.status, 1);
    assert.match(other.stderr, /the tag is v1\.0\.1 but package\.json says 1\.0\.0: bump package\.json/);
    for (const bad of ['1.0.0', 'v1.0', 'v01.0.0', 'v1.0.0-rc1', 'v1.0.0;id']) {
      const r = release(repo, 'check', bad);
      assert.equal(r.status, 1, bad);
      assert.match(r.stderr, /is not a release tag: use vMAJOR\.MINOR\.PATCH/, bad);
    }
  });

  test('notes: the section of that version only, with or without brackets and a date; none is an error', () => {
    const out = join(root, 'notes.md');
    assert.equal(release(repo, 'notes', 'v1.1.0', out).status, 0);
    assert.equal(readFileSync(out, 'utf8').trim(), '- Faster loads.');
    assert.equal(release(repo, 'notes', 'v1.0.0', out).status, 0);
    assert.equal(readFileSync(out, 'utf8').trim(), '- First.');
    const missing = release(repo, 'notes', 'v1.2.0', out);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /CHANGELOG\.md has no section "## 1\.2\.0"/);
  });

  test('move-major: v1 follows each release and reaches origin, replacing the old v1', () => {
    const first = git(repo, 'rev-parse', 'v1.0.0^{commit}');
    assert.equal(release(repo, 'move-major', 'v1.0.0').status, 0);
    assert.equal(git(origin, 'rev-parse', 'v1^{commit}'), first);
    const second = commitVersion('1.1.0');
    const moved = release(repo, 'move-major', 'v1.1.0');
    assert.equal(moved.status, 0, moved.stderr);
    assert.equal(git(origin, 'rev-parse', 'v1^{commit}'), second);
    assert.equal(git(repo, 'rev-parse', 'v1^{commit}'), second);
  });

  test('image: lower-cased ghcr.io names for the version, the major and latest', () => {
    const r = release(repo, 'image', 'v1.1.0', 'Mozilla/Olympia-Data');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'version=1.1.0\ntags=ghcr.io/mozilla/olympia-data:1.1.0,ghcr.io/mozilla/olympia-data:1,ghcr.io/mozilla/olympia-data:latest\n');
  });
});
