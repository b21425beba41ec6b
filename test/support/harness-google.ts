/**
 * The Google APIs a harnessed action calls itself (not through gcloud), on loopback, answering
 * from the same world.json the stand-in tools keep: STS's token exchange of the harness's OIDC
 * token, IAM Credentials' impersonation, and GKE's clusters.get, which finds a cluster once the
 * stand-in terraform has applied (as the stand-in gcloud's get-credentials did), and Cloud
 * Storage's buckets.get and buckets.insert over the stand-in gcloud's buckets. The action is
 * pointed here with FLYTE_GKE_GOOGLE_API_ENDPOINT. A test can make a path fail (`fail`) and read
 * every API call made (`calls`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { googleError } from './google-server.js';

const FEDERATED = 'ya29.harness-federated';
const ACCOUNT = 'ya29.harness-account';
/** Any base64 PEM: the stand-in kubectl never dials the endpoint. */
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64'
);

export interface HarnessGoogleCall {
  readonly method: string;
  readonly service: string;
  readonly path: string;
}

type Answer = { status: number; body: unknown };

export class HarnessGoogle {
  readonly calls: HarnessGoogleCall[] = [];
  private readonly failures: { path: RegExp; answer: Answer }[] = [];
  private server?: Server;
  url = '';

  constructor(
    private readonly standinDir: string,
    private readonly oidcToken: string
  ) {}

  get endpoint(): string {
    return `${this.url}/{service}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = this.answer(
          req.method ?? 'GET',
          req.url ?? '/',
          req.headers.authorization,
          Buffer.concat(chunks).toString('utf8')
        );
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Answers `status`/`body` (Google's error shape via googleError) for API paths matching. */
  fail(pathPattern: RegExp, answer: Answer): void {
    this.failures.push({ path: pathPattern, answer });
  }

  /** Drops the failures `fail` set. */
  reset(): void {
    this.failures.length = 0;
  }

  private answer(method: string, url: string, auth: string | undefined, raw: string): Answer {
    const [, service = '', ...rest] = new URL(url, this.url).pathname.split('/');
    const sub = `/${rest.join('/')}`;
    if (service === 'sts') {
      const form = new URLSearchParams(raw);
      return form.get('subject_token') === this.oidcToken
        ? {
            status: 200,
            body: {
              access_token: FEDERATED,
              issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
              token_type: 'Bearer',
              expires_in: 3600
            }
          }
        : { status: 400, body: { error: 'invalid_grant', error_description: 'bad subject_token' } };
    }
    if (service === 'iamcredentials' && sub.endsWith(':generateAccessToken')) {
      return auth === `Bearer ${FEDERATED}`
        ? {
            status: 200,
            body: {
              accessToken: ACCOUNT,
              expireTime: new Date(Date.now() + 3600_000).toISOString()
            }
          }
        : googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    this.calls.push({ method, service, path: sub });
    // A federated token calls APIs directly when no service account is impersonated.
    if (auth !== `Bearer ${ACCOUNT}` && auth !== `Bearer ${FEDERATED}`) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const failure = this.failures.find((f) => f.path.test(sub));
    if (failure) return failure.answer;
    const cluster = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/.exec(sub);
    if (service === 'container' && method === 'GET' && cluster) {
      const [, project, location, name] = cluster;
      if (!this.world().terraform?.applied) {
        return googleError(
          404,
          'NOT_FOUND',
          `Not found: projects/${project}/locations/${location}/clusters/${name}.`
        );
      }
      return {
        status: 200,
        body: {
          name,
          location,
          status: 'RUNNING',
          endpoint: '34.1.2.3',
          masterAuth: { clusterCaCertificate: CA }
        }
      };
    }
    if (service === 'storage') return this.storage(method, sub, raw);
    return googleError(404, 'NOT_FOUND', `No harness stand-in for ${method} ${service}${sub}`);
  }

  /** buckets.get / buckets.insert on world.gcloud.buckets, the stand-in gcloud's buckets. */
  private storage(method: string, sub: string, raw: string): Answer {
    const world = this.world();
    const buckets = ((world.gcloud ??= {}).buckets ??= {});
    const get = /^\/storage\/v1\/b\/([^/]+)$/.exec(sub);
    if (method === 'GET' && get) {
      const name = decodeURIComponent(get[1]!);
      const found = buckets[name];
      if (!found) return googleError(404, 'NOT_FOUND', 'The specified bucket does not exist.');
      return {
        status: 200,
        body: {
          kind: 'storage#bucket',
          name,
          location: String(found.location ?? 'US').toUpperCase(),
          ...(found.versioning === undefined ? {} : { versioning: { enabled: found.versioning } })
        }
      };
    }
    if (method === 'POST' && sub === '/storage/v1/b') {
      const body = JSON.parse(raw || '{}') as {
        name?: string;
        location?: string;
        versioning?: { enabled?: boolean };
        iamConfiguration?: {
          uniformBucketLevelAccess?: { enabled?: boolean };
          publicAccessPrevention?: string;
        };
      };
      if (!body.name) return googleError(400, 'INVALID_ARGUMENT', 'Required: name');
      if (buckets[body.name]) {
        return googleError(
          409,
          'ALREADY_EXISTS',
          'Your previous request to create the named bucket succeeded and you already own it.'
        );
      }
      buckets[body.name] = {
        location: body.location ?? 'US',
        versioning: body.versioning?.enabled === true,
        uniform: body.iamConfiguration?.uniformBucketLevelAccess?.enabled === true,
        pap: body.iamConfiguration?.publicAccessPrevention ?? 'inherited'
      };
      writeFileSync(path.join(this.standinDir, 'world.json'), JSON.stringify(world, null, 2));
      return { status: 200, body: { kind: 'storage#bucket', name: body.name } };
    }
    return googleError(404, 'NOT_FOUND', `No harness stand-in for ${method} storage${sub}`);
  }

  private world(): {
    terraform?: { applied?: unknown };
    gcloud?: { buckets?: Record<string, Record<string, unknown>> };
  } {
    const file = path.join(this.standinDir, 'world.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }
}
