// Names of the action's inputs, outputs and saved state: the one place they are spelled, matching action.yml.

export enum Inputs {
  Command = 'command',
  Clean = 'clean',
  Load = 'load',
  SkipSeed = 'skip-seed',
  SkipIndex = 'skip-index',
  EnableLocalInfile = 'enable-local-infile',
  Services = 'services',
  MysqlImage = 'mysql-image',
  ElasticsearchImage = 'elasticsearch-image',
  DatabaseUrl = 'database-url',
  ElasticsearchUrl = 'elasticsearch-url',
  BackupDir = 'backup-dir',
  StorageDir = 'storage-dir',
  Migrations = 'migrations',
  Cache = 'cache',
  CacheKeyPrefix = 'cache-key-prefix',
  CacheKeyServer = 'cache-key-server',
  RestoreKeys = 'restore-keys',
  LookupOnly = 'lookup-only',
  FailOnCacheMiss = 'fail-on-cache-miss',
  Incremental = 'incremental',
  MigrateCommand = 'migrate-command',
  SeedCommand = 'seed-command',
  IndexCommand = 'index-command',
  WorkingDirectory = 'working-directory',
  Publish = 'publish',
  RetentionDays = 'retention-days',
  Artifact = 'artifact',
  GithubToken = 'github-token',
}

export enum Outputs {
  CacheHit = 'cache-hit',
  CacheKey = 'cache-key',
  CachePrimaryKey = 'cache-primary-key',
  CacheMatchedKey = 'cache-matched-key',
  MigrationHash = 'migration-hash',
  Loaded = 'loaded',
  Seeded = 'seeded',
  Indexed = 'indexed',
  BackupPath = 'backup-path',
  ArtifactId = 'artifact-id',
  DatabaseUrl = 'database-url',
  ElasticsearchUrl = 'elasticsearch-url',
}

/** Values the main step hands to the post step (core.saveState / core.getState). */
export enum State {
  IsPost = 'isPost',
  /** JSON list of the container names `services: docker` started in this job. */
  StartedContainers = 'startedContainers',
}

export const Commands = ['initialize', 'seed', 'dump', 'load'] as const;
export type Command = (typeof Commands)[number];

export const ServiceModes = ['docker', 'external', 'local'] as const;
export type ServiceMode = (typeof ServiceModes)[number];
