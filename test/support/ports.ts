// Ports for servers a test starts itself.
import { createServer } from 'node:net';

/** A port nothing listens on right now (the kernel's pick), so parallel test files and checkouts do not collide. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as { port: number };
  await new Promise((ok) => probe.close(ok));
  return port;
}
