// CPU of the MySQL → document pipeline alone (no Elasticsearch), on the bench table.
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { rowConverter, type ColumnInfo } from './src/search/row-documents.js';
import { freshDatabase } from './test/harness/mariadb.js';
const db = await freshDatabase('prof');
const c = await mysqlPromise.createConnection({ uri: db.url });
await c.query(`CREATE TABLE addons (id INT PRIMARY KEY, guid VARCHAR(64), slug VARCHAR(64), name VARCHAR(255), summary TEXT, description TEXT, type TINYINT, status TINYINT, is_disabled TINYINT(1), is_experimental TINYINT(1), average_daily_users INT, weekly_downloads INT, bayesian_rating DOUBLE, category_id INT, default_locale VARCHAR(10), created DATETIME, last_updated DATETIME(6))`);
const desc = 'privacy block tracker dark theme reader video download translate password manager screenshot note '.repeat(5);
const rows = Array.from({ length: 10000 }, (_, i) => [i, `{guid-${i}}`, `addon-${i}`, `name ${i}`, desc.slice(0, 200), desc, 1, 4, i % 2, 0, i, i, 3.5, 4, 'en-US', '2020-01-01 00:00:00', '2021-01-01 00:00:00.123456']);
for (let k = 0; k < 10; k++) await c.query('INSERT INTO addons VALUES ?', [rows.map((r) => [(r[0] as number) + k * 10000, ...r.slice(1)])]);
await c.end();
for (const mode of ['raw', 'convert', 'convert+stringify']) {
  const conn = mysql.createConnection({ uri: db.url, supportBigNumbers: true, decimalNumbers: true, dateStrings: true });
  const cpu = process.cpuUsage(); const t = Date.now();
  let cols: ColumnInfo[] = []; let n = 0; let bytes = 0;
  const s = conn.query('SELECT * FROM addons').stream({ highWaterMark: 1000 });
  s.on('fields', (f: ColumnInfo[]) => (cols = f));
  let conv: any;
  for await (const row of s) {
    n++;
    if (mode === 'raw') continue;
    conv ??= rowConverter(cols, 'id', 'x');
    if (mode === 'convert') { bytes += conv(row).id.length; continue; }
    const d = conv(row); bytes += d.json.length;
  }
  const u = process.cpuUsage(cpu);
  console.log(mode, n, 'rows', Date.now() - t, 'ms wall', ((u.user + u.system) / 1000).toFixed(0), 'ms cpu');
  conn.end();
}
await db.drop();
