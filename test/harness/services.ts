// `npm run services -- start|stop|status`: the test harness's private MariaDB and Elasticsearch,
// outside a test run (to poke at them, or to free their ports and memory when done).
import { ensureMariaDB, serverUrl, stopMariaDB } from './mariadb.js';
import { ensureElasticsearch, stopElasticsearch } from './elasticsearch.js';

const USAGE = 'Usage: npm run services -- start | stop';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'start': {
      const [db, es] = await Promise.all([ensureMariaDB(), ensureElasticsearch()]);
      console.log(`MySQL         ${db.replace(/:[^:@/]*@/, ':***@')}`);
      console.log(`Elasticsearch ${es}`);
      return 0;
    }
    case 'stop':
      await Promise.all([stopMariaDB(), stopElasticsearch()]);
      console.log(`Stopped the harness services (${serverUrl().replace(/:[^:@/]*@/, ':***@')} and Elasticsearch).`);
      return 0;
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(command ? `Unknown command "${command}". ${USAGE}` : USAGE);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[harness] ${(e as Error).message}`);
    process.exit(1);
  },
);
