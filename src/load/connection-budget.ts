// How many connections a load opens: what the user asked for, but never more than the backup has
// work for, nor more than the server has free (less a few for others), and at least one.

/** Connections the server can still take from us: max_connections less those open, less a margin. */
export function serverHeadroom(s: { maxConnections: number; connected: number; maxUserConnections: number; userConnected: number }): number {
  const margin = 2;
  const global = s.maxConnections - s.connected - margin;
  const user = s.maxUserConnections > 0 ? s.maxUserConnections - s.userConnected - 1 : Infinity;
  return Math.min(global, user);
}

export function loadConnections(requested: number, tasks: number, headroom: number): { count: number; limitedBy?: 'backup' | 'server' } {
  const wanted = Math.max(1, Math.floor(requested));
  const byWork = Math.max(1, tasks);
  const byServer = Math.max(1, Math.floor(headroom));
  const count = Math.min(wanted, byWork, byServer);
  if (count === wanted) return { count };
  return { count, limitedBy: count === byServer && byServer < byWork ? 'server' : 'backup' };
}
