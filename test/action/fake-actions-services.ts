// FAKE GitHub Actions cache and artifact services — FOR TESTS ONLY.
//
// GitHub's cache and artifact services cannot run on this machine. This local HTTP server speaks enough of
// their wire protocols that the real, unmodified `@actions/cache` 6.x and `@actions/artifact` 6.x code runs
// against it end to end (twirp calls, Azure block-blob uploads through the Azure SDK, tar/zip archives):
//
// - cache v2 (github.com; selected by ACTIONS_CACHE_SERVICE_V2): twirp JSON under ACTIONS_RESULTS_URL,
//   `github.actions.results.api.v1.CacheService/{GetCacheEntryDownloadURL,CreateCacheEntry,FinalizeCacheEntryUpload}`,
//   archives PUT to / GET from a signed blob URL;
// - cache v1 (GHES): REST under ACTIONS_CACHE_URL, `_apis/artifactcache/cache?keys=…&version=…` (lookup),
//   POST `caches` (reserve), PATCH `caches/<id>` with Content-Range (chunks), POST `caches/<id>` (commit);
// - artifacts v2: twirp `github.actions.results.api.v1.ArtifactService/{CreateArtifact,FinalizeArtifact,
//   ListArtifacts,GetSignedArtifactURL,DeleteArtifact}` plus blob upload, and the two public REST endpoints
//   used to find and download another run's artifact (under GITHUB_API_URL);
// - blob storage: Azure block-blob PUTs (single Put Blob, `comp=block`, `comp=blocklist`) and GET/HEAD with Range.
//
// Matching follows GitHub's documented rules: an entry is found by key and version; the primary key matches
// exactly, then as a prefix, then each restore key as a prefix, newest entry first. Keys are immutable.
// Test switches: `fault` makes matching requests fail (an HTTP status) or hang (never answer); `requests`
// records what arrived. ACTIONS_RUNTIME_TOKEN must be a token from `runtimeToken()`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export type ServiceName = 'cache-v2' | 'cache-v1' | 'artifact' | 'blob' | 'api';

export interface RecordedRequest {
  service: ServiceName | 'unknown';
  method: string;
  /** Path without the query string (no signatures). */
  path: string;
  /** The twirp method, e.g. CreateCacheEntry. */
  rpc?: string;
  status?: number;
}

export interface Fault {
  mode: 'fail' | 'hang';
  /** HTTP status for `fail`; 500 by default. */
  status?: number;
  /** Only requests to these services are affected; all by default. */
  services?: ServiceName[];
  /** Only these twirp methods (e.g. `CreateCacheEntry`) are affected. */
  rpcs?: string[];
}

interface RunScope {
  runId: number;
  jobId: number;
  repository: string;
  runBackendId: string;
  jobBackendId: string;
}

export interface FakeCacheEntry {
  id: number;
  key: string;
  version: string;
  blob: string;
  committed: boolean;
  createdAt: number;
  size?: number;
}

export interface FakeArtifact {
  id: number;
  name: string;
  run: RunScope;
  blob: string;
  finalized: boolean;
  createdAt: Date;
  expiresAt?: string;
  size?: number;
  digest?: string;
}

interface Blob {
  data?: Buffer;
  blocks: Map<string, Buffer>;
  contentType?: string;
}

const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';
const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
const BLOB_ACCOUNT = 'fakeaccount';

const TWIRP_STATUS: Record<string, number> = {
  internal: 500,
  already_exists: 409,
  not_found: 404,
  unauthenticated: 401,
  permission_denied: 403,
  invalid_argument: 400,
  failed_precondition: 412,
};

class TwirpError extends Error {
  constructor(
    readonly code: keyof typeof TWIRP_STATUS,
    message: string,
  ) {
    super(message);
  }
}

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** `bytes=a-b`, `bytes=a-` → inclusive [start, end] within size; undefined = whole blob. */
function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  const m = header ? /^bytes=(\d+)-(\d*)$/.exec(header) : null;
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return [start, end];
}

export class FakeActionsServices {
  readonly requests: RecordedRequest[] = [];
  readonly caches: FakeCacheEntry[] = [];
  readonly artifacts: FakeArtifact[] = [];
  /** Set to make matching requests fail or hang; undefined = behave. */
  fault?: Fault;

  private readonly blobs = new Map<string, Blob>();
  private readonly tokens = new Map<string, RunScope>();
  private readonly sockets = new Set<Socket>();
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeActionsServices> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('fake services: no TCP address');
    const fake = new FakeActionsServices(server, `http://127.0.0.1:${address.port}`);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { code: 'internal', msg: `fake services bug: ${String(e)}` });
        else res.destroy();
      });
    });
    return fake;
  }

  /** Stops the server and drops every open connection, hung ones included. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * An ACTIONS_RUNTIME_TOKEN for one job: an unsigned JWT whose `scp` claim carries
   * `Actions.Results:<run backend id>:<job backend id>`, the way @actions/artifact reads it.
   */
  runtimeToken({ runId, jobId = 1, repository = 'octo-org/octo-repo' }: { runId: number; jobId?: number; repository?: string }): string {
    const known = [...this.tokens.entries()];
    const same = known.find(([, s]) => s.runId === runId && s.jobId === jobId && s.repository === repository);
    if (same) return same[0];
    // Jobs of one run share the run's backend id, as on GitHub.
    const runBackendId = known.find(([, s]) => s.runId === runId && s.repository === repository)?.[1].runBackendId ?? randomUUID();
    const scope: RunScope = { runId, jobId, repository, runBackendId, jobBackendId: randomUUID() };
    const payload = {
      scp: `Actions.ExampleScope Actions.Results:${scope.runBackendId}:${scope.jobBackendId}`,
      exp: Math.floor(Date.now() / 1000) + 3600,
      iss: 'fake-actions-services',
    };
    const token = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.fake-signature`;
    this.tokens.set(token, scope);
    return token;
  }

  /** The environment the runner gives a job step, pointed at this fake. */
  env({
    runId = 1001,
    jobId = 1,
    repository = 'octo-org/octo-repo',
    cacheVersion = 'v2',
  }: { runId?: number; jobId?: number; repository?: string; cacheVersion?: 'v1' | 'v2' } = {}): Record<string, string> {
    const env: Record<string, string> = {
      ACTIONS_RUNTIME_TOKEN: this.runtimeToken({ runId, jobId, repository }),
      ACTIONS_RESULTS_URL: `${this.url}/`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: `${this.url}/api`,
      GITHUB_RUN_ID: String(runId),
      GITHUB_REPOSITORY: repository,
    };
    if (cacheVersion === 'v2') env.ACTIONS_CACHE_SERVICE_V2 = 'true';
    else env.ACTIONS_CACHE_URL = `${this.url}/v1/`;
    return env;
  }

  private signedUrl(path: string): string {
    return `${this.url}/${BLOB_ACCOUNT}/${path}?sv=2024-01-01&se=2099-01-01&sp=rw&sig=fake-signature-${randomUUID()}`;
  }

  private classify(path: string): { service: RecordedRequest['service']; rpc?: string } {
    if (path.startsWith(`/twirp/${CACHE_SERVICE}/`)) return { service: 'cache-v2', rpc: path.split('/').pop() };
    if (path.startsWith(`/twirp/${ARTIFACT_SERVICE}/`)) return { service: 'artifact', rpc: path.split('/').pop() };
    if (path.startsWith('/v1/_apis/artifactcache/')) return { service: 'cache-v1' };
    if (path.startsWith(`/${BLOB_ACCOUNT}/`)) return { service: 'blob' };
    if (path.startsWith('/api/')) return { service: 'api' };
    return { service: 'unknown' };
  }

  private faultFor(record: RecordedRequest): Fault | undefined {
    const f = this.fault;
    if (!f) return undefined;
    if (f.services && !f.services.includes(record.service as ServiceName)) return undefined;
    if (f.rpcs && (!record.rpc || !f.rpcs.includes(record.rpc))) return undefined;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, ...this.classify(url.pathname) };
    this.requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    const body = await readBody(req);

    const fault = this.faultFor(record);
    if (fault?.mode === 'hang') return; // never answer; close() drops the connection
    if (fault?.mode === 'fail') {
      const status = fault.status ?? 500;
      if (record.service === 'blob') {
        const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>fake failure</Message></Error>`;
        res.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': 'InternalError' });
        res.end(xml);
      } else {
        const code = Object.entries(TWIRP_STATUS).find(([, s]) => s === status)?.[0] ?? (status >= 500 ? 'internal' : 'invalid_argument');
        sendJson(res, status, { code, msg: 'fake failure injected by the test', message: 'fake failure injected by the test' });
      }
      return;
    }

    switch (record.service) {
      case 'cache-v2':
      case 'artifact':
        return this.twirp(req, res, record, body);
      case 'cache-v1':
        return this.cacheV1(req, res, url, body);
      case 'blob':
        return this.blob(req, res, url, body);
      case 'api':
        return this.api(req, res, url);
      default:
        sendJson(res, 404, { message: `fake services: no route for ${req.method} ${url.pathname}` });
    }
  }

  // ---- twirp (cache v2 and artifacts) ----

  private scopeOf(req: IncomingMessage): RunScope | undefined {
    const auth = req.headers.authorization ?? '';
    return this.tokens.get(auth.replace(/^Bearer /, ''));
  }

  private twirp(req: IncomingMessage, res: ServerResponse, record: RecordedRequest, body: Buffer): void {
    try {
      if (req.method !== 'POST') throw new TwirpError('invalid_argument', 'twirp calls are POSTs');
      const scope = this.scopeOf(req);
      if (!scope) throw new TwirpError('unauthenticated', 'missing or unknown ACTIONS_RUNTIME_TOKEN');
      const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const result = record.service === 'cache-v2' ? this.cacheRpc(record.rpc ?? '', request) : this.artifactRpc(record.rpc ?? '', request, scope);
      sendJson(res, 200, result);
    } catch (e) {
      if (!(e instanceof TwirpError)) throw e;
      sendJson(res, TWIRP_STATUS[e.code] ?? 500, { code: e.code, msg: e.message });
    }
  }

  private findCache(version: string, key: string, restoreKeys: string[]): FakeCacheEntry | undefined {
    const committed = this.caches.filter((c) => c.committed && c.version === version).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return (
      committed.find((c) => c.key === key) ??
      committed.find((c) => c.key.startsWith(key)) ??
      restoreKeys.map((prefix) => committed.find((c) => c.key.startsWith(prefix))).find((c) => c !== undefined)
    );
  }

  private cacheRpc(rpc: string, request: Record<string, unknown>): unknown {
    const key = String(request.key ?? '');
    const version = String(request.version ?? '');
    switch (rpc) {
      case 'GetCacheEntryDownloadURL': {
        const entry = this.findCache(version, key, (request.restore_keys as string[] | undefined) ?? []);
        if (!entry) return { ok: false, signed_download_url: '', matched_key: '' };
        return { ok: true, signed_download_url: this.signedUrl(entry.blob), matched_key: entry.key };
      }
      case 'CreateCacheEntry': {
        if (this.caches.some((c) => c.key === key && c.version === version)) {
          throw new TwirpError('already_exists', 'cache entry with the same key, version, and scope already exists');
        }
        const id = this.nextId++;
        const entry: FakeCacheEntry = { id, key, version, blob: `caches/${id}`, committed: false, createdAt: Date.now() };
        this.caches.push(entry);
        return { ok: true, signed_upload_url: this.signedUrl(entry.blob) };
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = this.caches.find((c) => c.key === key && c.version === version && !c.committed);
        if (!entry) throw new TwirpError('not_found', 'no cache entry reserved for this key and version');
        const data = this.blobs.get(entry.blob)?.data;
        if (!data) throw new TwirpError('failed_precondition', 'the cache archive was not uploaded');
        if (String(data.length) !== String(request.size_bytes))
          throw new TwirpError('invalid_argument', `size_bytes ${String(request.size_bytes)} does not match the uploaded ${data.length} bytes`);
        entry.committed = true;
        entry.size = data.length;
        entry.createdAt = Date.now();
        return { ok: true, entry_id: String(entry.id) };
      }
      default:
        throw new TwirpError('not_found', `unknown CacheService method ${rpc}`);
    }
  }

  private artifactRpc(rpc: string, request: Record<string, unknown>, scope: RunScope): unknown {
    const runBackendId = String(request.workflow_run_backend_id ?? '');
    if (runBackendId !== scope.runBackendId) throw new TwirpError('permission_denied', 'the token does not grant access to this workflow run');
    const name = String(request.name ?? '');
    const ofRun = this.artifacts.filter((a) => a.run.runBackendId === runBackendId);
    switch (rpc) {
      case 'CreateArtifact': {
        if (ofRun.some((a) => a.name === name)) throw new TwirpError('already_exists', `an artifact with the name ${name} already exists on the workflow run`);
        const id = this.nextId++;
        const artifact: FakeArtifact = {
          id,
          name,
          run: scope,
          blob: `artifacts/${id}/${name}.zip`,
          finalized: false,
          createdAt: new Date(),
          expiresAt: request.expires_at as string | undefined,
        };
        this.artifacts.push(artifact);
        return { ok: true, signed_upload_url: this.signedUrl(artifact.blob) };
      }
      case 'FinalizeArtifact': {
        const artifact = ofRun.find((a) => a.name === name && !a.finalized);
        if (!artifact) throw new TwirpError('not_found', `no artifact ${name} is being uploaded in this run`);
        const data = this.blobs.get(artifact.blob)?.data;
        if (!data) throw new TwirpError('failed_precondition', 'the artifact content was not uploaded');
        artifact.finalized = true;
        artifact.size = data.length;
        artifact.digest = request.hash as string | undefined;
        return { ok: true, artifact_id: String(artifact.id) };
      }
      case 'ListArtifacts': {
        const nameFilter = request.name_filter as string | undefined;
        const idFilter = request.id_filter as string | undefined;
        const artifacts = ofRun
          .filter((a) => a.finalized && (nameFilter === undefined || a.name === nameFilter) && (idFilter === undefined || String(a.id) === String(idFilter)))
          .map((a) => ({
            workflow_run_backend_id: a.run.runBackendId,
            workflow_job_run_backend_id: a.run.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size ?? 0),
            created_at: a.createdAt.toISOString(),
            ...(a.digest ? { digest: a.digest } : {}),
          }));
        return { artifacts };
      }
      case 'GetSignedArtifactURL': {
        const artifact = ofRun.find((a) => a.name === name && a.finalized);
        if (!artifact) throw new TwirpError('not_found', `no artifact ${name} in this run`);
        return { signed_url: this.signedUrl(artifact.blob) };
      }
      case 'DeleteArtifact': {
        const artifact = ofRun.find((a) => a.name === name && a.finalized);
        if (!artifact) throw new TwirpError('not_found', `no artifact ${name} in this run`);
        this.artifacts.splice(this.artifacts.indexOf(artifact), 1);
        return { ok: true, artifact_id: String(artifact.id) };
      }
      default:
        throw new TwirpError('not_found', `unknown ArtifactService method ${rpc}`);
    }
  }

  // ---- cache v1 (REST) ----

  private cacheV1(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    if (!this.scopeOf(req)) return sendJson(res, 401, { message: 'missing or unknown ACTIONS_RUNTIME_TOKEN' });
    const resource = url.pathname.slice('/v1/_apis/artifactcache/'.length);
    if (req.method === 'GET' && resource === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',');
      const entry = this.findCache(url.searchParams.get('version') ?? '', keys[0], keys.slice(1));
      if (!entry) {
        res.writeHead(204).end();
        return;
      }
      return sendJson(res, 200, {
        cacheKey: entry.key,
        scope: 'refs/heads/main',
        cacheVersion: entry.version,
        creationTime: new Date(entry.createdAt).toISOString(),
        archiveLocation: `${this.url}/${BLOB_ACCOUNT}/${entry.blob}?sig=fake-signature-${randomUUID()}`,
      });
    }
    if (req.method === 'GET' && resource === 'caches') return sendJson(res, 200, { totalCount: 0, artifactCaches: [] });
    if (req.method === 'POST' && resource === 'caches') {
      const { key, version } = JSON.parse(body.toString('utf8')) as { key: string; version: string };
      if (this.caches.some((c) => c.key === key && c.version === version)) {
        return sendJson(res, 409, { message: `Cache already exists. Scope: refs/heads/main, Key: ${key}, Version: ${version}` });
      }
      const id = this.nextId++;
      this.caches.push({ id, key, version, blob: `caches/${id}`, committed: false, createdAt: Date.now() });
      this.blobs.set(`caches/${id}`, { blocks: new Map() });
      return sendJson(res, 201, { cacheId: id });
    }
    const m = /^caches\/(\d+)$/.exec(resource);
    const entry = m ? this.caches.find((c) => c.id === Number(m[1]) && !c.committed) : undefined;
    if (!entry) return sendJson(res, 404, { message: `no reserved cache ${resource}` });
    const blob: Blob = this.blobs.get(entry.blob) ?? { blocks: new Map() };
    this.blobs.set(entry.blob, blob);
    if (req.method === 'PATCH') {
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(req.headers['content-range'] ?? '');
      if (!range || Number(range[2]) - Number(range[1]) + 1 !== body.length) return sendJson(res, 400, { message: 'bad Content-Range' });
      blob.blocks.set(range[1].padStart(20, '0'), body);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST') {
      const { size } = JSON.parse(body.toString('utf8')) as { size: number };
      const data = Buffer.concat([...blob.blocks.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, b]) => b));
      if (data.length !== size) return sendJson(res, 400, { message: `size ${size} does not match the ${data.length} bytes uploaded` });
      blob.data = data;
      blob.blocks.clear();
      entry.committed = true;
      entry.size = size;
      entry.createdAt = Date.now();
      res.writeHead(204).end();
      return;
    }
    sendJson(res, 405, { message: `${req.method} not allowed` });
  }

  // ---- blob storage (Azure block blobs) ----

  private blob(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    if (!url.searchParams.get('sig')?.startsWith('fake-signature-')) {
      res.writeHead(403, { 'x-ms-error-code': 'AuthenticationFailed' }).end();
      return;
    }
    const path = decodeURIComponent(url.pathname.slice(`/${BLOB_ACCOUNT}/`.length));
    const headers = { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2024-01-01', ETag: `"0x${Date.now().toString(16)}"`, 'Last-Modified': new Date().toUTCString() };
    const comp = url.searchParams.get('comp');
    if (req.method === 'PUT') {
      const blob: Blob = this.blobs.get(path) ?? { blocks: new Map() };
      this.blobs.set(path, blob);
      if (comp === 'block') {
        blob.blocks.set(url.searchParams.get('blockid') ?? '', body);
      } else if (comp === 'blocklist') {
        const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
        const parts = ids.map((id) => blob.blocks.get(id));
        if (parts.some((p) => p === undefined)) {
          res.writeHead(400, { ...headers, 'x-ms-error-code': 'InvalidBlockList' }).end();
          return;
        }
        blob.data = Buffer.concat(parts as Buffer[]);
        blob.blocks.clear();
        blob.contentType = req.headers['x-ms-blob-content-type'] as string | undefined;
      } else if (comp === null && req.headers['x-ms-blob-type'] === 'BlockBlob') {
        blob.data = body;
        blob.contentType = (req.headers['x-ms-blob-content-type'] as string | undefined) ?? req.headers['content-type'];
      } else {
        res.writeHead(400, { ...headers, 'x-ms-error-code': 'UnsupportedQueryParameter' }).end();
        return;
      }
      res.writeHead(201, { ...headers, 'Content-Length': 0, 'x-ms-request-server-encrypted': 'true' }).end();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const data = this.blobs.get(path)?.data;
      if (!data) {
        res.writeHead(404, { ...headers, 'x-ms-error-code': 'BlobNotFound' }).end();
        return;
      }
      const contentType = this.blobs.get(path)?.contentType ?? 'application/octet-stream';
      const range = parseRange((req.headers['x-ms-range'] ?? req.headers.range) as string | undefined, data.length);
      const [start, end] = range ?? [0, data.length - 1];
      const slice = data.subarray(start, end + 1);
      res.writeHead(range ? 206 : 200, {
        ...headers,
        'Content-Type': contentType,
        'Content-Length': slice.length,
        'Accept-Ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${data.length}` } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : slice);
      return;
    }
    res.writeHead(405, headers).end();
  }

  // ---- public REST API (cross-run artifact lookup and download) ----

  private api(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (!/^(token|Bearer) \S+/.test(req.headers.authorization ?? '')) return sendJson(res, 401, { message: 'Requires authentication' });
    const list = /^\/api\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/artifacts$/.exec(url.pathname);
    if (req.method === 'GET' && list) {
      const [, repository, runId] = list;
      const name = url.searchParams.get('name');
      const artifacts = this.artifacts
        .filter((a) => a.finalized && a.run.repository === repository && a.run.runId === Number(runId) && (name === null || a.name === name))
        .map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.size ?? 0,
          created_at: a.createdAt.toISOString(),
          expired: false,
          digest: a.digest,
          workflow_run: { id: a.run.runId },
        }));
      return sendJson(res, 200, { total_count: artifacts.length, artifacts });
    }
    const zip = /^\/api\/repos\/([^/]+\/[^/]+)\/actions\/artifacts\/(\d+)\/zip$/.exec(url.pathname);
    if (req.method === 'GET' && zip) {
      const artifact = this.artifacts.find((a) => a.finalized && a.run.repository === zip[1] && a.id === Number(zip[2]));
      if (!artifact) return sendJson(res, 404, { message: 'Not Found' });
      res.writeHead(302, { Location: this.signedUrl(artifact.blob), 'Content-Length': 0 }).end();
      return;
    }
    sendJson(res, 404, { message: 'Not Found' });
  }
}

/**
 * Records what @actions/core writes to stdout (info lines, `::warning::`, `::error::`, `::add-mask::`) while
 * still passing it through. Call the returned function to stop recording.
 */
export function recordActionsLog(): { lines: () => string[]; warnings: () => string[]; errors: () => string[]; stop: () => void } {
  const original = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  const lines = (): string[] => text.split(/\r?\n/).filter((l) => l !== '');
  return {
    lines,
    warnings: () => lines().filter((l) => l.startsWith('::warning')),
    errors: () => lines().filter((l) => l.startsWith('::error')),
    stop: () => {
      process.stdout.write = original;
    },
  };
}
