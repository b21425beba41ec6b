/**
 * A loopback GitHub Actions cache service (v2), strict where the real one is: the twirp JSON API
 * at ACTIONS_RESULTS_URL + /twirp/github.actions.results.api.v1.CacheService/{GetCacheEntryDownloadURL,
 * CreateCacheEntry, FinalizeCacheEntryUpload} with the job's bearer token, and the signed blob
 * URLs it hands out, also on loopback: uploads as Azure Blob Storage takes them from
 * @azure/storage-blob (Put Blob, or Put Block + Put Block List), downloads by plain GET.
 *
 * Refused as the service refuses them: a missing or wrong token (401), a key over 512 characters
 * or with a comma, no version (invalid_argument), a second CreateCacheEntry for the same key and
 * version (already_exists, even before the first is finalized), a finalize with nothing uploaded,
 * with another size, or for an entry never created (not_found / failed_precondition), an upload to
 * an unsigned URL or one already finalized (403), and a lookup whose version differs (a miss).
 * A lookup matches the key exactly first, then by prefix, as the service does.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { paced } from './mirror.js';

const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/';

export interface StoredEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** The archive as uploaded (the blocks joined, for a block upload). */
  blob?: Buffer;
  readonly blocks: Map<string, Buffer>;
  finalized: boolean;
  createdAt: number;
}

export interface CacheRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export class CacheServer {
  readonly entries: StoredEntry[] = [];
  readonly requests: CacheRequest[] = [];
  readonly token = `cache-token-${randomBytes(6).toString('hex')}`;
  /** Bytes of archives downloaded from the blob URLs. */
  bytesServed = 0;
  /** A modelled link for downloads (bench/hosted.ts); unpaced when unset. */
  downloadBytesPerSecond: number | undefined;
  private readonly secret = randomBytes(16);
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly url: string
  ) {}

  static async start(): Promise<CacheServer> {
    const holder: { self?: CacheServer } = {};
    const server = createServer((req, res) => void holder.self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.self = new CacheServer(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    );
    return holder.self;
  }

  /** The variables the runner gives a JavaScript action for the cache service. */
  env(): Record<string, string> {
    return {
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.token
    };
  }

  /** Requests to the blob URLs (downloads and uploads), the transfers that cost time. */
  blobRequests(method?: string): CacheRequest[] {
    return this.requests.filter(
      (r) => r.path.startsWith('/blob/') && (!method || r.method === method)
    );
  }

  /** Finalized entries by key. */
  entry(key: string): StoredEntry | undefined {
    return this.entries.find((e) => e.key === key && e.finalized);
  }

  /** Puts an entry in place as another job (or an attacker with the cache token) would. */
  plant(key: string, version: string, blob: Buffer): void {
    this.entries.push({
      id: this.nextId++,
      key,
      version,
      blob,
      blocks: new Map(),
      finalized: true,
      createdAt: Date.now()
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sign(id: number, op: 'read' | 'write'): string {
    return createHmac('sha256', this.secret).update(`${id}:${op}`).digest('hex');
  }

  private blobUrl(id: number, op: 'read' | 'write'): string {
    return `${this.url}/blob/devstoreaccount1/actions-cache/${id}?sp=${op === 'read' ? 'r' : 'cw'}&sig=${this.sign(id, op)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const answer = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', path: url.pathname, status });
      const text = payload === undefined ? '' : JSON.stringify(payload);
      res.writeHead(status, {
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        'content-length': String(Buffer.byteLength(text)),
        ...headers
      });
      res.end(text);
    };
    const twirpError = (status: number, code: string, msg: string) => answer(status, { code, msg });

    if (url.pathname.startsWith('/blob/')) return this.blob(req, res, url, body);
    if (req.method !== 'POST' || !url.pathname.startsWith(SERVICE)) {
      return twirpError(404, 'bad_route', `no handler for ${req.method} ${url.pathname}`);
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      return twirpError(401, 'unauthenticated', 'invalid or missing runtime token');
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      return twirpError(415, 'bad_route', 'unexpected Content-Type');
    }
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return twirpError(400, 'malformed', 'the body is not JSON');
    }
    const key = typeof request.key === 'string' ? request.key : '';
    const version = typeof request.version === 'string' ? request.version : '';
    const badKey = (k: string) =>
      k === '' || k.length > 512 || k.includes(',')
        ? `invalid key ${JSON.stringify(k)}`
        : undefined;
    const method = url.pathname.slice(SERVICE.length);
    switch (method) {
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = Array.isArray(request.restore_keys)
          ? (request.restore_keys as string[])
          : [];
        const invalid = [key, ...restoreKeys].map(badKey).find(Boolean);
        if (invalid) return twirpError(400, 'invalid_argument', invalid);
        if (!version) return twirpError(400, 'invalid_argument', 'version is required');
        const found = this.lookup(key, restoreKeys, version);
        if (!found) return answer(200, { ok: false, signedDownloadUrl: '', matchedKey: '' });
        return answer(200, {
          ok: true,
          signedDownloadUrl: this.blobUrl(found.id, 'read'),
          matchedKey: found.key
        });
      }
      case 'CreateCacheEntry': {
        const invalid = badKey(key);
        if (invalid) return twirpError(400, 'invalid_argument', invalid);
        if (!version) return twirpError(400, 'invalid_argument', 'version is required');
        if (this.entries.some((e) => e.key === key && e.version === version)) {
          return twirpError(
            409,
            'already_exists',
            'cache entry with the same key, version, and scope already exists'
          );
        }
        const entry: StoredEntry = {
          id: this.nextId++,
          key,
          version,
          blocks: new Map(),
          finalized: false,
          createdAt: Date.now()
        };
        this.entries.push(entry);
        return answer(200, { ok: true, signedUploadUrl: this.blobUrl(entry.id, 'write') });
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = this.entries.find((e) => e.key === key && e.version === version);
        if (!entry) return twirpError(404, 'not_found', 'no cache entry was created for this key');
        if (entry.finalized) return twirpError(409, 'already_exists', 'already finalized');
        if (!entry.blob) {
          return twirpError(412, 'failed_precondition', 'nothing was uploaded for this entry');
        }
        if (String(request.size_bytes) !== String(entry.blob.length)) {
          return twirpError(
            400,
            'invalid_argument',
            `size_bytes ${String(request.size_bytes)} is not the uploaded ${entry.blob.length}`
          );
        }
        entry.finalized = true;
        return answer(200, { ok: true, entryId: String(entry.id) });
      }
      default:
        return twirpError(404, 'bad_route', `no method ${method}`);
    }
  }

  /** Finalized entries of this version: the key exactly, then by prefix, then each restore key. */
  private lookup(key: string, restoreKeys: string[], version: string): StoredEntry | undefined {
    const ready = this.entries
      .filter((e) => e.finalized && e.version === version)
      .sort((a, b) => b.createdAt - a.createdAt);
    const exact = ready.find((e) => e.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const found = ready.find((e) => e.key.startsWith(prefix));
      if (found) return found;
    }
    return undefined;
  }

  /** The signed blob URLs, as Azure Blob Storage answers @azure/storage-blob and a plain GET. */
  private blob(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const id = Number(url.pathname.split('/').pop());
    const entry = this.entries.find((e) => e.id === id);
    const op = req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write';
    const record = (status: number) =>
      this.requests.push({ method: req.method ?? '', path: url.pathname, status });
    const azureHeaders = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2025-01-05',
      date: new Date().toUTCString()
    };
    const fail = (status: number, code: string) => {
      record(status);
      const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`;
      res.writeHead(status, {
        ...azureHeaders,
        'x-ms-error-code': code,
        'content-type': 'application/xml',
        'content-length': String(Buffer.byteLength(xml))
      });
      res.end(xml);
    };
    if (!entry || url.searchParams.get('sig') !== this.sign(id, op)) {
      return fail(403, 'AuthenticationFailed');
    }
    if (op === 'read') {
      if (!entry.finalized || !entry.blob) return fail(404, 'BlobNotFound');
      record(200);
      res.writeHead(200, {
        ...azureHeaders,
        'content-type': 'application/octet-stream',
        'content-length': String(entry.blob.length),
        'x-ms-blob-type': 'BlockBlob'
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      this.bytesServed += entry.blob.length;
      if (this.downloadBytesPerSecond) paced(res, entry.blob, this.downloadBytesPerSecond);
      else res.end(entry.blob);
      return;
    }
    if (req.method !== 'PUT') return fail(405, 'UnsupportedHttpVerb');
    if (entry.finalized) return fail(409, 'BlobImmutableDueToPolicy');
    const comp = url.searchParams.get('comp');
    const created = () => {
      record(201);
      res.writeHead(201, {
        ...azureHeaders,
        etag: `"0x${randomBytes(8).toString('hex')}"`,
        'last-modified': new Date().toUTCString(),
        'x-ms-request-server-encrypted': 'true',
        'content-length': '0'
      });
      res.end();
    };
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (!blockId) return fail(400, 'InvalidQueryParameterValue');
      entry.blocks.set(blockId, body);
      return created();
    }
    if (comp === 'blocklist') {
      const ids = [
        ...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g)
      ].map((m) => m[1]!);
      if (ids.some((b) => !entry.blocks.has(b))) return fail(400, 'InvalidBlockList');
      entry.blob = Buffer.concat(ids.map((b) => entry.blocks.get(b)!));
      return created();
    }
    if (comp) return fail(400, 'InvalidQueryParameterValue');
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') return fail(400, 'MissingRequiredHeader');
    entry.blob = body;
    return created();
  }
}
