// mysql2 (3.24) splits a command longer than one protocol packet into 16 MiB - 1 frames, but counts
// the 4-byte header of its buffer as payload when it decides how many frames to send. When the
// payload's last frame would hold the last 3 bytes short of a full one, it sends one empty frame
// too many: the server reads that as a new, empty command, the reply's sequence number is not the
// one mysql2 waits for, and the connection is lost. A statement that would land there gets trailing
// spaces, which change nothing in SQL, so it lands elsewhere.

const MAX_FRAME = 0xffffff;
/** The command byte, and the two count bytes MySQL 8 adds when query attributes are on. */
const HEADERS = [1, 3];
const PAD = '    ';

/** Whether a command payload of `length` bytes makes mysql2 send one frame too many. */
export function lostByMysql2(length: number): boolean {
  return length % MAX_FRAME > MAX_FRAME - 4;
}

/**
 * `sql`, with spaces after it when any way mysql2 may encode it (UTF-8 or one byte per char, with or
 * without query attributes) would give a payload it frames wrongly.
 */
export function avoidLostFrames(sql: string): string {
  // Fewer than a third of a frame's chars cannot make a frame in any encoding.
  if (sql.length < (MAX_FRAME - 3) / 3 - 3) return sql;
  let out = sql;
  while (lengths(out).some(lostByMysql2)) out += PAD;
  return out;
}

function lengths(sql: string): number[] {
  const sizes = [Buffer.byteLength(sql, 'utf8'), sql.length];
  return HEADERS.flatMap((h) => sizes.map((s) => h + s));
}
