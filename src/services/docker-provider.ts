// The docker provider: `mysql` and `elasticsearch` containers started with the docker CLI. The command
// lines come from docker-args.ts (pure, unit-tested); this module only runs them and decides, from each
// container's state, whether to reuse, start or create it. Docker cannot run on the development machine,
// so the I/O here is kept as thin as possible.
import { spawn } from 'node:child_process';
import { ConnectionError, OlympiaError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import {
  configHash,
  containerAction,
  withConfigLabel,
  elasticsearchRunArgs,
  inspectHealthArgs,
  logsArgs,
  mysqlRunArgs,
  parseContainerState,
  removeContainerArgs,
  removeVolumeArgs,
  startArgs,
  stopArgs,
  type DockerRun,
} from './docker-args.js';
import type { ServiceOptions, ServiceProvider, Services } from './provider.js';
import { waitForElasticsearch } from '../search/client.js';
import { waitForMysql } from './wait.js';

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>`; injectable so the orchestration can be exercised without Docker. */
export type DockerRunner = (args: string[], env?: Record<string, string>) => Promise<DockerResult>;

export const runDocker: DockerRunner = (args, env = {}) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn('docker', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-8000)));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(
          new OlympiaError('The docker command is not installed (or not on PATH).', {
            hint: 'Install Docker, or use the local or external services instead (--services local, or services: local in the action).',
          }),
        );
      } else reject(e);
    });
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });

/** Replaces every secret in `text` with ***: docker's output never reaches a log with a password in it. */
export function redact(text: string, secrets: string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join('***'), text);
}

interface Container {
  label: string;
  name: string;
  run: DockerRun;
  /** The hash its config label carries (of `run` without the label). */
  config: string;
}

function labelled(label: string, name: string, base: DockerRun): Container {
  return { label, name, run: withConfigLabel(base), config: configHash(base) };
}

/**
 * Stops and removes the named containers (their data volumes stay): what the action's post step does with
 * the containers its job started. One that is gone already is skipped; returns those it removed.
 */
export async function removeContainers(names: readonly string[], reporter: Reporter, docker: DockerRunner = runDocker): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) {
    if ((await docker(inspectHealthArgs(name))).code !== 0) continue;
    reporter.info(`Stopping and removing the container ${name} this job started (its data volume stays).`);
    await docker(stopArgs(name));
    const r = await docker(removeContainerArgs(name));
    if (r.code === 0) removed.push(name);
    else reporter.warn(`Could not remove the container ${name}: ${r.stderr.trim()}`);
  }
  return removed;
}

export function dockerProvider(docker: DockerRunner = runDocker): ServiceProvider {
  const containers = (opts: ServiceOptions): Container[] => {
    const list: Container[] = [
      labelled(
        'MySQL',
        opts.mysql.containerName,
        mysqlRunArgs({
          image: opts.mysql.image,
          containerName: opts.mysql.containerName,
          port: opts.mysql.port,
          rootPassword: opts.mysql.rootPassword,
          database: opts.database,
          volume: opts.mysql.volume,
        }),
      ),
    ];
    if (opts.elasticsearch) {
      list.push(
        labelled(
          'Elasticsearch',
          opts.es.containerName,
          elasticsearchRunArgs({ image: opts.es.image, containerName: opts.es.containerName, port: opts.es.port, heap: opts.es.heap }),
        ),
      );
    }
    return list;
  };

  /** Runs docker and fails with its stderr (passwords masked) on a non-zero exit. */
  const must = async (what: string, args: string[], opts: ServiceOptions, env?: Record<string, string>): Promise<DockerResult> => {
    const r = await docker(args, env);
    if (r.code !== 0) {
      const err = redact(r.stderr.trim(), [opts.mysql.rootPassword]);
      const daemon = /Cannot connect to the Docker daemon|permission denied.*docker\.sock/i.test(err);
      throw new OlympiaError(`${what} failed: docker ${args[0]} exited with code ${r.code}: ${err}`, {
        hint: daemon
          ? 'Start the Docker daemon (and check that this user may use it), or use the local services instead (--services local, or services: local in the action).'
          : undefined,
      });
    }
    return r;
  };

  /** Makes the container run; says whether this call started it (a reused one was running already). */
  const ensureContainer = async (c: Container, opts: ServiceOptions): Promise<boolean> => {
    const inspected = await docker(inspectHealthArgs(c.name));
    const state = inspected.code === 0 ? parseContainerState(inspected.stdout) : undefined;
    const action = containerAction(state, c.config);
    switch (action) {
      case 'reuse':
        opts.reporter.info(`${c.label}: reusing the running container ${c.name}.`);
        return false;
      case 'start':
        opts.reporter.info(`${c.label}: starting the stopped container ${c.name}.`);
        await must(`Starting ${c.label}`, startArgs(c.name), opts);
        return true;
      case 'replace':
        opts.reporter.info(
          state?.status === 'running' || state?.status === 'exited' || state?.status === 'created'
            ? `${c.label}: the container ${c.name} was made with other options (image, port or password); replacing it (the data volume stays).`
            : `${c.label}: the container ${c.name} is ${state?.status}; replacing it (the data volume stays).`,
        );
        await docker(stopArgs(c.name));
        await must(`Removing the ${c.label} container`, removeContainerArgs(c.name), opts);
      // falls through: create it anew
      case 'create':
        opts.reporter.info(`${c.label}: docker ${redact(c.run.args.join(' '), [opts.mysql.rootPassword])}`);
        await must(`Starting ${c.label}`, c.run.args, opts, c.run.env);
        return true;
    }
  };

  /** Adds the container's last log lines to a failed wait, which usually says why. */
  const withLogs = async (name: string, e: unknown, opts: ServiceOptions): Promise<never> => {
    const logs = await docker(logsArgs(name, 20)).catch(() => undefined);
    if (logs && e instanceof OlympiaError) {
      const text = redact(`${logs.stdout}${logs.stderr}`.trim(), [opts.mysql.rootPassword]);
      if (text) opts.reporter.warn(`Last lines of docker logs ${name}:\n${text}`);
    }
    throw e;
  };

  const down = async (opts: ServiceOptions): Promise<string[]> => {
    const stopped: string[] = [];
    for (const name of [opts.es.containerName, opts.mysql.containerName]) {
      const inspected = await docker(inspectHealthArgs(name));
      if (inspected.code !== 0) continue; // no such container (or no Docker at all)
      opts.reporter.info(`Stopping and removing the container ${name}.`);
      await docker(stopArgs(name));
      await must(`Removing ${name}`, removeContainerArgs(name), opts);
      stopped.push(`the container ${name}`);
    }
    return stopped;
  };

  return {
    name: 'docker',
    async up(opts: ServiceOptions): Promise<Services> {
      const list = containers(opts);
      // Start everything before waiting on anything: the servers boot in parallel.
      const started: string[] = [];
      for (const c of list) if (await ensureContainer(c, opts)) started.push(c.name);
      const databaseUrl = `mysql://root:${encodeURIComponent(opts.mysql.rootPassword)}@127.0.0.1:${opts.mysql.port}/${opts.database}`;
      const elasticsearchUrl = opts.elasticsearch ? `http://127.0.0.1:${opts.es.port}` : undefined;
      try {
        await waitForMysql(databaseUrl, { timeoutMs: opts.timeouts.mysqlMs, intervalMs: 1000 });
      } catch (e) {
        if (e instanceof ConnectionError && /access denied/i.test(e.message)) {
          // The image sets the root password only when it initialises an empty volume.
          e = new ConnectionError(
            e.message,
            `The volume ${opts.mysql.volume} keeps the root password it was created with. Use that password, or run olympia-data reset to start from an empty volume.`,
            e,
          );
        }
        await withLogs(opts.mysql.containerName, e, opts);
      }
      if (elasticsearchUrl) {
        await waitForElasticsearch(elasticsearchUrl, opts.timeouts.elasticsearchMs, opts.reporter).catch((e) => withLogs(opts.es.containerName, e, opts));
      }
      return { databaseUrl, elasticsearchUrl, started };
    },
    down,
    async reset(opts: ServiceOptions): Promise<void> {
      await down(opts);
      opts.reporter.info(`Removing the volume ${opts.mysql.volume} (MySQL's data).`);
      await must(`Removing the volume ${opts.mysql.volume}`, removeVolumeArgs(opts.mysql.volume), opts);
    },
  };
}
