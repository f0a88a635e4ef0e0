// Sends a statement built as bytes, as they are. mysql2 takes a statement as a string and encodes
// it into a new buffer; a statement of many megabytes built as bytes would be decoded into a string
// only to be encoded back, and the garbage collector would run after every few such copies. So the
// command is started with an empty statement, and the one packet it writes is replaced by the
// caller's buffer, in which room was kept before the SQL for the packet's header.
import mysql from 'mysql2';
import type { Connection } from './connect.js';
import { lostByMysql2 } from './packet-boundary.js';

/** Bytes a statement buffer keeps free before its SQL: the 4-byte header and up to 3 command bytes. */
export const STATEMENT_HEADROOM = 7;

const COM_QUERY = 0x03;

interface Packet {
  buffer: Buffer;
}
type PacketClass = new (id: number, buffer: Buffer, start: number, end: number) => Packet;

interface RawConnection {
  config: unknown;
  writePacket(packet: Packet): void;
  query(cmd: unknown): unknown;
}

interface QueryCommand {
  start(packet: unknown, connection: RawConnection): unknown;
}

export interface BytesResult {
  affectedRows: number;
  warningStatus: number;
}

type CreateQuery = (sql: string, values: undefined, cb: (err: Error | null, result: BytesResult) => void, config: unknown) => QueryCommand;
/** mysql2 exports it, though its typings do not name it. */
const createQuery = (mysql as unknown as { createQuery: CreateQuery }).createQuery;

/**
 * The packet for `statement` (STATEMENT_HEADROOM bytes, then the SQL), given the one mysql2 made for
 * an empty statement: its header and command bytes, then the SQL. Trailing spaces are added where
 * mysql2 would frame the payload wrongly (packet-boundary.ts).
 */
export function statementPacket(empty: Buffer, statement: Buffer): Buffer {
  const command = empty.subarray(4);
  if (empty.length < 5 || empty.length > STATEMENT_HEADROOM || command[0] !== COM_QUERY) {
    throw new Error('mysql2 wrote an unexpected packet for a query; this version of mysql2 is not supported');
  }
  const sql = statement.subarray(STATEMENT_HEADROOM);
  let pad = 0;
  while (lostByMysql2(command.length + sql.length + pad)) pad += 4;
  let packet: Buffer;
  if (pad === 0) packet = statement.subarray(STATEMENT_HEADROOM - 4 - command.length);
  else {
    packet = Buffer.alloc(4 + command.length + sql.length + pad, 0x20);
    sql.copy(packet, 4 + command.length);
  }
  command.copy(packet, 4);
  return packet;
}

/** Runs the statement in `statement` (STATEMENT_HEADROOM bytes, then the SQL) on `conn`. */
export function queryBytes(conn: Connection, statement: Buffer): Promise<BytesResult> {
  const raw = (conn as unknown as { connection: RawConnection }).connection;
  return new Promise((resolve, reject) => {
    const cmd = createQuery('', undefined, (err, result) => (err ? reject(err) : resolve(result)), raw.config);
    const start = cmd.start;
    // The swap happens when the command starts, which may be after this call if the connection is busy.
    cmd.start = function (this: QueryCommand, packet, connection) {
      const write = connection.writePacket;
      connection.writePacket = function (this: RawConnection, empty: Packet) {
        const bytes = statementPacket(empty.buffer, statement);
        const Made = empty.constructor as PacketClass;
        write.call(this, new Made(0, bytes, 0, bytes.length));
      };
      try {
        return start.call(this, packet, connection);
      } finally {
        connection.writePacket = write;
      }
    };
    raw.query(cmd);
  });
}
