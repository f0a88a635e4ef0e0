// Writes a file while computing its size and sha256, so a dump reads its data once.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export class HashingWriter {
  private hash: Hash = createHash('sha256');
  size = 0;
  private constructor(private readonly file: Promise<FileHandle>) {
    // Whoever writes, closes or discards sees a failure; nobody doing so yet is no crash.
    file.catch(() => undefined);
  }

  /**
   * Creates `path` (it must not exist) with exactly `mode`: private (0600) unless told otherwise,
   * whatever the process umask, as a backup holds user data.
   */
  static async create(path: string, mode = 0o600): Promise<HashingWriter> {
    const w = HashingWriter.opening(path, mode);
    await w.file;
    return w;
  }

  /** As create, but returns at once while the file is being created; the first write waits for it, and fails as create would. */
  static opening(path: string, mode = 0o600): HashingWriter {
    return new HashingWriter(
      open(path, 'wx', mode).then(async (fh) => {
        try {
          // open() applies the umask to the mode; fchmod sets it exactly.
          await fh.chmod(mode);
        } catch (e) {
          await fh.close().catch(() => undefined);
          throw e;
        }
        return fh;
      }),
    );
  }

  /**
   * Creates `path` (it must not exist) holding exactly `data`, with `mode` as create does, in a few
   * blocking calls: for a small file, cheaper than the thread-pool round trips of the promise calls.
   */
  static writeWhole(path: string, data: Buffer, mode = 0o600): { size: number; sha256: string } {
    const fd = openSync(path, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
    } finally {
      closeSync(fd);
    }
    return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async write(chunk: Buffer): Promise<void> {
    const fh = await this.file;
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.size += chunk.length;
  }

  /** Closes the file (once its data is on disk, with `sync`) and returns size and digest. */
  async finish(opts: { sync: boolean }): Promise<{ size: number; sha256: string }> {
    const { closed, ...result } = this.closeInBackground(opts);
    await closed;
    return result;
  }

  /**
   * Returns size and digest at once and closes the file in the background, with `sync` once its
   * data is on disk: `closed` settles then. The caller must await it before relying on the file,
   * e.g. before a manifest lists it; meanwhile the next file can be written.
   */
  closeInBackground(opts: { sync: boolean }): { size: number; sha256: string; closed: Promise<void> } {
    const closed = this.file.then((fh) => (opts.sync ? fh.sync() : Promise.resolve()).finally(() => fh.close()));
    // Whoever awaits it sees a failure; nobody awaiting (the dump failed elsewhere) is no crash.
    closed.catch(() => undefined);
    return { size: this.size, sha256: this.hash.digest('hex'), closed };
  }

  async discard(): Promise<void> {
    await this.file.then((fh) => fh.close()).catch(() => undefined);
  }
}
