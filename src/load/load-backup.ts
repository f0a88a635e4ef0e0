// `olympia-data load`: verify, load into a staging database, check, then swap in atomically.
// Until the single RENAME TABLE, the live database and storage are untouched; from a journal written
// just before it, the next run finishes a swap this one was killed in (load/swap-journal.ts).
// Into a database with no tables, views or triggers (a fresh CI database, say) a backup of this
// tool's format is loaded directly, with no staging copy to rename: a journal written before the
// first table lets the next run empty the database again should this one be killed.
// A backup is untrusted: its SQL runs confined to the database it is loaded into, staging or the
// empty target (load/confinement.ts), and its views and triggers are recreated as statements the
// load controls (load/schema-objects.ts).
import { join } from 'node:path';
import type { BackupName } from '../core/backup-name.js';
import type { Reporter } from '../core/reporter.js';
import { formatBytes } from '../core/format.js';
import { totalBytes, totalRows } from '../backup/manifest.js';
import { stageAddonsServerBackup } from './stage-addons-server.js';
import { extractStorageTar } from './storage-archive.js';
import { type LoadMethod, stageManifestBackup } from './stage-manifest-backup.js';
import { copyBackupStorage, stageStorage, type StagedStorage } from '../backup/storage-snapshot.js';
import type { BackupKind, BackupStore } from '../backup/store.js';
import { integrityError, verifyBackup } from '../backup/verify.js';
import { acquireDatabaseLock, DEFAULT_LOCK_TIMEOUT_S } from '../mysql/advisory-lock.js';
import { connect, type Connection, quoteIdent } from '../mysql/connect.js';
import type { MysqlTarget } from '../core/connection-url.js';
import { serverFlavor } from '../mysql/server-flavor.js';
import { createLiveIfMissing, prepareSwap, stagingNames } from './swap-database.js';
import { beginFill, narrowFill, fillSteps, recoverInterruptedLoad, swapSteps, type SwapJournal } from './swap-journal.js';
import { pathExists } from '../core/fs-checks.js';
import { type ConfinementMode, openStagingAccess, type StagingAccess, statementGuard } from './confinement.js';
import { loadConnections, serverHeadroom } from './connection-budget.js';
import { checkObject, prepareDefiner, rewriteObjects, type SchemaObjects, tryObjectsInStage } from './schema-objects.js';
import { tableStatement } from './statement-check.js';
import { listTables } from '../mysql/schema.js';
import { enableLocalInfileForLoad } from './local-infile.js';

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
  /**
   * A connection of the caller that holds the database's lock already (initialize and seed load under
   * theirs). The load runs its own statements on it, so the lock lasts exactly as long as any of them:
   * a killed run's RENAME TABLE ends on the server before the lock frees another run.
   */
  lockedConnection?: Connection;
  /** Turn a server's local_infile on for the load and off after, if it is off and the user may (load/local-infile.ts). */
  enableLocalInfile?: boolean;
  /** Called once everything is staged and checked, just before the live data is swapped. */
  beforeSwap?: () => Promise<unknown>;
}

export interface LoadResult {
  name: BackupName;
  kind: BackupKind;
  tables: number;
  rows: number;
  bytes: number;
  durationMs: number;
  storageFiles: number;
  /** How the backup's SQL was confined: a load account, or checked statements. */
  confinement: ConfinementMode;
  /** Connections the load used. */
  connections: number;
}

// Unique checks stay on for a backup's rows: a table created whole keeps its unique indexes honest.
const SESSION = 'SET foreign_key_checks = 0';
// A db.sql sets these itself, as mysqldump writes them; the same, in case it does not.
const REPLAY_SESSION = 'SET foreign_key_checks = 0, unique_checks = 0';

/** Connections the server can still take: SHOW STATUS and the user's own processes need no privilege. */
async function headroom(control: Connection, user: string): Promise<number> {
  const [limits] = await control.query('SELECT @@max_connections AS maxc, @@max_user_connections AS maxu');
  const [status] = await control.query("SHOW GLOBAL STATUS LIKE 'Threads_connected'");
  const [mine] = await control.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
  const l = (limits as { maxc: number | string; maxu: number | string }[])[0];
  return serverHeadroom({
    maxConnections: Number(l.maxc),
    connected: Number((status as { Value: string }[])[0]?.Value ?? 1),
    maxUserConnections: Number(l.maxu),
    userConnected: Number((mine as { n: number | string }[])[0].n),
  });
}

/** Whether the database is missing or holds no table, view or trigger (triggers need tables). */
async function isEmptyDatabase(control: Connection, database: string): Promise<boolean> {
  const [r] = await control.query('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [database]);
  return Number((r as { n: number | string }[])[0].n) === 0;
}

export async function load(opts: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const { reporter, target } = opts;
  const backup = await opts.store.find(opts.name);
  const manifest = backup.manifest;
  if (manifest) {
    reporter.info(`Verifying ${manifest.tables.length} tables, ${totalRows(manifest).toLocaleString('en-US')} rows (${formatBytes(totalBytes(manifest))})…`);
    const verified = await verifyBackup(backup.path, manifest, opts.jobs);
    if (verified.problems.length) throw integrityError(opts.name, verified);
  }

  const control = opts.lockedConnection ?? (await connect(target, { database: null }));
  const closeControl = async () => {
    if (!opts.lockedConnection) await control.end().catch(() => undefined);
  };
  const workers: Connection[] = [];
  let staged: StagedStorage | undefined;
  let access: StagingAccess | undefined;
  const dbs = { live: target.database, ...stagingNames(target.database) };
  const { stage, old } = dbs;
  const release = opts.lockedConnection
    ? async () => undefined
    : await acquireDatabaseLock(control, target.database, { timeoutS: opts.lockTimeoutS ?? DEFAULT_LOCK_TIMEOUT_S, reporter, purpose: 'the load' }).catch(async (e) => {
        await closeControl();
        throw e;
      });
  // Set once a journal exists: from then on a failure is undone (or finished) as the next run would after a kill.
  let journaled = false;
  let fill: SwapJournal | undefined;
  // What a direct fill did create: on its own failure, all the recovery may drop.
  const created = { tables: new Set<string>(), views: new Set<string>() };
  let stagedOwned = false;
  try {
    // An interrupted load of this database is finished or undone first; what else it left (staging
    // databases it had not journaled yet) is ours to clear, as we hold its lock.
    await recoverInterruptedLoad(control, target, { reporter, lockTimeoutS: opts.lockTimeoutS ?? DEFAULT_LOCK_TIMEOUT_S, lockHeld: true });
    const server = await serverFlavor(control);
    // What the manifest asks to create is checked before anything is: a malformed one changes nothing.
    let objects: SchemaObjects | undefined;
    if (manifest) {
      for (const t of manifest.tables) tableStatement(t.name, t.createSql, server);
      objects = rewriteObjects(manifest, server);
    }
    await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(stage)}`);
    await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(old)}`);
    const direct = manifest !== undefined && (await isEmptyDatabase(control, target.database));
    let into = stage;
    if (direct) {
      await opts.beforeSwap?.();
      const createdLive = await createLiveIfMissing(control, target.database);
      fill = {
        ...dbs,
        liveTriggers: [],
        views: objects!.views,
        triggers: objects!.triggers,
        fill: { tables: manifest.tables.map((t) => t.name) },
        ...(createdLive ? { createdLive } : {}),
      };
      await beginFill(control, fill);
      journaled = true;
      into = target.database;
    } else await control.query(`CREATE DATABASE ${quoteIdent(stage)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    access = await openStagingAccess(control, target, into, reporter);

    const tasks = manifest ? manifest.tables.reduce((n, t) => n + Math.max(1, t.files.length), 0) : 1;
    const budget = loadConnections(opts.jobs, tasks, await headroom(control, access.target.user));
    if (budget.limitedBy === 'server') reporter.warn(`The server has room for ${budget.count} more connection(s), so the load uses ${budget.count} instead of ${opts.jobs}.`);

    let storageFill: ((dir: string) => Promise<void>) | undefined;
    let storageFiles = 0;
    if (manifest) {
      for (let i = 0; i < budget.count; i++) {
        const w = await connect(access.target);
        await w.query(SESSION);
        workers.push(w);
      }
      reporter.info(direct ? `Loading backup "${opts.name}" straight into the empty "${target.database}"…` : `Loading backup "${opts.name}" into a staging database…`);
      const guard = statementGuard(
        access.mode,
        server,
        manifest.tables.map((t) => t.name),
      );
      const infile = await enableLocalInfileForLoad(control, opts.enableLocalInfile ?? false, reporter);
      try {
        await stageManifestBackup({ dir: backup.path, manifest, workers, reporter, method: opts.method, guard, created: created.tables });
      } finally {
        await infile.restore();
      }
      if (manifest.storage) {
        storageFill = copyBackupStorage(backup.path, manifest.storage.files);
        storageFiles = manifest.storage.files.length;
      }
    } else {
      reporter.info(`Loading addons-server backup "${opts.name}" (db.sql) into a staging database…`);
      const replay = await connect(access.target, { rawBytes: true, noLocalFiles: true });
      workers.push(replay);
      await replay.query(REPLAY_SESSION);
      const found = await stageAddonsServerBackup({ dir: backup.path, conn: replay, stage, reporter, guard: statementGuard(access.mode, server) });
      objects = rewriteObjects(found, server);
      const tar = join(backup.path, 'storage.tar');
      if (await pathExists(tar)) storageFill = extractStorageTar(tar);
    }
    const stagedTables = new Set((await listTables(control, into)).tables.map((t) => t.name.toLowerCase()));
    // Views and triggers are tried in the staging database first: one the server refuses fails the
    // load now, while nothing live has changed.
    await tryObjectsInStage(workers[0], objects!, access.mode, server, stagedTables, created.views);
    if (objects!.triggers.length + objects!.views.length > 0 && (access.mode === 'checked' || !(await prepareDefiner(control, target.database)))) {
      // They will be created as the user after the swap: check them now, while a refusal changes nothing.
      for (const v of objects!.views) checkObject('view', v, server, stagedTables);
      for (const t of objects!.triggers) checkObject('trigger', t, server, stagedTables);
    }
    // No statement of the backup runs past this point: the load account goes before the swap.
    await Promise.all(workers.splice(0).map((w) => w.end().catch(() => undefined)));
    await access.close();
    if (opts.storageDir && storageFill) staged = await stageStorage(opts.storageDir, storageFill);

    const [counts] = await control.query(
      `SELECT COUNT(*) AS tables, COALESCE(SUM(TABLE_ROWS), 0) AS est FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'`,
      [into],
    );
    const tables = Number((counts as { tables: number }[])[0].tables);
    const ctx = { conn: control, target, server, reporter };
    let steps;
    if (fill) steps = fillSteps(ctx, { ...fill, ...(staged ? { storage: staged.paths } : {}) });
    else {
      await opts.beforeSwap?.();
      const { liveTriggers, createdLive } = await prepareSwap(control, dbs);
      const journal: SwapJournal = {
        ...dbs,
        liveTriggers,
        views: objects!.views,
        triggers: objects!.triggers,
        ...(staged ? { storage: staged.paths } : {}),
        ...(createdLive ? { createdLive } : {}),
      };
      // From here on the journal owns the staged copies: a failed step is undone or finished as the
      // next run would after a kill, and if that fails too, the next run tries again.
      journaled = true;
      steps = swapSteps(ctx, journal);
    }
    // From the first step on, the journal is given the staged storage: a failure leaves it to the
    // recovery (or, should the journal not have it yet, to the next load, which clears such copies).
    if (staged) stagedOwned = true;
    for (const step of steps) await step.run();
    return {
      name: opts.name,
      kind: backup.kind,
      tables,
      rows: manifest ? totalRows(manifest) : 0,
      bytes: manifest ? totalBytes(manifest) : backup.size,
      durationMs: Date.now() - started,
      storageFiles,
      confinement: access.mode,
      connections: manifest ? budget.count : 1,
    };
  } catch (e) {
    if (journaled) {
      await Promise.all(workers.splice(0).map((w) => w.end().catch(() => undefined)));
      await access?.close();
      // A staged storage copy the journal does not know yet is this run's to discard.
      if (staged && !stagedOwned) await staged.discard().catch(() => undefined);
      if (fill) await narrowFill(control, fill, created).catch(() => undefined);
      // Its own failure, not an interruption: the error says what happened; the recovery's warning would not.
      await recoverInterruptedLoad(control, target, { reporter: { ...reporter, warn: () => undefined }, lockTimeoutS: 0, lockHeld: true }).catch(() => undefined);
    }
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.end().catch(() => undefined)));
    await access?.close();
    if (!journaled) {
      if (staged) await staged.discard().catch(() => undefined);
      await control.query(`DROP DATABASE IF EXISTS ${quoteIdent(stage)}`).catch(() => undefined);
    }
    await release();
    await closeControl();
  }
}
