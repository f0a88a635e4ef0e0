// The local provider: the MySQL/MariaDB server and the Elasticsearch node started from what is installed
// on the machine, each in a private directory under `stateDir`, bound to 127.0.0.1.
import { join, resolve } from 'node:path';
import { ensureLocalElasticsearch, removeLocalElasticsearch, stopLocalElasticsearch } from './elasticsearch-local.js';
import { removeLocalMysql, startLocalMysql, stopLocalMysql } from './mysql-local.js';
import type { ServiceOptions, ServiceProvider, Services } from './provider.js';

function dirs(opts: ServiceOptions): { mysql: string; elasticsearch: string } {
  const root = resolve(opts.stateDir);
  return { mysql: join(root, 'mysql'), elasticsearch: join(root, 'elasticsearch') };
}

export function localProvider(): ServiceProvider {
  const down = async (opts: ServiceOptions): Promise<string[]> => {
    const d = dirs(opts);
    // Stop whatever we started, also Elasticsearch when this run does not want it.
    const [mysqlStopped, esStopped] = await Promise.all([
      stopLocalMysql(d.mysql, { reporter: opts.reporter }),
      stopLocalElasticsearch({ port: opts.es.port, cacheDir: d.elasticsearch, reporter: opts.reporter }),
    ]);
    return [...(mysqlStopped ? ['MySQL'] : []), ...(esStopped ? ['Elasticsearch'] : [])];
  };
  return {
    name: 'local',
    async up(opts: ServiceOptions): Promise<Services> {
      const d = dirs(opts);
      const [db, es] = await Promise.all([
        startLocalMysql({
          dir: d.mysql,
          port: opts.mysql.port,
          user: opts.mysql.user,
          password: opts.mysql.password,
          database: opts.database,
          bufferPoolSize: opts.mysql.bufferPoolSize,
          timeoutMs: opts.timeouts.mysqlMs,
          reporter: opts.reporter,
        }),
        opts.elasticsearch
          ? ensureLocalElasticsearch({
              version: opts.es.version,
              port: opts.es.port,
              cacheDir: d.elasticsearch,
              heap: opts.es.heap,
              readyTimeoutMs: opts.timeouts.elasticsearchMs,
              reporter: opts.reporter,
            })
          : undefined,
      ]);
      return { databaseUrl: db.url, elasticsearchUrl: es?.url };
    },
    down,
    async reset(opts: ServiceOptions): Promise<void> {
      await down(opts);
      await removeLocalMysql(dirs(opts).mysql, { reporter: opts.reporter });
      await removeLocalElasticsearch({ port: opts.es.port, cacheDir: dirs(opts).elasticsearch, reporter: opts.reporter });
    },
  };
}
