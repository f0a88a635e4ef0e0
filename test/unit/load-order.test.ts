// The order in which a load runs its statements: tables created biggest first, a big table's rows
// right after it exists, the small tables' rows only once every table is created. Seen through a
// connection that records what it is sent (the statements' effects are the integration tests' job).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageManifestBackup } from '../../src/load/stage-manifest-backup.js';
import { DEFER_INDEXES_MIN_BYTES } from '../../src/load/create-table.js';
import type { Manifest, TableEntry } from '../../src/backup/manifest.js';
import type { Connection } from '../../src/mysql/connect.js';
import type { StatementGuard } from '../../src/load/confinement.js';
import { silentReporter } from '../../src/core/reporter.js';
import { type BytesResult, STATEMENT_HEADROOM } from '../../src/mysql/query-bytes.js';

function recordingConnection(log: string[], rowsOf: (table: string) => number): Connection {
  const query = async (sql: string) => {
    log.push(sql);
    if (sql.startsWith('SELECT @@GLOBAL.local_infile')) return [[{ enabled: 0 }], []];
    if (sql.startsWith('SELECT @@max_allowed_packet')) return [[{ n: 64 << 20 }], []];
    if (sql.startsWith('INSERT')) return [{ affectedRows: sql.split('),(').length, warningStatus: 0 }, []];
    if (sql.includes('COUNT(*)')) {
      const counts = [...sql.matchAll(/SELECT (\d+) AS i, COUNT\(\*\) AS n FROM `([^`]+)`/g)].map(([, i, t]) => ({ i: Number(i), n: rowsOf(t) }));
      return [counts, []];
    }
    return [{ affectedRows: 0, warningStatus: 0 }, []];
  };
  return { query } as unknown as Connection;
}

const passAll = { vet: (sql: string) => ({ sql, kind: sql.startsWith('CREATE TABLE') ? 'CREATE TABLE' : 'ALTER TABLE' }) } as unknown as StatementGuard;

test('a load creates every table before loading small ones, but starts a big table right after creating it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'od-load-order-'));
  mkdirSync(join(dir, 'data'));
  const table = (name: string, bytes: number, rows: number): TableEntry => {
    const path = `data/${name}.tsv`;
    // The file is the size the manifest gives (the load checks): the first id has leading zeros.
    const lines = Array.from({ length: rows }, (_, i) => `${i + 1}\n`);
    lines[0] = '0'.repeat(bytes - lines.join('').length) + lines[0];
    writeFileSync(join(dir, path), lines.join(''));
    return {
      name,
      createSql: `CREATE TABLE \`${name}\` (\n  \`id\` int NOT NULL,\n  KEY \`by_id\` (\`id\`)\n) ENGINE=InnoDB`,
      columns: ['id'],
      bitColumns: [],
      rows,
      files: [{ path, size: bytes, sha256: '', rows }],
    };
  };
  const tables = [table('small_a', 300, 3), table('big', DEFER_INDEXES_MIN_BYTES + 1, 5), table('small_b', 200, 2), table('small_c', 100, 1)];
  const manifest = { tables } as unknown as Manifest;
  const log: string[] = [];
  const conn = recordingConnection(log, (t) => tables.find((x) => x.name === t)!.rows);
  // INSERTs are built as bytes: recorded as their SQL, through the same connection's log.
  const sendBytes = async (c: Connection, statement: Buffer) => {
    const [r] = await c.query(statement.subarray(STATEMENT_HEADROOM).toString('utf8'));
    return r as unknown as BytesResult;
  };
  await stageManifestBackup({ dir, manifest, workers: [conn], reporter: silentReporter, method: 'insert', guard: passAll, sendBytes });

  const steps = log
    .map((sql) => /^(CREATE TABLE|INSERT INTO|ALTER TABLE) `([^`]+)`/.exec(sql))
    .filter((m) => m !== null)
    .map((m) => `${m[1].split(' ')[0]} ${m[2]}`)
    // A file's rows may take several statements.
    .filter((step, i, all) => step !== all[i - 1]);
  assert.deepEqual(steps, ['CREATE big', 'INSERT big', 'ALTER big', 'CREATE small_a', 'CREATE small_b', 'CREATE small_c', 'INSERT small_a', 'INSERT small_b', 'INSERT small_c']);
});
