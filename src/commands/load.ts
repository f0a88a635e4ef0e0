// `olympia-data load`: verify, load into a staging database, check, then swap in atomically.
// Until the single RENAME TABLE, the live database and storage are untouched; from a journal written
// just before it, the next run finishes a swap this one was killed in (backup/swap-journal.ts).
import { join } from 'node:path';
import type { BackupName } from '../core/backup-name.js';
import type { Reporter } from '../core/reporter.js';
import { totalBytes, totalRows } from '../backup/manifest.js';
import { stageAddonsServerBackup, extractStorageTar } from '../backup/stage-addons-server.js';
import { type LoadMethod, stageOlympiaBackup } from '../backup/stage-olympia.js';
import { copyBackupStorage, stageStorage, type StagedStorage } from '../backup/storage-snapshot.js';
import type { BackupKind, BackupStore } from '../backup/store.js';
import { integrityError, verifyBackup } from '../backup/verify.js';
import { acquireDatabaseLock } from '../mysql/advisory-lock.js';
import { connect, type Connection, quoteIdent } from '../mysql/connect.js';
import type { MysqlTarget } from '../mysql/connection-url.js';
import { createViews, prepareSwap, stagingNames, type SchemaObject } from '../mysql/swap-database.js';
import { recoverInterruptedLoad, swapSteps, type SwapJournal } from '../backup/swap-journal.js';
import { pathExists } from '../core/fs-checks.js';

export interface LoadOptions {
  target: MysqlTarget;
  store: BackupStore;
  name: BackupName;
  storageDir?: string;
  jobs: number;
  reporter: Reporter;
  lockTimeoutS?: number;
  /** How rows go in; `auto` (LOAD DATA when the server allows it) unless a test forces INSERTs. */
  method?: LoadMethod;
}

export interface LoadResult {
  name: BackupName;
  kind: BackupKind;
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
  storageFiles: number;
}

const SESSION = 'SET foreign_key_checks = 0, unique_checks = 0';

export async function load(opts: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const { reporter, target } = opts;
  const backup = await opts.store.find(opts.name);
  const manifest = backup.manifest;
  if (manifest) {
    reporter.info(`Verifying ${manifest.tables.length} tables, ${totalRows(manifest)} rows (${(totalBytes(manifest) / 1e6).toFixed(1)} MB)…`);
    const verified = await verifyBackup(backup.path, manifest, opts.jobs);
    if (verified.problems.length) throw integrityError(opts.name, verified);
  }

  const control = await connect(target, { database: null });
  const workers: Connection[] = [];
  let staged: StagedStorage | undefined;
  const { stage, old } = stagingNames(target.database);
  const release = await acquireDatabaseLock(control, target.database, { timeoutS: opts.lockTimeoutS ?? 600, reporter, purpose: 'the load' }).catch(async (e) => {
    await control.end().catch(() => undefined);
    throw e;
  });
  let journaled = false;
  try {
    // An interrupted load of this database is finished or undone first; what else it left (staging
    // databases it had not journaled yet) is ours to clear, as we hold its lock.
    await recoverInterruptedLoad(control, target.database, { reporter, lockTimeoutS: opts.lockTimeoutS ?? 600 });
    await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(stage)}`);
    await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(old)}`);
    await control.query(`CREATE DATABASE ${quoteIdent(stage)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    for (let i = 0; i < Math.max(1, opts.jobs); i++) {
      const w = await connect(target, { database: stage });
      await w.query(SESSION);
      workers.push(w);
    }

    let views: SchemaObject[];
    let triggers: SchemaObject[];
    let storageFill: ((dir: string) => Promise<void>) | undefined;
    let storageFiles = 0;
    if (manifest) {
      reporter.info(`Loading backup "${opts.name}" into a staging database…`);
      await stageOlympiaBackup({ dir: backup.path, manifest, workers, reporter, method: opts.method });
      views = manifest.views;
      triggers = manifest.triggers;
      if (manifest.storage) {
        storageFill = copyBackupStorage(backup.path, manifest.storage.files);
        storageFiles = manifest.storage.files.length;
      }
    } else {
      reporter.info(`Loading addons-server backup "${opts.name}" (db.sql) into a staging database…`);
      const replay = await connect(target, { database: stage, rawBytes: true });
      workers.push(replay);
      await replay.query(SESSION);
      ({ views, triggers } = await stageAddonsServerBackup({ dir: backup.path, conn: replay, reporter }));
      const tar = join(backup.path, 'storage.tar');
      if (await pathExists(tar)) storageFill = extractStorageTar(tar);
    }
    // The views are tried in the staging database first: one the server refuses (say it names a
    // database missing here) fails the load now, while nothing live has changed.
    await createViews(workers[0], views);
    if (opts.storageDir && storageFill) staged = await stageStorage(opts.storageDir, storageFill);

    const [counts] = await control.query(
      `SELECT COUNT(*) AS tables, COALESCE(SUM(TABLE_ROWS), 0) AS est FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [stage],
    );
    const tables = Number((counts as { tables: number }[])[0].tables);
    const dbs = { live: target.database, stage, old };
    const liveTriggers = await prepareSwap(control, dbs);
    const journal: SwapJournal = { ...dbs, liveTriggers, views, triggers, ...(staged ? { storage: staged.paths } : {}) };
    // From here on the journal owns the staged copies: a failed step is undone or finished as the
    // next run would after a kill, and if that fails too, the next run tries again.
    journaled = true;
    try {
      for (const step of swapSteps(control, journal)) await step.run();
    } catch (e) {
      await recoverInterruptedLoad(control, target.database, { reporter, lockTimeoutS: 0 }).catch(() => undefined);
      throw e;
    }
    return {
      name: opts.name,
      kind: backup.kind,
      tables,
      rows: manifest ? totalRows(manifest) : 0,
      bytes: manifest ? totalBytes(manifest) : backup.size,
      durationMs: Date.now() - started,
      storageFiles,
    };
  } finally {
    await Promise.all(workers.map((w) => w.end().catch(() => undefined)));
    if (!journaled) {
      if (staged) await staged.discard().catch(() => undefined);
      await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(stage)}`).catch(() => undefined);
    }
    await release();
    await control.end().catch(() => undefined);
  }
}
