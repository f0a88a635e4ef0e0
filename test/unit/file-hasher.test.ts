import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFiles } from '../../src/backup/file-hasher.js';

let dir: string;
before(async () => (dir = await mkdtemp(join(tmpdir(), 'olympia-hash-'))));
after(async () => rm(dir, { recursive: true, force: true }));

async function file(name: string, bytes: Buffer) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return { path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

test('a big set is hashed on threads, a small one here: the same digests, in the order given', async () => {
  // 3 × 12 MB is past the size where threads start; the small files go through the same threads.
  const files = [
    await file('small', Buffer.from('tiny')),
    await file('a', randomBytes(12 << 20)),
    await file('empty', Buffer.alloc(0)),
    await file('b', randomBytes(12 << 20)),
    await file('c', randomBytes(12 << 20)),
  ];
  for (const threads of [1, 2, 3]) {
    const digests = await hashFiles(files, threads);
    assert.deepEqual(
      digests,
      files.map((f) => ({ sha256: f.sha256 })),
      `${threads} thread(s)`,
    );
  }
});

test('a file that cannot be read is reported with its error code, the others still hashed', async () => {
  const ok = await file('ok', randomBytes(20 << 20));
  const ok2 = await file('ok2', randomBytes(20 << 20));
  for (const threads of [1, 2]) {
    const digests = await hashFiles([ok, { path: join(dir, 'gone'), size: 5 }, ok2], threads);
    assert.deepEqual(digests[0], { sha256: ok.sha256 });
    assert.equal('error' in digests[1] && digests[1].error.code, 'ENOENT');
    assert.deepEqual(digests[2], { sha256: ok2.sha256 });
  }
});
