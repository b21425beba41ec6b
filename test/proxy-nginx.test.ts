/**
 * The TLS proxy's own nginx.conf, from the flyte-gke chart as the action renders it, run by a real
 * nginx in front of two loopback stand-ins for flyte-binary: an HTTP/1 server (console, /api,
 * /healthcheck on "8088") and a cleartext HTTP/2 gRPC server ("8089"). A client speaks HTTP/2 over
 * TLS to it, as Google's load balancer does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createH2cServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { connect as tcpConnect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { selfSignedCertificate } from '../src/tls/self-signed.js';
import { PROXY_IMAGE, PROXY_PORT } from '../src/values/names.js';
import { flyteInputs } from './support/flyte-fixtures.js';
import { renderGkeChart } from './support/proxy-render.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
if (!NGINX) {
  console.warn(
    'SKIPPED the real-nginx proxy test: nginx is not installed (.ci/run installs nginx-light).'
  );
}
const describeWithNginx = NGINX ? describe : describe.skip;

/** nginx -v prints "nginx version: nginx/1.22.1" on stderr. */
const nginxVersion = (binary: string): number[] => {
  const out = spawnSync(binary, ['-v'], { encoding: 'utf8' });
  const match = /nginx\/([0-9]+)\.([0-9]+)\.([0-9]+)/.exec(`${out.stderr}${out.stdout}`);
  return match ? match.slice(1).map(Number) : [0, 0, 0];
};
const atLeast = (version: number[], wanted: number[]) => {
  for (let i = 0; i < wanted.length; i++) {
    if ((version[i] ?? 0) !== wanted[i]) return (version[i] ?? 0) > wanted[i]!;
  }
  return true;
};
/** The first nginx with the `http2` directive (the listen parameter is deprecated there). */
const HTTP2_DIRECTIVE = [1, 25, 1];

const renderedConf = () => {
  const configMap = renderGkeChart(
    flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' }),
    'flyte.acme.dev'
  ).find((o) => o.kind === 'ConfigMap')!;
  return (configMap.data as Record<string, string>)['nginx.conf']!;
};

describe('the rendered nginx.conf', () => {
  it('keeps idle connections longer than the load balancer’s fixed 600 s backend keepalive', () => {
    const values = [...renderedConf().matchAll(/^\s*keepalive_timeout\s+([0-9]+)s?;/gm)];
    expect(values).toHaveLength(1);
    expect(Number(values[0]![1])).toBeGreaterThan(600);
  });

  it('turns HTTP/2 on with the http2 directive, not the deprecated listen parameter', () => {
    const conf = renderedConf();
    expect(conf).toMatch(/^\s*http2 on;$/m);
    expect(conf).not.toMatch(/^\s*listen [^;]*\bhttp2\b/m);
    // The directive needs nginx 1.25.1; the sidecar image runs a newer one.
    const tag = /nginx-unprivileged:([0-9]+)\.([0-9]+)/.exec(PROXY_IMAGE);
    expect(tag).not.toBeNull();
    expect(atLeast(tag!.slice(1).map(Number), HTTP2_DIRECTIVE.slice(0, 2))).toBe(true);
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

describeWithNginx('the TLS proxy with a real nginx', () => {
  let dir: string;
  let nginx: ChildProcess;
  let http: Server;
  let grpc: Http2Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flyte-proxy-'));
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    port = await freePort();
    http = createHttpServer((req, res) => {
      res.setHeader('x-backend', 'http');
      res.writeHead(req.url === '/healthcheck' || req.url?.startsWith('/console') ? 200 : 404);
      res.end(req.url === '/healthcheck' ? 'ok' : `http ${req.url}`);
    }).listen(httpPort, '127.0.0.1');
    grpc = createH2cServer();
    grpc.on('stream', (stream, headers) => {
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'x-backend': 'grpc',
          'x-path': String(headers[':path'])
        },
        { waitForTrailers: true }
      );
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    grpc.listen(grpcPort, '127.0.0.1');

    // The configuration exactly as the chart renders it, only its ports and paths moved here.
    const rendered = renderedConf();
    const cert = await selfSignedCertificate('flyte-backend-flyte-binary-http');
    mkdirSync(path.join(dir, 'tls'));
    writeFileSync(path.join(dir, 'tls', 'tls.crt'), cert.certPem);
    writeFileSync(path.join(dir, 'tls', 'tls.key'), cert.keyPem);
    let conf = rendered
      .replace(`listen ${PROXY_PORT} `, `listen 127.0.0.1:${port} `)
      .replace('127.0.0.1:8089', `127.0.0.1:${grpcPort}`)
      .replace('127.0.0.1:8088', `127.0.0.1:${httpPort}`)
      .replaceAll('/etc/flyte-proxy/tls', path.join(dir, 'tls'))
      .replaceAll('/tmp/nginx', `${dir}/nginx`);
    expect(conf).not.toBe(rendered);
    if (!atLeast(nginxVersion(NGINX!), HTTP2_DIRECTIVE)) {
      // An nginx older than 1.25.1 (Debian 12 has 1.22) knows only the listen parameter: this run
      // spells HTTP/2 the old way, everything else as rendered. The sidecar's nginx is 1.27.
      console.warn(
        `nginx ${nginxVersion(NGINX!).join('.')} predates the http2 directive: running the rendered configuration with "listen ... ssl http2" in its place.`
      );
      conf = conf.replace(/(listen [^;]*ssl);\n(\s*)http2 on;/, '$1 http2;');
      expect(conf).toMatch(/listen [^;]* ssl http2;/);
    }
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    nginx = spawn(
      NGINX!,
      [
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-e',
        path.join(dir, 'error.log'),
        '-g',
        'daemon off;'
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe']
      }
    );
    let stderr = '';
    nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Ready when it accepts connections.
    for (let i = 0; i < 200; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not start: ${stderr}`);
  }, 30_000);

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    http?.close();
    grpc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One HTTP/2 request over TLS, as the load balancer (or a client at the domain) makes it. */
  const request = (headers: Record<string, string>, body?: Buffer) =>
    new Promise<{
      headers: Record<string, unknown>;
      trailers: Record<string, unknown>;
      alpn: string | false;
    }>((resolve, reject) => {
      const session = connect(`https://127.0.0.1:${port}`, {
        rejectUnauthorized: false,
        ALPNProtocols: ['h2']
      });
      session.on('error', reject);
      const stream = session.request(headers);
      let responseHeaders: Record<string, unknown> = {};
      let trailers: Record<string, unknown> = {};
      stream.on('response', (h) => (responseHeaders = h));
      stream.on('trailers', (t) => (trailers = t));
      stream.on('data', () => undefined);
      stream.on('end', () => {
        const alpn = session.alpnProtocol ?? false;
        session.close();
        resolve({ headers: responseHeaders, trailers, alpn });
      });
      stream.on('error', reject);
      stream.end(body);
    });

  it('speaks HTTP/2 over TLS and sends gRPC to flyte-binary’s gRPC port', async () => {
    const grpcCall = await request(
      {
        ':method': 'POST',
        ':path': '/flyteidl.service.AdminService/ListProjects',
        'content-type': 'application/grpc',
        te: 'trailers'
      },
      Buffer.from([0, 0, 0, 0, 0])
    );
    expect(grpcCall.alpn).toBe('h2');
    expect(grpcCall.headers['x-backend']).toBe('grpc');
    expect(grpcCall.headers['x-path']).toBe('/flyteidl.service.AdminService/ListProjects');
    expect(grpcCall.trailers['grpc-status']).toBe('0');
  });

  it('answers the load balancer’s health check with 200 from flyte-binary’s HTTP port', async () => {
    const health = await request({ ':method': 'GET', ':path': '/healthcheck' });
    expect(health.headers[':status']).toBe(200);
    expect(health.headers['x-backend']).toBe('http');
  });

  it('sends the console and /api to flyte-binary’s HTTP port', async () => {
    const console = await request({ ':method': 'GET', ':path': '/console/projects' });
    expect(console.headers[':status']).toBe(200);
    expect(console.headers['x-backend']).toBe('http');
    const api = await request({ ':method': 'GET', ':path': '/api/v1/projects' });
    expect(api.headers['x-backend']).toBe('http');
  });
});
