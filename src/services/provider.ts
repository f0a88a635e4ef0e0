// The one interface behind `olympia-data up` / `down` / `reset` and the action's `services` input.
// A provider makes MySQL (and, when wanted, Elasticsearch) reachable and says where they are.
import { silentReporter, type Reporter } from '../core/reporter.js';
import { DEFAULT_MYSQL_IMAGE, elasticsearchImage } from './docker-args.js';
import { resolveEsVersion } from './elasticsearch-download.js';

/** The password of the services `up` starts when no database URL chooses one (documented in the README). */
export const DEV_PASSWORD = 'olympia-dev-pw';

export const PROVIDER_NAMES = ['docker', 'external', 'local'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Where the services are once `up` returns; both are ready to serve. */
export interface Services {
  /** mysql://user:password@host:port/database — the password is real; print it only through maskUrl. */
  databaseUrl: string;
  elasticsearchUrl?: string;
  /** Containers this call created or started (docker), for the action's post step to stop; reused ones are not listed. */
  started?: string[];
}

export interface MysqlServiceOptions {
  /** Docker image (docker provider). */
  image: string;
  /** Host port, always bound to 127.0.0.1 (docker, local). */
  port: number;
  /** Docker: MYSQL_ROOT_PASSWORD; the URL connects as root. */
  rootPassword: string;
  /** Local: the application user created with all privileges (the URL connects as this user). */
  user: string;
  password: string;
  /** Docker: named volume for /var/lib/mysql — `down` keeps it, `reset` removes it. */
  volume: string;
  containerName: string;
  /** Local: InnoDB buffer pool, e.g. '256M'. */
  bufferPoolSize: string;
}

export interface ElasticsearchServiceOptions {
  /** Docker image; derived from `version` unless given. */
  image: string;
  version: string;
  port: number;
  /** JVM heap, e.g. '512m' (both -Xms and -Xmx). */
  heap: string;
  containerName: string;
}

export interface ServiceOptions {
  reporter: Reporter;
  /** The application's database, created by `up` (docker, local). */
  database: string;
  /** False when no search service is wanted (e.g. --skip-index, or a project without indices). */
  elasticsearch: boolean;
  mysql: MysqlServiceOptions;
  es: ElasticsearchServiceOptions;
  /** External provider: the URLs of services someone else runs. */
  databaseUrl?: string;
  elasticsearchUrl?: string;
  /** Local provider: where the private servers keep their data, logs, sockets and pid files. */
  stateDir: string;
  /** Upper bounds for the readiness waits. */
  timeouts: { mysqlMs: number; elasticsearchMs: number };
}

export interface ServiceProvider {
  readonly name: ProviderName;
  /** Starts (or reuses) the services and waits until they answer. Idempotent. */
  up(opts: ServiceOptions): Promise<Services>;
  /** Stops what `up` started; keeps the data. Returns what it stopped (nothing when nothing ran). */
  down(opts: ServiceOptions): Promise<string[]>;
  /** `down`, then removes the data too. Absent where the provider does not own the data (external). */
  reset?(opts: ServiceOptions): Promise<void>;
}

export type ServiceOptionsInput = Partial<Omit<ServiceOptions, 'mysql' | 'es' | 'timeouts'>> & {
  mysql?: Partial<MysqlServiceOptions>;
  es?: Partial<ElasticsearchServiceOptions>;
  timeouts?: Partial<ServiceOptions['timeouts']>;
};

/** Drops keys whose value is undefined, so an unset flag never overrides a default. */
function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Fills in defaults; an explicit ES image wins over one derived from the version. Throws UsageError for a bad version. */
export function serviceOptions(input: ServiceOptionsInput = {}): ServiceOptions {
  // `7.17` → `7.17.25`: Docker tags and Maven artifacts exist only for full versions.
  const version = resolveEsVersion(input.es?.version);
  return {
    reporter: input.reporter ?? silentReporter,
    database: input.database ?? 'olympia',
    elasticsearch: input.elasticsearch ?? true,
    databaseUrl: input.databaseUrl,
    elasticsearchUrl: input.elasticsearchUrl,
    stateDir: input.stateDir ?? '.olympia-data/services',
    mysql: {
      image: DEFAULT_MYSQL_IMAGE,
      port: 3306,
      // A development default: the services bind to 127.0.0.1 only. Override for anything shared.
      rootPassword: DEV_PASSWORD,
      user: 'olympia',
      password: DEV_PASSWORD,
      volume: 'olympia-data-mysqld',
      containerName: 'olympia-data-mysqld',
      bufferPoolSize: '256M',
      ...defined(input.mysql),
    },
    es: {
      version,
      image: input.es?.image ?? elasticsearchImage(version),
      port: input.es?.port ?? 9200,
      heap: input.es?.heap ?? '512m',
      containerName: input.es?.containerName ?? 'olympia-data-elasticsearch',
    },
    timeouts: { mysqlMs: 120_000, elasticsearchMs: 180_000, ...defined(input.timeouts) },
  };
}
