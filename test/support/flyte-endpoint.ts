/**
 * A loopback stand-in for Flyte behind Google's load balancer, as a laptop meets it at the domain:
 * TLS with a certificate for the domain only, HTTP/1.1 `GET /healthcheck` and gRPC over HTTP/2
 * `flyteidl.service.AdminService/GetVersion` on one port, and optionally IAP in front (401 without
 * a bearer ID token for its OAuth client, 302 to accounts.google.com for a browser). It refuses a
 * request whose TLS name or Host/:authority is not the domain (421), and a gRPC request that is
 * not what gRPC's PROTOCOL-HTTP2 says (POST, application/grpc, te: trailers, a framed message).
 */
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { selfSignedCertificate } from '../../src/tls/self-signed.js';
import { idTokenClaims } from './google-server.js';

export const GET_VERSION = '/flyteidl.service.AdminService/GetVersion';

export interface EndpointBehaviour {
  /** Status of /healthcheck (200 when Flyte is up, 502 when the balancer has no backend). */
  healthStatus: number;
  /** gRPC: answer, refuse as a balancer without HTTP/2 to the backend does (502), or UNAVAILABLE. */
  grpc: 'ok' | 'refuse' | 'unavailable';
  /** With IAP in front: the OAuth client ID an ID token's audience must be. */
  iapAudience?: string;
  /** IAP admits the token but the account holds no roles/iap.httpsResourceAccessor (403). */
  refuseAccounts?: boolean;
  version: string;
}

export interface EndpointRequest {
  readonly path: string;
  readonly httpVersion: string;
  readonly servername: string;
  readonly authority: string;
  readonly bearer: boolean;
  readonly answered: number;
}

/** protobuf: one length-delimited field (lengths under 128 bytes). */
function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

export class FlyteEndpoint {
  readonly requests: EndpointRequest[] = [];
  behaviour: EndpointBehaviour = { healthStatus: 200, grpc: 'ok', version: 'v1.16.8' };
  ca = '';
  private server?: Http2SecureServer;
  port = 0;

  constructor(readonly domain: string) {}

  async start(): Promise<this> {
    const cert = await selfSignedCertificate(this.domain);
    this.ca = cert.certPem;
    this.server = createSecureServer(
      { key: cert.keyPem, cert: cert.certPem, allowHTTP1: true },
      (req, res) => void this.answer(req, res)
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async answer(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const servername = String((req.socket as TLSSocket).servername ?? '');
    const authority = String(req.headers[':authority'] ?? req.headers.host ?? '');
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const path = req.url;
    const reply = (status: number, headers: Record<string, string> = {}, text = '') => {
      this.requests.push({
        path,
        httpVersion: req.httpVersion,
        servername,
        authority,
        bearer: bearer !== undefined,
        answered: status
      });
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(text);
    };
    if (servername !== this.domain || authority.replace(/:443$/, '') !== this.domain) {
      return reply(421, {}, 'Misdirected Request');
    }
    const iap = this.behaviour.iapAudience;
    if (iap && (!bearer || idTokenClaims(bearer).aud !== iap)) {
      if (!bearer && /text\/html/.test(String(req.headers.accept ?? ''))) {
        return reply(302, { location: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=x' });
      }
      return reply(401, {}, 'Invalid IAP credentials: empty token');
    }
    if (iap && this.behaviour.refuseAccounts) {
      return reply(403, {}, "You don't have access");
    }
    if (path === '/healthcheck' && req.method === 'GET') {
      return reply(
        this.behaviour.healthStatus,
        {},
        this.behaviour.healthStatus === 200 ? '' : 'Bad Gateway'
      );
    }
    if (path === GET_VERSION) return this.grpc(req, res, body, reply);
    return reply(404, {}, 'Not Found');
  }

  private grpc(
    req: Http2ServerRequest,
    res: Http2ServerResponse,
    body: Buffer,
    reply: (status: number, headers?: Record<string, string>, text?: string) => void
  ): void {
    if (this.behaviour.grpc === 'refuse') return reply(502, {}, 'upstream connect error');
    const wellFormed =
      req.httpVersion === '2.0' &&
      req.method === 'POST' &&
      req.headers['content-type'] === 'application/grpc' &&
      req.headers.te === 'trailers' &&
      body.length === 5 &&
      body.every((b) => b === 0);
    if (!wellFormed) return reply(415, {}, 'not a gRPC GetVersion request');
    this.requests.push({
      path: req.url,
      httpVersion: req.httpVersion,
      servername: String((req.socket as TLSSocket).servername ?? ''),
      authority: String(req.headers[':authority'] ?? ''),
      bearer: typeof req.headers.authorization === 'string',
      answered: 200
    });
    res.writeHead(200, { 'content-type': 'application/grpc' });
    if (this.behaviour.grpc === 'unavailable') {
      res.addTrailers({ 'grpc-status': '14', 'grpc-message': 'upstream%20unreachable' });
      res.end();
      return;
    }
    const version = Buffer.concat([
      field(1, Buffer.from('a1b2c3d')),
      field(2, Buffer.from(this.behaviour.version)),
      field(3, Buffer.from('2026-11-01'))
    ]);
    const message = field(1, version);
    const frame = Buffer.alloc(5);
    frame.writeUInt32BE(message.length, 1);
    res.addTrailers({ 'grpc-status': '0' });
    res.end(Buffer.concat([frame, message]));
  }
}
