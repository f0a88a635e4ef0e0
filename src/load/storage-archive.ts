// Extracts an addons-server storage archive (storage.tar, plain or gzip) into a staged storage dir.
// The archive is untrusted: it is opened only as a regular file (never through a link), GNU tar
// takes neither owners nor modes from it and refuses `..` members, and what it extracted is then
// looked at entry by entry without following anything. Links, devices, FIFOs, sockets and
// setuid/setgid/sticky entries are refused; the caller (stageStorage) discards the staged dir.
import { spawn } from 'node:child_process';
import { chmod, lstat, readdir, readlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { IntegrityError, OlympiaError } from '../core/errors.js';
import { entryKind, openRegularFile } from '../core/safe-fs.js';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

const LINK_HINT = 'Recreate the archive without links (tar --dereference --hard-dereference -cf storage.tar …), or load another backup.';

function specialBits(mode: number): string[] {
  return [mode & S_ISUID ? 'setuid' : '', mode & S_ISGID ? 'setgid' : '', mode & S_ISVTX ? 'sticky' : ''].filter(Boolean);
}

/**
 * Takes group and other write away from what tar extracted, and refuses, with an IntegrityError
 * naming the member (its path below `root`), anything in the
 * extracted tree but plain directories and regular files with one name and no special mode bits.
 * A directory's setgid bit is let through where its parent has it too: Linux gives it to every new
 * subdirectory of a setgid directory, whatever the archive said.
 */
export async function refuseUnsafeEntries(root: string, archive: string): Promise<void> {
  const nothing = 'Nothing was changed.';
  const visit = async (dir: string, rel: string, inheritedSetgid: boolean): Promise<void> => {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const member = rel ? `${rel}/${name}` : name;
      const s = await lstat(path);
      if (s.isSymbolicLink()) {
        const target = await readlink(path).catch(() => '?');
        throw new IntegrityError(`${archive} holds a symbolic link "${member}" -> ${target}; olympia-data does not load links from a backup. ${nothing}`, LINK_HINT);
      }
      if (s.isFile() && s.nlink > 1) {
        throw new IntegrityError(
          `${archive} holds a hard link "${member}" (one file under ${s.nlink} names); olympia-data does not load links from a backup. ${nothing}`,
          LINK_HINT,
        );
      }
      if (!s.isFile() && !s.isDirectory()) {
        throw new IntegrityError(
          `${archive} holds ${entryKind(s)} "${member}"; olympia-data loads only regular files and directories from a backup. ${nothing}`,
          'Recreate the archive with regular files and directories only, or load another backup.',
        );
      }
      const special = s.mode & (S_ISUID | S_ISGID | S_ISVTX) & ~(s.isDirectory() && inheritedSetgid ? S_ISGID : 0);
      if (special) {
        throw new IntegrityError(
          `${archive} holds ${s.isDirectory() ? 'a directory' : 'a file'} "${member}" with the ${specialBits(special).join(' and ')} bit (mode ${(s.mode & 0o7777).toString(8)}); olympia-data does not load setuid, setgid or sticky entries from a backup. ${nothing}`,
          'Recreate the archive without those bits (chmod -R u-s,g-s,-t on its files first), or load another backup.',
        );
      }
      // tar applied the process umask to the archive's modes: none may leave uploads writable by others.
      if (s.mode & 0o022) await chmod(path, s.mode & 0o7755);
      if (s.isDirectory()) await visit(path, member, (s.mode & S_ISGID) !== 0);
    }
  };
  await visit(root, '', ((await lstat(root)).mode & S_ISGID) !== 0);
}

/** Runs GNU tar on the open archive (fd 3 of the child, so tar detects gzip itself) into `dir`. */
function untar(fd: number, dir: string): Promise<{ code: number | null; stderr: string }> {
  // TAR_OPTIONS would add the caller's options (--same-permissions, --absolute-names…) to ours.
  const env = { ...process.env };
  delete env.TAR_OPTIONS;
  return new Promise((resolve, reject) => {
    // --no-overwrite-dir: the archive's "./" does not change the staged dir (it stays private).
    const child = spawn('tar', ['-xf', '/dev/fd/3', '-C', dir, '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir'], { stdio: ['ignore', 'ignore', 'pipe', fd], env });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Extracts storage.tar (tar detects gzip itself) into the staged storage dir, refusing what it must not hold. */
export function extractStorageTar(tarFile: string): (stagedDir: string) => Promise<void> {
  const archive = basename(tarFile);
  return async (staged) => {
    const s = await lstat(tarFile);
    if (s.isSymbolicLink()) {
      const target = await readlink(tarFile).catch(() => '?');
      throw new IntegrityError(
        `${tarFile} is a symbolic link (-> ${target}); olympia-data does not load links from a backup. Nothing was changed.`,
        `Put the archive itself in the backup directory, or load another backup.`,
      );
    }
    const source = s.isFile() ? await openRegularFile(tarFile) : entryKind(s)!;
    if (typeof source === 'string') {
      throw new IntegrityError(
        `${tarFile} is ${source}, not a regular file; olympia-data does not load it. Nothing was changed.`,
        'Put the archive itself in the backup directory, or load another backup.',
      );
    }
    let result: { code: number | null; stderr: string };
    try {
      result = await untar(source.fd, staged);
    } catch (e) {
      throw new OlympiaError(`Cannot run tar to extract ${tarFile}: ${(e as Error).message}`, { hint: 'Install GNU tar.', cause: e });
    } finally {
      await source.close().catch(() => undefined);
    }
    if (result.code !== 0) {
      // A member tar could not write (d/x below a link d) is best explained by the link.
      await refuseUnsafeEntries(staged, archive);
      throw new OlympiaError(`Extracting ${tarFile} failed (tar exit ${result.code}): ${result.stderr.trim()}. Nothing was changed.`, {
        hint: 'The archive is damaged or holds members olympia-data does not extract (paths with ".."); recreate it, or load another backup.',
      });
    }
    await refuseUnsafeEntries(staged, archive);
  };
}
