// A stand-in for a Django project such as addons-server: no native definitions, only a `manage.py` whose
// `migrate`, `seed_data` and `reindex` commands olympia-data runs as hooks. The script uses only what a
// hook is given — DATABASE_URL, the MYSQL_* parts (through the `mysql` client) and ELASTICSEARCH_URL —
// and checks that they agree. HOOK_LOG and RUN_TAG let a test watch it; MIGRATE_WAIT_FOR=<file>
// holds the migrate command until that file exists (at most 60 s).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MANAGE_PY = String.raw`#!/usr/bin/env python3
"""A tiny manage.py: migrate, seed_data and reindex against the services in the environment."""
import json, os, subprocess, sys, time, urllib.parse, urllib.request

def fail(message, code):
    print(message, file=sys.stderr, flush=True)
    sys.exit(code)

def check_environment():
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    expected = {"MYSQL_HOST": url.hostname, "MYSQL_PORT": str(url.port), "MYSQL_USER": urllib.parse.unquote(url.username),
                "MYSQL_PASSWORD": urllib.parse.unquote(url.password or ""), "MYSQL_DATABASE": url.path[1:]}
    for name, value in expected.items():
        if os.environ.get(name) != value:
            fail(f"{name} does not match DATABASE_URL", 3)

def mysql(sql):
    args = ["mysql", "-h", os.environ["MYSQL_HOST"], "-P", os.environ["MYSQL_PORT"], "-u", os.environ["MYSQL_USER"],
            "-N", "-B", os.environ["MYSQL_DATABASE"], "-e", sql]
    done = subprocess.run(args, env=dict(os.environ, MYSQL_PWD=os.environ["MYSQL_PASSWORD"]), capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"mysql: {done.stderr.strip()}", 1)
    return done.stdout

def log(event):
    if os.environ.get("HOOK_LOG"):
        with open(os.environ["HOOK_LOG"], "a") as f:
            f.write(f"{os.environ.get('RUN_TAG', '-')} {event}\n")

def es(method, path, body=None, ndjson=False):
    data = None if body is None else (body if ndjson else json.dumps(body)).encode()
    req = urllib.request.Request(os.environ["ELASTICSEARCH_URL"].rstrip("/") + path, data=data, method=method,
                                 headers={"content-type": "application/x-ndjson" if ndjson else "application/json"})
    try:
        with urllib.request.urlopen(req) as res:
            return json.load(res)
    except urllib.error.HTTPError as e:
        if e.code == 404 and method == "DELETE":
            return {}
        raise

def migrate(args):
    if "--noinput" not in args:
        fail("migrate would ask questions: pass --noinput", 2)
    log("migrate-start")
    print(f"Migrating {os.environ['DATABASE_URL']} as {os.environ['MYSQL_USER']} (password {os.environ['MYSQL_PASSWORD']})", flush=True)
    gate = os.environ.get("MIGRATE_WAIT_FOR")
    deadline = time.time() + 60
    while gate and not os.path.exists(gate) and time.time() < deadline:
        time.sleep(0.05)
    if "--fail" in args:
        print("  Applying polls.0001_initial... OK", flush=True)
        fail("django.db.utils.OperationalError: (1050, \"Table 'polls_choice' already exists\")", int(args[args.index("--fail") + 1]))
    mysql("CREATE TABLE IF NOT EXISTS polls_question (id INT PRIMARY KEY, question_text VARCHAR(200) NOT NULL, votes INT NOT NULL DEFAULT 0)")
    print("Operations to perform:\n  Apply all migrations: polls\nRunning migrations:\n  Applying polls.0001_initial... OK", flush=True)
    log("migrate-end")

def seed_data(args):
    log("seed-start")
    rows = ",".join(f"({i}, 'Question {i}?', {i % 7})" for i in range(1, 26))
    mysql(f"INSERT INTO polls_question (id, question_text, votes) VALUES {rows}")
    print("Seeded 25 questions", flush=True)
    log("seed-end")

def reindex(args):
    index = args[0]
    rows = [line.split("\t") for line in mysql("SELECT id, question_text, votes FROM polls_question ORDER BY id").splitlines()]
    es("DELETE", f"/{index}")
    es("PUT", f"/{index}", {"settings": {"number_of_replicas": 0}})
    lines = []
    for id_, text, votes in rows:
        lines.append(json.dumps({"index": {"_index": index, "_id": id_}}))
        lines.append(json.dumps({"question_text": text, "votes": int(votes)}))
    if lines:
        result = es("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
        if result.get("errors"):
            fail("bulk indexing had errors", 1)
    print(f"Indexed {len(rows)} questions into {index}", flush=True)

check_environment()
command, rest = sys.argv[1], sys.argv[2:]
{"migrate": migrate, "seed_data": seed_data, "reindex": reindex}[command](rest)
`;

export interface DjangoStyleProject {
  dir: string;
  /** The index `manage.py reindex` writes (configured as the index hook). */
  index: string;
  backupDir: string;
  remove(): Promise<void>;
}

let counter = 0;

export async function createDjangoStyleProject(opts: { indexHook?: boolean } = {}): Promise<DjangoStyleProject> {
  const dir = await mkdtemp(join(tmpdir(), 'olympia-django-'));
  const index = `it-django-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  await writeFile(join(dir, 'manage.py'), MANAGE_PY, { mode: 0o755 });
  const config = {
    migrate: { command: 'python3 manage.py migrate --noinput' },
    seed: { command: 'python3 manage.py seed_data' },
    ...(opts.indexHook === false ? {} : { index: { command: `python3 manage.py reindex ${index}` } }),
  };
  await writeFile(join(dir, 'olympia-data.json'), JSON.stringify(config, null, 2));
  return { dir, index, backupDir: join(dir, 'backups'), remove: () => rm(dir, { recursive: true, force: true }) };
}
