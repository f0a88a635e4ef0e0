// The server sends a result set in writes the size of the connection's network buffer:
// net_buffer_length, 16 KB by default. A packet from the client larger than that buffer grows it,
// and MariaDB and MySQL keep it grown for the rest of the connection (nothing shrinks it but
// Percona's opt-in net_buffer_shrink_interval). A session cannot set net_buffer_length for itself
// (read-only), so a dump connection sends one large no-op statement first: the server then writes
// its rows about 1 MB at a time instead of 16 KB, some 60 times fewer writes and wake-ups on both
// sides of the socket for the same bytes. The price: 1 MB sent once per connection, and a 1 MB line
// in the general query log where that log is on.
import type { Connection } from './connect.js';

/** The server-side write size a dump connection asks for. */
export const WIDE_SERVER_WRITES = 1 << 20;

// `DO 0` evaluates a constant and sends back an OK packet; the comment is what the server reads
// into its buffer (a comment, not bare spaces: mysql2 looks for placeholders character by
// character but skips a comment in one indexOf, several times faster). Half of
// max_allowed_packet at most, so a server with a small limit is never sent a statement it refuses
// (which would also close the connection).
const OPEN = 'DO 0 /*';
const CLOSE = '*/';

/**
 * The statement whose packet grows the server's buffer to about `bytes`, or undefined where it
 * would not grow it (a buffer already that large, or a max_allowed_packet too small to gain).
 */
export function bufferWideningStatement(bytes: number, server: { maxAllowedPacket: number; netBufferLength: number }): string | undefined {
  const size = Math.min(bytes, Math.floor(server.maxAllowedPacket / 2));
  if (size <= server.netBufferLength || size <= 1 + OPEN.length + CLOSE.length) return undefined;
  // The packet holds a command byte before the statement.
  return OPEN + ' '.repeat(size - 1 - OPEN.length - CLOSE.length) + CLOSE;
}

/**
 * Grows the server's network buffer for this connection. Only a speed-up, so it never throws: a
 * server or proxy that refuses it still gets the dump (and a connection it broke fails the next query).
 */
export async function widenServerWrites(conn: Connection, bytes = WIDE_SERVER_WRITES): Promise<void> {
  try {
    const [rows] = await conn.query('SELECT @@max_allowed_packet AS maxAllowedPacket, @@net_buffer_length AS netBufferLength');
    const row = (rows as { maxAllowedPacket: number | string; netBufferLength: number | string }[])[0];
    const statement = bufferWideningStatement(bytes, { maxAllowedPacket: Number(row.maxAllowedPacket), netBufferLength: Number(row.netBufferLength) });
    if (statement) await conn.query(statement);
  } catch {
    // Left at the server's default write size.
  }
}
