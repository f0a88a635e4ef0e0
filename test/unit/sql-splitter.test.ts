import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { SqlSplitter, firstLine, splitSql, splitSqlStream } from '../../src/mysql/sql-splitter.js';

function splitInChunks(text: string, size: number): string[] {
  const s = new SqlSplitter();
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
  out.push(...s.end());
  return out;
}

function splitAt(text: string, cuts: number[]): string[] {
  const s = new SqlSplitter();
  const out: string[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...s.push(text.slice(prev, c)));
    prev = c;
  }
  out.push(...s.end());
  return out;
}

// Shaped like mysqldump / mariadb-dump output, with the awkward bits in it.
const DUMP = `-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: olympia
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*M!999999\\- enable the sandbox mode */ 
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table \`addons\`
--

DROP TABLE IF EXISTS \`addons\`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE \`addons\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT, -- the id; primary
  \`we;ird\`\`name\` varchar(10) DEFAULT 'a;b', # hash comment; with 'quote
  \`slug\` varchar(30) NOT NULL DEFAULT '' /* inline; comment */,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES \`addons\` WRITE;
/*!40000 ALTER TABLE \`addons\` DISABLE KEYS */;
INSERT INTO \`addons\` VALUES (1,'it''s; ok','back\\\\slash\\';still string'),(2,'tab\\there \\"dq\\"','x--y'),(3,"dq; \\" '' ",'/*not a comment*/'),(4,'-- not a comment','# nor this'),(5,'ünï😀;','\`');
/*!40000 ALTER TABLE \`addons\` ENABLE KEYS */;
UNLOCK TABLES;

DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=\`root\`@\`localhost\`*/ /*!50003 TRIGGER \`addons_bi\` BEFORE INSERT ON \`addons\` FOR EACH ROW BEGIN
  -- it's a comment with a quote
  SET NEW.slug = CONCAT(NEW.slug, ';');
  SET NEW.slug = LOWER(NEW.slug);
END */;;
DELIMITER ;
delimiter //
CREATE PROCEDURE p()
BEGIN
  SELECT 1; SELECT 2;
END //
DELIMITER ;
SELECT 1--1;
SELECT 2 -- trailing comment
;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed on 2024-01-01 12:00:00
`;

const EXPECTED = [
  '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */',
  '/*!50503 SET NAMES utf8mb4 */',
  '/*M!999999\\- enable the sandbox mode */ \n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */',
  'DROP TABLE IF EXISTS `addons`',
  '/*!40101 SET @saved_cs_client     = @@character_set_client */',
  "CREATE TABLE `addons` (\n  `id` int(11) NOT NULL AUTO_INCREMENT, -- the id; primary\n  `we;ird``name` varchar(10) DEFAULT 'a;b', # hash comment; with 'quote\n  `slug` varchar(30) NOT NULL DEFAULT '' /* inline; comment */,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  'LOCK TABLES `addons` WRITE',
  '/*!40000 ALTER TABLE `addons` DISABLE KEYS */',
  "INSERT INTO `addons` VALUES (1,'it''s; ok','back\\\\slash\\';still string'),(2,'tab\\there \\\"dq\\\"','x--y'),(3,\"dq; \\\" '' \",'/*not a comment*/'),(4,'-- not a comment','# nor this'),(5,'ünï😀;','`')",
  '/*!40000 ALTER TABLE `addons` ENABLE KEYS */',
  'UNLOCK TABLES',
  "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `addons_bi` BEFORE INSERT ON `addons` FOR EACH ROW BEGIN\n  -- it's a comment with a quote\n  SET NEW.slug = CONCAT(NEW.slug, ';');\n  SET NEW.slug = LOWER(NEW.slug);\nEND */",
  'CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; SELECT 2;\nEND',
  'SELECT 1--1',
  'SELECT 2 -- trailing comment',
  '/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */',
];

describe('splitSql', () => {
  test('splits a mysqldump-shaped script into the statements the mysql client would send', () => {
    assert.deepEqual(splitSql(DUMP), EXPECTED);
  });

  test('every chunk size from 1 to 64 gives the same statements', () => {
    for (let size = 1; size <= 64; size++) assert.deepEqual(splitInChunks(DUMP, size), EXPECTED, `chunk size ${size}`);
  });

  test('every single split point gives the same statements', () => {
    for (let cut = 0; cut <= DUMP.length; cut++) assert.deepEqual(splitAt(DUMP, [cut]), EXPECTED, `cut at ${cut}`);
  });

  test('every pair of split points around the tricky tokens gives the same statements', () => {
    // Every pair of cuts inside the INSERT and the DELIMITER/trigger block (two- and three-way splits of
    // escapes, doubled quotes, `*/`, `;;`, `--`).
    for (const [from, to] of [
      [DUMP.indexOf('INSERT INTO'), DUMP.indexOf('/*!40000 ALTER TABLE `addons` ENABLE')],
      [DUMP.indexOf('UNLOCK TABLES'), DUMP.indexOf('SELECT 1--1')],
    ]) {
      for (let a = from; a < to; a++) {
        for (let b = a; b <= Math.min(to, a + 12); b++) assert.deepEqual(splitAt(DUMP, [a, b]), EXPECTED, `cuts at ${a}, ${b}`);
      }
    }
  });

  test('a last statement without a delimiter is returned at the end', () => {
    assert.deepEqual(splitSql('SELECT 1; SELECT 2'), ['SELECT 1', 'SELECT 2']);
    assert.deepEqual(splitSql('SELECT 1 -- done'), ['SELECT 1 -- done']);
  });

  test('comments, blanks and empty statements alone are not statements', () => {
    assert.deepEqual(splitSql('-- a\n# b\n/* c; */\n;;\n  \n--\n'), []);
    assert.deepEqual(splitSql(''), []);
  });

  test('"--" is a comment only before whitespace, as in MySQL', () => {
    assert.deepEqual(splitSql('SELECT 5--2;SELECT 5 --2\n;'), ['SELECT 5--2', 'SELECT 5 --2']);
    assert.deepEqual(splitSql('SELECT 5 --\tx;\n;'), ['SELECT 5 --\tx;']);
  });

  test('a backslash is not an escape inside backticks', () => {
    assert.deepEqual(splitSql('SELECT 1 AS `a\\`; SELECT 2'), ['SELECT 1 AS `a\\`', 'SELECT 2']);
  });

  test('optimizer hints and inner comments stay in the statement', () => {
    assert.deepEqual(splitSql('/* lead */ SELECT /*+ MAX_EXECUTION_TIME(1) */ 1;'), ['SELECT /*+ MAX_EXECUTION_TIME(1) */ 1']);
  });

  test('a delimiter inside an executable comment does not end the statement', () => {
    assert.deepEqual(splitSql('/*!50003 CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1; */;SELECT 1;'), [
      '/*!50003 CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1; */',
      'SELECT 1',
    ]);
  });

  test('a multi-character delimiter that looks like a comment start works', () => {
    assert.deepEqual(splitSql('DELIMITER //\nSELECT 1; SELECT 2//\nSELECT 3 //\nDELIMITER ;\nSELECT 4;'), ['SELECT 1; SELECT 2', 'SELECT 3', 'SELECT 4']);
  });

  test('DELIMITER only counts at the start of a statement', () => {
    assert.deepEqual(splitSql("SELECT 'x'\nDELIMITER ;;\n"), ["SELECT 'x'\nDELIMITER"]);
  });

  test('CRLF line endings end line comments', () => {
    assert.deepEqual(splitSql('-- head\r\nSELECT 1; # x;\r\nSELECT 2;\r\n'), ['SELECT 1', 'SELECT 2']);
  });

  test('an unterminated string or comment is an error, not a silently truncated statement', () => {
    assert.throws(() => splitSql("INSERT INTO t VALUES ('abc);\n"), /unterminated quoted string \('\)/);
    assert.throws(() => splitSql('SELECT `abc;'), /unterminated quoted identifier/);
    assert.throws(() => splitSql('SELECT 1 /* never closed;'), /unterminated \/\* … \*\/ comment/);
    assert.throws(() => splitSql('/*!40101 SET x=1 ;'), /unterminated/);
  });

  test('a DELIMITER line without a delimiter is an error', () => {
    assert.throws(() => splitSql('DELIMITER \nSELECT 1;'), /names no delimiter/);
  });

  test('a big extended INSERT in small chunks comes out whole and unchanged', () => {
    const rows: string[] = [];
    for (let i = 0; i < 40_000; i++) rows.push(`(${i},'row ${i}; it''s \\'q\\' \\\\','/* ${i} */',"--",NULL)`);
    const insert = `INSERT INTO \`t\` VALUES ${rows.join(',')}`;
    const script = `${insert};\n${insert};\n`;
    const out = splitInChunks(script, 997);
    assert.equal(out.length, 2);
    assert.equal(out[0], insert);
    assert.equal(out[1], insert);
  });
});

describe('splitSqlStream', () => {
  test('splits a byte stream, including multi-byte characters cut between chunks', async () => {
    const bytes = Buffer.from(DUMP, 'utf8');
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const out: string[] = [];
    for await (const s of splitSqlStream(Readable.from(chunks))) out.push(s);
    assert.deepEqual(out, EXPECTED);
  });

  test('yields statements before the stream ends', async () => {
    async function* source(): AsyncGenerator<string> {
      yield 'SELECT 1; SELECT';
      throw new Error('stream broke');
    }
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const s of splitSqlStream(source())) seen.push(s);
    }, /stream broke/);
    assert.deepEqual(seen, ['SELECT 1']);
  });
});

describe('firstLine', () => {
  test('gives the first non-blank line, shortened', () => {
    assert.equal(firstLine('\n  CREATE TABLE x (\n a int)'), 'CREATE TABLE x (');
    assert.equal(firstLine('x'.repeat(300), 20), `${'x'.repeat(19)}…`);
  });
});
