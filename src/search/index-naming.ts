// Names of the concrete indices behind an alias: `<alias>-YYYYMMDD-HHMMSS-mmm` (UTC). Sorting the names
// sorts the builds by time, and the strict pattern keeps `addons` from claiming `addons-stats-…`.

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function buildIndexName(alias: string, at: Date): string {
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1, 2)}${pad(at.getUTCDate(), 2)}`;
  const time = `${pad(at.getUTCHours(), 2)}${pad(at.getUTCMinutes(), 2)}${pad(at.getUTCSeconds(), 2)}`;
  return `${alias}-${date}-${time}-${pad(at.getUTCMilliseconds(), 3)}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `index` is one of the indices a build of `alias` creates. */
export function isBuildIndexOf(alias: string, index: string): boolean {
  return new RegExp(`^${escapeRegExp(alias)}-\\d{8}-\\d{6}-\\d{3}$`).test(index);
}
