// The `docker` command lines the docker provider runs, as pure functions (no I/O), so the flags that
// matter — ports on 127.0.0.1 only, the password kept out of argv, MySQL's named volume — are unit-tested.
//
// Secrets: a run command names its secret variables with a bare `-e NAME` and returns their values in
// `env`, to be set in the docker CLI's own environment. Docker copies them into the container, and the
// password never appears in argv (ps, logs, error messages).
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export interface DockerRun {
  args: string[];
  /** Variables the docker CLI process needs in its environment (values of bare `-e NAME` flags). */
  env: Record<string, string>;
}

export interface MysqlRunOptions {
  image?: string;
  containerName: string;
  port: number;
  rootPassword: string;
  database: string;
  /** Named volume mounted at /var/lib/mysql; kept by `down`, removed by `reset`. */
  volume: string;
}

export interface ElasticsearchRunOptions {
  image?: string;
  containerName: string;
  port: number;
  /** JVM heap for both -Xms and -Xmx, e.g. '512m'. */
  heap?: string;
}

export const DEFAULT_MYSQL_IMAGE = 'mysql:8.0';
export const DEFAULT_ELASTICSEARCH_IMAGE = elasticsearchImage('7.17.25');

export function elasticsearchImage(version: string): string {
  return `docker.elastic.co/elasticsearch/elasticsearch:${version}`;
}

/** Label on every container we start, so `docker ps --filter label=…` finds them. */
export const SERVICE_LABEL = 'olympia-data.service';
/** A hash of the image and every option a container was created with: reused only while it matches. */
export const CONFIG_LABEL = 'olympia-data.config';

/**
 * Adds the config label to `docker run` arguments: a sha256 over the arguments and the environment's
 * names and values (so a changed image, port or password makes a new container, never a reused one).
 */
export function withConfigLabel(run: DockerRun): DockerRun {
  const hash = configHash(run);
  const at = run.args.indexOf('--detach') + 1;
  return { ...run, args: [...run.args.slice(0, at), '--label', `${CONFIG_LABEL}=${hash}`, ...run.args.slice(at)] };
}

export function configHash(run: DockerRun): string {
  const env = Object.entries(run.env).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([run.args, env]))
    .digest('hex')
    .slice(0, 32);
}

// Docker's rule for container and volume names.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function checkName(kind: string, name: string): void {
  if (!DOCKER_NAME.test(name)) {
    throw new UsageError(`The Docker ${kind} name ${JSON.stringify(name)} is not valid.`, 'Use letters, digits, "_", "." and "-", starting with a letter or digit.');
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`The port ${port} is not a valid TCP port (1–65535).`);
}

function checkDatabase(database: string): void {
  if (!/^[A-Za-z0-9_$-]{1,64}$/.test(database)) {
    throw new UsageError(`The database name ${JSON.stringify(database)} is not valid here.`, 'Use up to 64 letters, digits, "_", "$" or "-".');
  }
}

function publish(port: number, containerPort: number): string[] {
  // 127.0.0.1 only: a development database must not be reachable from the network.
  return ['-p', `127.0.0.1:${port}:${containerPort}`];
}

export function mysqlRunArgs(o: MysqlRunOptions): DockerRun {
  checkName('container', o.containerName);
  checkName('volume', o.volume);
  checkPort(o.port);
  checkDatabase(o.database);
  if (!o.rootPassword) throw new UsageError('The MySQL root password for the Docker container is empty.', 'Give a non-empty password.');
  return {
    args: [
      'run',
      '--detach',
      '--name',
      o.containerName,
      '--label',
      `${SERVICE_LABEL}=mysql`,
      ...publish(o.port, 3306),
      '-e',
      'MYSQL_ROOT_PASSWORD',
      '-e',
      `MYSQL_DATABASE=${o.database}`,
      '-v',
      `${o.volume}:/var/lib/mysql`,
      // -h 127.0.0.1 forces TCP, so the image's temporary init server (socket only) does not count as healthy.
      // mysqladmin ping succeeds on "access denied" too, so it needs no password.
      '--health-cmd',
      'mysqladmin ping -h 127.0.0.1 --silent',
      '--health-interval',
      '2s',
      '--health-timeout',
      '5s',
      '--health-retries',
      '60',
      o.image ?? DEFAULT_MYSQL_IMAGE,
      // Server options after the image are passed to mysqld.
      '--local-infile=1',
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      '--max-allowed-packet=256M',
    ],
    env: { MYSQL_ROOT_PASSWORD: o.rootPassword },
  };
}

/** The major version in an image tag (`…:8.15.0` → 8), or undefined for tags like `latest`. */
export function imageMajorVersion(image: string): number | undefined {
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  const m = tag ? /^v?(\d+)\./.exec(tag) : null;
  return m ? Number(m[1]) : undefined;
}

export function elasticsearchRunArgs(o: ElasticsearchRunOptions): DockerRun {
  checkName('container', o.containerName);
  checkPort(o.port);
  const heap = o.heap ?? '512m';
  if (!/^\d+[mg]$/i.test(heap)) throw new UsageError(`The Elasticsearch heap size ${JSON.stringify(heap)} is not valid.`, 'Use a size like 512m or 1g.');
  const image = o.image ?? DEFAULT_ELASTICSEARCH_IMAGE;
  const major = imageMajorVersion(image);
  return {
    args: [
      'run',
      '--detach',
      '--name',
      o.containerName,
      '--label',
      `${SERVICE_LABEL}=elasticsearch`,
      ...publish(o.port, 9200),
      '-e',
      'discovery.type=single-node',
      '-e',
      `ES_JAVA_OPTS=-Xms${heap} -Xmx${heap}`,
      // 8.x turns on TLS and passwords by default; 7.x only warns. A local test node wants neither.
      ...(major === undefined || major >= 7 ? ['-e', 'xpack.security.enabled=false'] : []),
      // Runners' disks are often >90% full; the watermark would then refuse to allocate shards.
      '-e',
      'cluster.routing.allocation.disk.threshold_enabled=false',
      '--health-cmd',
      "curl -fsS 'http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=1s' >/dev/null",
      '--health-interval',
      '2s',
      '--health-timeout',
      '5s',
      '--health-retries',
      '90',
      image,
    ],
    env: {},
  };
}

/** Prints "<status> <health> <config>", e.g. "running healthy 3fa2…". Docker exits non-zero for no such container. */
export function inspectHealthArgs(containerName: string): string[] {
  checkName('container', containerName);
  return [
    'inspect',
    '--type',
    'container',
    '--format',
    `{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{with index .Config.Labels "${CONFIG_LABEL}"}}{{.}}{{else}}-{{end}}`,
    containerName,
  ];
}

export interface ContainerState {
  status: string;
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** Its config label (withConfigLabel); undefined for a container made otherwise. */
  config?: string;
}

export function parseContainerState(stdout: string): ContainerState {
  const [status = '', health = 'none', config = '-'] = stdout.trim().split(/\s+/);
  const known = ['healthy', 'unhealthy', 'starting'] as const;
  return {
    status,
    health: (known as readonly string[]).includes(health) ? (health as ContainerState['health']) : 'none',
    config: /^[0-9a-f]{8,64}$/.test(config) ? config : undefined,
  };
}

export type ContainerAction = 'create' | 'reuse' | 'start' | 'replace';

/**
 * What `up` does with a container in this state (undefined: there is none). Idempotent by design. A
 * container made with other options (image, port, password: its config label differs) is replaced.
 */
export function containerAction(state: ContainerState | undefined, wanted?: string): ContainerAction {
  if (!state) return 'create';
  if (wanted !== undefined && state.config !== wanted) return 'replace';
  if (state.status === 'running' || state.status === 'restarting') return 'reuse';
  if (state.status === 'created' || state.status === 'exited') return 'start';
  return 'replace'; // paused, dead, removing: start over (the data lives in the named volume)
}

export function startArgs(containerName: string): string[] {
  checkName('container', containerName);
  return ['start', containerName];
}

/** Stops gracefully (MySQL flushes InnoDB) before Docker kills it after `timeoutSeconds`. */
export function stopArgs(containerName: string, timeoutSeconds = 30): string[] {
  checkName('container', containerName);
  return ['stop', '--time', String(timeoutSeconds), containerName];
}

/** Removes the container and its anonymous volumes; named volumes (MySQL's data) stay. */
export function removeContainerArgs(containerName: string): string[] {
  checkName('container', containerName);
  return ['rm', '--force', '--volumes', containerName];
}

export function removeVolumeArgs(volume: string): string[] {
  checkName('volume', volume);
  return ['volume', 'rm', '--force', volume];
}

export function logsArgs(containerName: string, tail = 30): string[] {
  checkName('container', containerName);
  return ['logs', '--tail', String(tail), containerName];
}
