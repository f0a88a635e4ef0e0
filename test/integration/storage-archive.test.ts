// storage.tar is untrusted: built here with the real tar, each malicious archive is refused with the
// member named, and nothing lands outside the staged dir (which the load then discards).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractStorageTar, refuseUnsafeEntries } from '../../src/load/storage-archive.js';
import { stageStorage } from '../../src/backup/storage-snapshot.js';
import { IntegrityError } from '../../src/core/errors.js';
import { namesIn, treeContents } from '../support/files.js';

function tar(args: string[]): void {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
}

describe('extracting storage.tar', () => {
  let dir: string;
  let outside: string;
  let outsideBefore: Awaited<ReturnType<typeof treeContents>>;
  const passwd = () => readFile('/etc/passwd', 'utf8');
  let passwdBefore: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'olympia-archive-'));
    outside = join(dir, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'keep.txt'), 'keep');
    outsideBefore = await treeContents(outside);
    passwdBefore = await passwd();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** An archive of a source tree that `build` makes. */
  async function archive(name: string, build: (src: string) => Promise<void>, extra: string[] = []): Promise<string> {
    const src = join(dir, `src-${name}`);
    await mkdir(src);
    await build(src);
    const file = join(dir, `${name}.tar`);
    tar(['-cf', file, ...extra, '-C', src, '.']);
    return file;
  }

  async function extract(file: string): Promise<string> {
    const staged = join(dir, `staged-${Math.random().toString(36).slice(2)}`);
    await mkdir(staged);
    await extractStorageTar(file)(staged);
    return staged;
  }

  const attacks: [string, (src: string) => Promise<void>, RegExp][] = [
    ['a symlink to /etc/passwd', (s) => symlink('/etc/passwd', join(s, 'passwd')), /symbolic link "passwd" -> \/etc\/passwd/],
    ['a symlink to a directory outside', (s) => symlink(outside, join(s, 'd')), /symbolic link "d"/],
    [
      'a hard link',
      async (s) => {
        await writeFile(join(s, 'a'), 'x');
        await link(join(s, 'a'), join(s, 'b'));
      },
      /hard link "(a|b)"/,
    ],
    [
      'a FIFO',
      async (s) => {
        assert.equal(spawnSync('mkfifo', [join(s, 'pipe')]).status, 0);
      },
      /a FIFO "pipe"/,
    ],
  ];
  for (const [what, build, message] of attacks) {
    test(`${what} is refused (exit 4), naming the member; nothing outside changes`, async () => {
      const file = await archive(what.replace(/\W+/g, '-'), build);
      await assert.rejects(extract(file), (e: unknown) => e instanceof IntegrityError && e.exitCode === 4 && message.test(e.message));
      assert.deepEqual(await treeContents(outside), outsideBefore);
      assert.equal(await passwd(), passwdBefore);
    });
  }

  test('a setuid file comes out without the bit (tar takes no modes from the archive), or is refused', async () => {
    const file = await archive('suid', async (s) => {
      await writeFile(join(s, 'suid'), 'x');
      await chmod(join(s, 'suid'), 0o4755);
    });
    const staged = await extract(file).catch((e: unknown) => {
      assert.ok(e instanceof IntegrityError && /setuid/.test(e.message));
      return undefined;
    });
    if (staged) assert.equal((await stat(join(staged, 'suid'))).mode & 0o7000, 0);
  });

  test('under umask 000, nothing extracted is writable by group or others', async () => {
    const file = await archive('writable', async (s) => {
      await mkdir(join(s, 'd'));
      await writeFile(join(s, 'd', 'f'), 'x');
      await chmod(join(s, 'd', 'f'), 0o666);
      await chmod(join(s, 'd'), 0o777);
    });
    const old = process.umask(0);
    try {
      const staged = await extract(file);
      for (const p of ['d', join('d', 'f')]) assert.equal((await stat(join(staged, p))).mode & 0o022, 0, p);
    } finally {
      process.umask(old);
    }
  });

  test('the walk after tar refuses setuid, setgid and sticky entries itself (should a tar keep them)', async () => {
    // GNU tar with --no-same-permissions drops these bits, so the walk is checked on a tree made here.
    for (const [name, mode, isDir, bits] of [
      ['suid', 0o4755, false, 'setuid'],
      ['sgid', 0o2755, false, 'setgid'],
      ['tmp', 0o1777, true, 'sticky'],
      ['shared', 0o2755, true, 'setgid'],
    ] as const) {
      const root = join(dir, `walk-${name}`);
      await mkdir(join(root, 'sub'), { recursive: true });
      const path = join(root, 'sub', name);
      if (isDir) await mkdir(path);
      else await writeFile(path, 'x');
      await chmod(path, mode);
      await assert.rejects(
        refuseUnsafeEntries(root, 'storage.tar'),
        (e: unknown) => e instanceof IntegrityError && e.exitCode === 4 && e.message.includes(`"sub/${name}" with the ${bits} bit`),
        name,
      );
    }
  });

  test('a setgid directory inherited from a setgid staged dir is no reason to refuse', async () => {
    const root = join(dir, 'walk-inherited');
    await mkdir(root);
    await chmod(root, 0o2700);
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'b', 'f'), 'x');
    assert.ok((await stat(join(root, 'a', 'b'))).mode & 0o2000, 'Linux gave the subdirectory the setgid bit');
    await refuseUnsafeEntries(root, 'storage.tar');
  });

  test('a member written through a link to a directory outside never lands there', async () => {
    // d -> outside, then d/planted: tar must not write through the link.
    const src = join(dir, 'src-through');
    await mkdir(join(src, 'real'), { recursive: true });
    await writeFile(join(src, 'real', 'planted'), 'planted');
    const file = join(dir, 'through.tar');
    await symlink(outside, join(src, 'd'));
    tar(['-cf', file, '-C', src, 'd', '--transform', 's,^real,d,', 'real/planted']);
    await assert.rejects(extract(file), IntegrityError);
    assert.deepEqual(await treeContents(outside), outsideBefore);
  });

  test('a member with .. is not extracted outside', async () => {
    const src = join(dir, 'src-dotdot');
    await mkdir(src);
    await writeFile(join(src, 'x'), 'escape');
    const file = join(dir, 'dotdot.tar');
    tar(['-cf', file, '-C', src, '--transform', 's,^x,../../escape,', 'x']);
    await extract(file).then(
      () => undefined,
      () => undefined,
    );
    assert.deepEqual(await namesIn(dir).then((n) => n.filter((x) => x === 'escape')), []);
    assert.deepEqual(await namesIn(join(dir, '..')).then((n) => n.filter((x) => x === 'escape')), []);
  });

  test('a clean archive with nested directories extracts exactly', async () => {
    const file = await archive('clean', async (s) => {
      await mkdir(join(s, 'addons', '7'), { recursive: true });
      await writeFile(join(s, 'addons', '7', 'icon.png'), Buffer.from([0x89, 0x50, 0, 0xff]));
      await writeFile(join(s, 'README'), 'files\n');
    });
    const staged = await extract(file);
    assert.deepEqual(await treeContents(staged), { README: Buffer.from('files\n').toString('hex'), [join('addons', '7', 'icon.png')]: '895000ff' });
  });

  test("the staged storage dir is private while it fills, then takes the live dir's mode", async () => {
    const live = join(dir, 'live');
    await mkdir(live);
    await chmod(live, 0o750);
    let during = 0;
    const staged = await stageStorage(live, async (d) => {
      during = (await stat(d)).mode & 0o777;
    });
    assert.equal(during, 0o700);
    assert.equal((await stat(staged.paths.staged)).mode & 0o777, 0o750);
    await staged.discard();
  });
});
