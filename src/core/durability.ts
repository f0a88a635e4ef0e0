// When a dump waits for its files to reach the disk (fsync) before the manifest lists them.
//
// Syncing protects a backup against a power loss or OS crash in the half minute before the kernel
// writes it out on its own, and it costs the dump time: the writes compete with the server's reads.
// It matters when the dump replaces a backup, because the old one is deleted as soon as the new one
// is in place. A backup under a new name replaces nothing, and a file damaged by a crash is caught:
// load and verify refuse any file whose size or sha256 differs from the manifest.

/** `always`/`never` from --sync/--no-sync; `auto` otherwise. */
export type SyncMode = 'auto' | 'always' | 'never';

export function mustSync(mode: SyncMode, replacesBackup: boolean): boolean {
  return mode === 'always' || (mode === 'auto' && replacesBackup);
}
