import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { ConnectionError, ExitCode } from '../../src/core/errors.js';
import { parseDatabaseUrl } from '../../src/core/connection-url.js';
import { waitForMysql } from '../../src/services/wait.js';
import { freshDatabase } from '../harness/mariadb.js';

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

describe('waitForMysql', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  before(async () => {
    db = await freshDatabase('wait');
  });
  after(async () => {
    await db?.drop();
  });

  test('resolves as soon as the server answers', async () => {
    let retries = 0;
    await waitForMysql(db.url, { timeoutMs: 10_000, onRetry: () => retries++ });
    assert.equal(retries, 0);
  });

  test('waits for the server, not the database: a database initialize will create is fine', async () => {
    const u = new URL(db.url);
    u.pathname = '/not_created_yet';
    await waitForMysql(u.toString(), { timeoutMs: 10_000 });
  });

  test('a closed port fails after the bound, naming the service, the masked URL, the attempts and ECONNREFUSED', { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const secret = 'closed-port-secret';
    const url = `mysql://app:${secret}@127.0.0.1:${port}/olympia`;
    let retries = 0;
    await assert.rejects(waitForMysql(url, { timeoutMs: 1500, intervalMs: 200, onRetry: () => retries++ }), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.exitCode, ExitCode.connection);
      assert.match(e.message, /^MySQL at mysql:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/olympia was not ready within 1\.5 s \(\d+ attempts in [\d.]+ s\)/);
      assert.match(e.message, /ECONNREFUSED/);
      assert.ok(!e.message.includes(secret) && !(e.hint ?? '').includes(secret));
      return true;
    });
    assert.ok(retries >= 1, 'it retried before giving up');
  });

  test('a server that accepts and drops connections (a port proxy before MySQL is up) is retried, then reported', { timeout: 30_000 }, async () => {
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    let retries = 0;
    try {
      await assert.rejects(waitForMysql(`mysql://root:pw@127.0.0.1:${port}/olympia`, { timeoutMs: 1500, intervalMs: 200, onRetry: () => retries++ }), ConnectionError);
    } finally {
      server.close();
    }
    assert.ok(retries >= 1);
  });

  test('a wrong password fails at once with "access denied", without waiting out the bound or showing the password', { timeout: 30_000 }, async () => {
    const wrong = 'definitely-wrong-password';
    const url = withPassword(db.url, wrong);
    const user = parseDatabaseUrl(db.url).user;
    let retries = 0;
    await assert.rejects(
      // A bound far beyond the test's own timeout: only failing fast can pass.
      waitForMysql(url, { timeoutMs: 600_000, onRetry: () => retries++ }),
      (e: unknown) => {
        assert.ok(e instanceof ConnectionError);
        assert.match(e.message, new RegExp(`access denied for user '${user}'`));
        assert.ok(e.message.includes('***'), 'the URL is shown masked');
        assert.ok(!e.message.includes(wrong) && !(e.hint ?? '').includes(wrong));
        return true;
      },
    );
    assert.equal(retries, 0);
  });
});
