// What every command needs, resolved once by an adapter (CLI flags/env, or action inputs).
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { BackupStore } from '../backup/store.js';
import type { ProjectConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { parseDatabaseUrl, type MysqlTarget } from '../core/connection-url.js';
import { DEFAULT_LOCK_TIMEOUT_S } from '../mysql/advisory-lock.js';
import { connect } from '../mysql/connect.js';
import { createSearchClient } from '../search/client.js';
import type { Client } from '@elastic/elasticsearch';

/** How commands reach the services: the real clients, or (in tests) wrappers around them. */
export interface Clients {
  mysql: typeof connect;
  search: (url: string) => Promise<Client>;
}

export const realClients: Clients = { mysql: connect, search: createSearchClient };

export interface Context {
  config: ProjectConfig;
  clients: Clients;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  store: BackupStore;
  storageDir?: string;
  jobs: number;
  hooks: { migrate?: string; seed?: string; index?: string };
  reporter: Reporter;
  lockTimeoutS: number;
  /** Loads may turn a server's local_infile on for themselves (load/local-infile.ts). */
  enableLocalInfile: boolean;
}

export interface ContextInput {
  config: ProjectConfig;
  clients?: Clients;
  databaseUrl?: string;
  elasticsearchUrl?: string;
  backupDir?: string;
  storageDir?: string;
  jobs?: number;
  hooks?: { migrate?: string; seed?: string; index?: string };
  reporter: Reporter;
  lockTimeoutS?: number;
  enableLocalInfile?: boolean;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** Explicit values win over the config file; relative paths resolve against the project dir. */
export function makeContext(input: ContextInput): Context {
  const { config } = input;
  const under = (p: string) => (isAbsolute(p) ? p : resolve(config.projectDir, p));
  const storage = input.storageDir ?? config.storageDir;
  return {
    config,
    clients: input.clients ?? realClients,
    databaseUrl: input.databaseUrl ?? config.databaseUrl,
    elasticsearchUrl: input.elasticsearchUrl ?? config.elasticsearchUrl,
    store: new BackupStore(under(input.backupDir ?? config.backupDir)),
    storageDir: storage ? under(storage) : undefined,
    jobs: input.jobs ?? defaultJobs(),
    hooks: {
      migrate: input.hooks?.migrate ?? config.migrate.command,
      seed: input.hooks?.seed ?? config.seed.command,
      index: input.hooks?.index ?? config.index.command,
    },
    reporter: input.reporter,
    lockTimeoutS: input.lockTimeoutS ?? DEFAULT_LOCK_TIMEOUT_S,
    enableLocalInfile: input.enableLocalInfile ?? false,
  };
}

export function requireTarget(ctx: Context): MysqlTarget {
  if (!ctx.databaseUrl) {
    throw new UsageError('No database URL was given.', 'Pass --database-url mysql://user:password@host:3306/db, set DATABASE_URL, or add "databaseUrl" to olympia-data.json.');
  }
  return parseDatabaseUrl(ctx.databaseUrl);
}
