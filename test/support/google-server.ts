/**
 * A loopback (127.0.0.1) stand-in for the Google endpoints the action's own REST calls meet:
 * GitHub's OIDC endpoint (the subject token), STS's token exchange, IAM Credentials'
 * generateAccessToken (impersonation), generateIdToken (an ID token for an audience), and the APIs a test registers routes for. Each checks what
 * the real one checks: the exchange's form fields, the bearer tokens (API calls need the
 * impersonated account's token, never the federated one), and Google's error shape for anything
 * unknown. Serves paths as `/SERVICE/...`, so the action's endpoint template is
 * `http://127.0.0.1:PORT/{service}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { externalAccount } from '../../src/auth/external-account.js';

export interface GoogleCall {
  readonly method: string;
  readonly service: string;
  /** Path after the service, e.g. `/v1/projects/p:testIamPermissions`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The JSON body, parsed (undefined for none and for a body of another content type). */
  readonly body: unknown;
  /** The body as sent, whatever its content type (a media upload's bytes). */
  readonly rawBody: string;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

export interface GoogleAnswer {
  readonly status?: number;
  /** Answered as JSON. */
  readonly body?: unknown;
  /** Answered as it is with its content type instead (an object's content, `alt=media`). */
  readonly raw?: { readonly contentType: string; readonly data: string };
}

/** A body is JSON when its content type says so, or says nothing (what the JSON APIs expect). */
const isJsonType = (contentType: string | undefined): boolean =>
  contentType === undefined || /^application\/([\w.+-]*\+)?json\b/i.test(contentType.trim());

type Handler = (call: GoogleCall) => GoogleAnswer | Promise<GoogleAnswer>;

interface Route {
  readonly method: string;
  readonly service: string;
  readonly path: string | RegExp;
  readonly handler: Handler;
}

export const PROVIDER =
  'projects/123456/locations/global/workloadIdentityPools/github/providers/repo';
const OIDC_REQUEST_TOKEN = 'actions-request-token';
const JOB_JWT = 'eyJhbGciOiJSUzI1NiJ9.job.sig';
const FEDERATED_TOKEN = 'ya29.federated-token';
const ACCOUNT_TOKEN = 'ya29.service-account-token';

/** Google's error body for a status. */
export function googleError(code: number, status: string, message: string, reason?: string) {
  return {
    status: code,
    body: {
      error: {
        code,
        message,
        status,
        ...(reason
          ? { details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }] }
          : {})
      }
    }
  };
}

/** The claims of an ID token this server minted (tests read the audience back). */
export function idTokenClaims(token: string): { aud?: string; email?: string; iss?: string } {
  const payload = token.split('.')[1] ?? '';
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud?: string };
  } catch {
    return {};
  }
}

export interface GoogleServerOptions {
  /**
   * Which workload identity providers STS knows (default: only PROVIDER). The harness accepts any
   * well-formed provider, as each suite names its own.
   */
  readonly acceptProvider?: (provider: string) => boolean;
  /** The GitHub OIDC token STS expects as subject token (default: this server's own JOB_JWT). */
  readonly subjectToken?: string;
  /**
   * Accept the federated token itself on API calls: Google's direct resource access for a
   * credentials file without service account impersonation. Off by default: with impersonation
   * only the account's token may call APIs.
   */
  readonly directAccess?: boolean;
}

const WELL_FORMED_PROVIDER =
  /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]+\/providers\/[a-z0-9-]+$/;

/** Any provider in Google's resource name form (what the harness uses). */
export const anyWellFormedProvider = (provider: string): boolean =>
  WELL_FORMED_PROVIDER.test(provider);

export class GoogleServer {
  constructor(private readonly options: GoogleServerOptions = {}) {}

  readonly calls: GoogleCall[] = [];
  exchanges = 0;
  impersonations = 0;
  /** ID tokens minted, with their audiences. */
  readonly idTokens: { account: string; audience: string }[] = [];
  /** When false, generateIdToken answers 403 as IAM does without iam.serviceAccounts.getOpenIdToken. */
  mayMintIdTokens = true;
  private readonly routes: Route[] = [];
  private readonly failures: { path: RegExp; answer: GoogleAnswer }[] = [];
  private server?: Server;
  private base = '';

  /** The FLYTE_GKE_GOOGLE_API_ENDPOINT value for this server. */
  get endpoint(): string {
    return `${this.base}/{service}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  on(method: string, service: string, path: string | RegExp, handler: Handler): this {
    this.routes.unshift({ method, service, path, handler });
    return this;
  }

  /** Answers `answer` (Google's error shape: googleError) for any API path matching, until reset. */
  fail(path: RegExp, answer: GoogleAnswer): void {
    this.failures.push({ path, answer });
  }

  /** Drops the failures `fail` set. */
  reset(): void {
    this.failures.length = 0;
  }

  /** Writes the action's own external_account file (impersonating `serviceAccount`) and the env. */
  credentials(serviceAccount = 'deployer@my-project.iam.gserviceaccount.com'): {
    file: string;
    env: NodeJS.ProcessEnv;
  } {
    const dir = mkdtempSync(path.join(tmpdir(), 'google-server-'));
    const file = path.join(dir, 'credentials.json');
    const account = externalAccount(PROVIDER, serviceAccount, {
      url: `${this.base}/oidc/token?api-version=2.0`,
      token: OIDC_REQUEST_TOKEN
    });
    writeFileSync(file, JSON.stringify(account), { mode: 0o600 });
    return { file, env: { FLYTE_GKE_GOOGLE_API_ENDPOINT: this.endpoint } };
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const send = (answer: GoogleAnswer) => {
      if (answer.raw) {
        res.writeHead(answer.status ?? 200, { 'content-type': answer.raw.contentType });
        res.end(answer.raw.data);
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    };
    const [, service = '', ...rest] = url.pathname.split('/');
    const subPath = `/${rest.join('/')}`;
    if (service === 'oidc') return send(this.oidc(req, url));
    if (service === 'sts') return send(this.exchange(raw, subPath));
    if (service === 'iamcredentials' && subPath.endsWith(':generateAccessToken')) {
      return send(this.impersonate(req, raw));
    }
    if (service === 'iamcredentials' && subPath.endsWith(':generateIdToken')) {
      return send(this.idToken(req, raw, subPath));
    }
    const contentType = req.headers['content-type'];
    let body: unknown;
    if (isJsonType(contentType)) {
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        return send(googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
      }
    }
    const call: GoogleCall = {
      method: req.method ?? 'GET',
      service,
      path: subPath,
      query: url.searchParams,
      body,
      rawBody: raw,
      contentType,
      authorization: req.headers.authorization
    };
    this.calls.push(call);
    const direct = this.options.directAccess && call.authorization === `Bearer ${FEDERATED_TOKEN}`;
    if (call.authorization !== `Bearer ${ACCOUNT_TOKEN}` && !direct) {
      return send(
        googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')
      );
    }
    const failure = this.failures.find((f) => f.path.test(subPath));
    if (failure) return send(failure.answer);
    const route = this.routes.find(
      (r) =>
        r.method === call.method &&
        r.service === service &&
        (typeof r.path === 'string' ? r.path === subPath : r.path.test(subPath))
    );
    if (!route) {
      return send(
        googleError(404, 'NOT_FOUND', `No stand-in for ${call.method} ${service}${subPath}`)
      );
    }
    try {
      send(await route.handler(call));
    } catch (error) {
      send(googleError(500, 'INTERNAL', (error as Error).message));
    }
  }

  private oidc(req: IncomingMessage, url: URL): GoogleAnswer {
    if (req.headers.authorization !== `Bearer ${OIDC_REQUEST_TOKEN}`) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    if (url.searchParams.get('audience') !== `https://iam.googleapis.com/${PROVIDER}`) {
      return { status: 400, body: { message: 'unexpected audience' } };
    }
    return { body: { value: JOB_JWT } };
  }

  private exchange(raw: string, subPath: string): GoogleAnswer {
    const form = new URLSearchParams(raw);
    const wrong = (field: string) =>
      ({
        status: 400,
        body: { error: 'invalid_request', error_description: `bad ${field}` }
      }) as const;
    if (subPath !== '/v1/token') return wrong('path');
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange')
      return wrong('grant_type');
    const audience = form.get('audience') ?? '';
    const provider = audience.replace(/^\/\/iam\.googleapis\.com\//, '');
    const known = this.options.acceptProvider ?? ((p: string) => p === PROVIDER);
    if (!audience.startsWith('//iam.googleapis.com/') || !known(provider)) return wrong('audience');
    if (form.get('subject_token') !== (this.options.subjectToken ?? JOB_JWT))
      return wrong('subject_token');
    if (form.get('subject_token_type') !== 'urn:ietf:params:oauth:token-type:jwt')
      return wrong('subject_token_type');
    if (form.get('requested_token_type') !== 'urn:ietf:params:oauth:token-type:access_token')
      return wrong('requested_token_type');
    this.exchanges += 1;
    return {
      body: {
        access_token: FEDERATED_TOKEN,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600
      }
    };
  }

  /**
   * IAM Credentials generateIdToken: POST /v1/projects/-/serviceAccounts/SA:generateIdToken with
   * {audience, includeEmail, delegates}, answering {token}; the `-` is required, the caller needs
   * iam.serviceAccounts.getOpenIdToken on SA. The token is a JWT whose claims tests can read.
   */
  private idToken(req: IncomingMessage, raw: string, subPath: string): GoogleAnswer {
    if (req.headers.authorization !== `Bearer ${ACCOUNT_TOKEN}`) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const match = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):generateIdToken$/.exec(
      subPath
    );
    if (!match || match[1] !== '-') {
      return googleError(400, 'INVALID_ARGUMENT', 'The project must be the wildcard "-".');
    }
    const account = decodeURIComponent(match[2] ?? '');
    let body: { audience?: unknown; includeEmail?: unknown };
    try {
      body = JSON.parse(raw || '{}') as typeof body;
    } catch {
      return googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    if (typeof body.audience !== 'string' || body.audience === '') {
      return googleError(400, 'INVALID_ARGUMENT', 'audience is required.');
    }
    if (!this.mayMintIdTokens) {
      return googleError(
        403,
        'PERMISSION_DENIED',
        `Permission 'iam.serviceAccounts.getOpenIdToken' denied on resource (or it may not exist).`,
        'IAM_PERMISSION_DENIED'
      );
    }
    this.idTokens.push({ account, audience: body.audience });
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      iss: 'https://accounts.google.com',
      aud: body.audience,
      sub: '100000000000000000001',
      ...(body.includeEmail === true ? { email: account, email_verified: true } : {}),
      exp: Math.floor(Date.now() / 1000) + 3600
    };
    return { body: { token: `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln` } };
  }

  private impersonate(req: IncomingMessage, raw: string): GoogleAnswer {
    if (req.headers.authorization !== `Bearer ${FEDERATED_TOKEN}`) {
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const body = JSON.parse(raw || '{}') as { scope?: string[] };
    if (!body.scope?.includes('https://www.googleapis.com/auth/cloud-platform')) {
      return googleError(400, 'INVALID_ARGUMENT', 'Scope required.');
    }
    this.impersonations += 1;
    return {
      body: {
        accessToken: ACCOUNT_TOKEN,
        expireTime: new Date(Date.now() + 3600_000).toISOString()
      }
    };
  }
}
