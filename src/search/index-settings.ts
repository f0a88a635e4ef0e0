// The settings and mappings of a native index definition. Elasticsearch accepts settings nested
// ({"index": {"number_of_replicas": 1}}), dotted ("index.number_of_replicas") or without the "index."
// prefix; we flatten them all to dotted `index.*` keys so the build can override exactly the two settings
// it needs (no replicas, no refresh while loading) and put the user's values back afterwards.
import { UsageError } from '../core/errors.js';

export type FlatSettings = Record<string, unknown>;

const REPLICAS = 'index.number_of_replicas';
const REFRESH = 'index.refresh_interval';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens a settings document (optionally wrapped in {"settings": …}) to `index.*` keys. */
export function flattenSettings(raw: unknown, where = 'settings'): FlatSettings {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new UsageError(`${where} must hold a JSON object.`);
  const root = Object.keys(raw).length === 1 && isPlainObject(raw.settings) ? raw.settings : raw;
  const flat: FlatSettings = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isPlainObject(v)) walk(v, key);
      else flat[key.startsWith('index.') ? key : `index.${key}`] = v;
    }
  };
  walk(root, '');
  return flat;
}

/** The settings the new index is created with: the user's, with replicas and refresh off for the load. */
export function loadingSettings(user: FlatSettings): FlatSettings {
  return { ...user, [REPLICAS]: 0, [REFRESH]: '-1' };
}

/** The settings put back after the load: the user's values, or null, which restores Elasticsearch's default. */
export function servingSettings(user: FlatSettings): FlatSettings {
  return { [REPLICAS]: user[REPLICAS] ?? null, [REFRESH]: user[REFRESH] ?? null };
}

/** Accepts a mappings document with or without the {"mappings": …} wrapper. */
export function unwrapMappings(raw: unknown, where = 'mappings'): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) throw new UsageError(`${where} must hold a JSON object.`);
  return Object.keys(raw).length === 1 && isPlainObject(raw.mappings) ? raw.mappings : raw;
}
