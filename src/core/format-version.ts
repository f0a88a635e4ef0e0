// The on-disk backup format version. Bump it when a backup written by this version can no longer be read
// by older code (or the reverse): it is part of the migration hash and the cache key, so cached `_init`
// backups of another format are never restored.
export const BACKUP_FORMAT_VERSION = 1;
