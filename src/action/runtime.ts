// Everything the action's run needs from outside itself, in one object handed to it, as actions/cache
// hands its state provider around: the runner (inputs, outputs, log, summary), the cache and artifact
// services, and the engine's commands. `realRuntime()` is what dist/index.js runs; unit tests pass fakes.
import * as core from '@actions/core';
import type { BackupName } from '../core/backup-name.js';
import { dumpBackup } from '../commands/dump.js';
import { initialize, seedCommand } from '../commands/initialize.js';
import { findBackup } from '../commands/list.js';
import { loadCommand } from '../commands/load.js';
import { databaseServerVersion, servicesUp, stopStartedContainers } from '../commands/services.js';
import type { DownloadOptions, PublishResult } from './artifact-source.js';
import type { CacheCallOptions, RestoreResult, SaveResult } from './cache-types.js';

/** The runner's side: what @actions/core reads and writes. */
export interface ActionIO {
  getInput(name: string): string;
  getMultilineInput(name: string): string[];
  /** Registers a value with the runner's log masking. */
  setSecret(value: string): void;
  setOutput(name: string, value: string): void;
  /** Hands a value from the main step to the post step (and reads it there). */
  saveState(name: string, value: string): void;
  getState(name: string): string;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  startGroup(title: string): void;
  endGroup(): void;
  writeSummary(markdown: string): Promise<void>;
  /** Fails the step with one error annotation, on a file (workspace-relative) and line when given. */
  setFailed(message: string, location?: { file: string; line?: number }): void;
  env: NodeJS.ProcessEnv;
}

/** The Actions cache, for `_init` only. Never throws: trouble is a miss or an unsaved entry, and logged. */
export interface InitCache {
  restore(paths: string[], key: string, restoreKeys: string[], options?: CacheCallOptions): Promise<RestoreResult>;
  save(paths: string[], key: string, options?: CacheCallOptions): Promise<SaveResult>;
}

/** Workflow artifacts: published backups. These throw typed errors; the run decides what is fatal. */
export interface BackupArtifacts {
  download(name: BackupName, backupDir: string, options: DownloadOptions): Promise<string>;
  publish(dir: string, name: BackupName, retentionDays?: number): Promise<PublishResult>;
}

/** The commands the action calls: the same doors the CLI uses. */
export interface ActionEngine {
  servicesUp: typeof servicesUp;
  serverVersion: typeof databaseServerVersion;
  stopContainers: typeof stopStartedContainers;
  initialize: typeof initialize;
  seed: typeof seedCommand;
  dump: typeof dumpBackup;
  load: typeof loadCommand;
  findBackup: typeof findBackup;
}

export interface ActionRuntime {
  io: ActionIO;
  cache: InitCache;
  artifacts: BackupArtifacts;
  engine: ActionEngine;
}

export function realIO(): ActionIO {
  const masked = new Set<string>();
  return {
    getInput: (name) => core.getInput(name),
    getMultilineInput: (name) => core.getMultilineInput(name),
    setSecret: (value) => {
      if (!value || masked.has(value)) return;
      masked.add(value);
      core.setSecret(value);
    },
    setOutput: (name, value) => core.setOutput(name, value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    debug: (m) => core.debug(m),
    startGroup: (t) => core.startGroup(t),
    endGroup: () => core.endGroup(),
    writeSummary: async (markdown) => void (await core.summary.addRaw(markdown).write()),
    setFailed: (m, location) => {
      if (!location) return core.setFailed(m);
      core.error(m, { file: location.file, startLine: location.line });
      process.exitCode = core.ExitCode.Failure;
    },
    env: process.env,
  };
}

/**
 * The real runtime. The cache and artifact libraries are loaded on first use only (separate chunks of the
 * bundle): most runs never publish, and a run with the cache off never touches it.
 */
export function realRuntime(io: ActionIO = realIO()): ActionRuntime {
  return {
    io,
    cache: {
      restore: async (...args) => (await import('./cache.js')).restoreInit(...args),
      save: async (...args) => (await import('./cache.js')).saveInit(...args),
    },
    artifacts: {
      download: async (name, dir, options) => (await import('./artifact.js')).downloadBackup(name, dir, options, io.info),
      publish: async (...args) => (await import('./artifact.js')).publishBackup(...args),
    },
    engine: {
      servicesUp,
      serverVersion: databaseServerVersion,
      stopContainers: stopStartedContainers,
      initialize,
      seed: seedCommand,
      dump: dumpBackup,
      load: loadCommand,
      findBackup,
    },
  };
}
