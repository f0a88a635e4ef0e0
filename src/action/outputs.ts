// The action's outputs, as a pure mapping from what the run found out (so the spelling of every value is
// tested once), and the one function that hands them to the runner.
import { Outputs } from './constants.js';
import type { ActionIO } from './runtime.js';

export interface RunRecord {
  cacheHit: boolean;
  cacheKey?: string;
  /** The key of the entry restored (the exact key, or an older one through a restore key). */
  cacheMatchedKey?: string;
  migrationHash?: string;
  loaded?: string;
  seeded: boolean;
  indexed: boolean;
  backupPath?: string;
  artifactId?: number;
  databaseUrl?: string;
  elasticsearchUrl?: string;
}

/** Every output, always set (empty when unknown), so `steps.x.outputs.y` never depends on how far a run got. */
export function outputValues(r: RunRecord): Record<Outputs, string> {
  return {
    [Outputs.CacheHit]: String(r.cacheHit),
    [Outputs.CacheKey]: r.cacheKey ?? '',
    [Outputs.CachePrimaryKey]: r.cacheKey ?? '',
    [Outputs.CacheMatchedKey]: r.cacheMatchedKey ?? '',
    [Outputs.MigrationHash]: r.migrationHash ?? '',
    [Outputs.Loaded]: r.loaded ?? '',
    [Outputs.Seeded]: String(r.seeded),
    [Outputs.Indexed]: String(r.indexed),
    [Outputs.BackupPath]: r.backupPath ?? '',
    [Outputs.ArtifactId]: r.artifactId === undefined ? '' : String(r.artifactId),
    // The URLs as they are, so a later step can connect: their passwords were registered with the
    // runner's masking, which hides them in every log line.
    [Outputs.DatabaseUrl]: r.databaseUrl ?? '',
    [Outputs.ElasticsearchUrl]: r.elasticsearchUrl ?? '',
  };
}

export function setOutputs(io: Pick<ActionIO, 'setOutput'>, r: RunRecord): void {
  for (const [name, value] of Object.entries(outputValues(r))) io.setOutput(name, value);
}
