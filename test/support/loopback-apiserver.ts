/**
 * A loopback HTTPS stand-in for a cluster's API server: a throwaway CA and a server certificate
 * for 127.0.0.1 made with openssl, and a server that records each request's Authorization header
 * and answers a Namespace for GET /api/v1/namespaces/NAME only to the expected bearer token
 * (401 Unauthorized Status otherwise, as the API server does).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export class LoopbackApiServer {
  readonly authorizations: (string | undefined)[] = [];
  caPem = '';
  private server?: Server;

  constructor(private readonly expectedToken: string) {}

  get endpoint(): string {
    return `127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    const dir = mkdtempSync(path.join(tmpdir(), 'apiserver-'));
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file('ca.key'),
      '-out',
      file('ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=test-ca'
    );
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      file('server.key'),
      '-out',
      file('server.csr'),
      '-subj',
      '/CN=kube-apiserver'
    );
    writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      file('server.csr'),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('server.pem'),
      '-days',
      '1',
      '-extfile',
      file('ext.cnf')
    );
    this.caPem = readFileSync(file('ca.pem'), 'utf8');
    this.server = createServer(
      { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')) },
      (req, res) => {
        this.authorizations.push(req.headers.authorization);
        const name = /^\/api\/v1\/namespaces\/([a-z0-9-]+)$/.exec(req.url ?? '')?.[1];
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== `Bearer ${this.expectedToken}`) {
          res.writeHead(401);
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: 'Unauthorized',
              reason: 'Unauthorized',
              code: 401
            })
          );
          return;
        }
        if (!name) {
          res.writeHead(404);
          res.end(
            JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 })
          );
          return;
        }
        res.end(
          JSON.stringify({
            kind: 'Namespace',
            apiVersion: 'v1',
            metadata: { name },
            status: { phase: 'Active' }
          })
        );
      }
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
