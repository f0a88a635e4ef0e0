// Writes a file while computing its size and sha256, so a dump reads its data once.
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export class HashingWriter {
  private hash: Hash = createHash('sha256');
  size = 0;
  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<HashingWriter> {
    return new HashingWriter(await open(path, 'wx'));
  }

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.size += chunk.length;
  }

  /** Flushes to disk and returns the digest; a backup's manifest only lists synced files. */
  async finish(): Promise<{ size: number; sha256: string }> {
    await this.fh.sync();
    await this.fh.close();
    return { size: this.size, sha256: this.hash.digest('hex') };
  }

  async discard(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}
