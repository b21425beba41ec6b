/**
 * The first call every Flyte client makes, `flyteidl.service.AdminService/GetVersion`, over TLS and
 * HTTP/2 at the domain, as pyflyte and flytectl make it (flyteidl v1.16.8
 * service/admin.proto; admin/version.proto: GetVersionRequest has no fields, GetVersionResponse
 * holds `Version control_plane_version = 1` with `Build = 1`, `Version = 2`, `BuildTime = 3`).
 *
 * node:http2 instead of a gRPC library: one unary call with an empty request is five bytes of
 * framing (gRPC's PROTOCOL-HTTP2: compressed flag, 4-byte length), and the check needs what a
 * library hides: the HTTP status of a refusal (IAP's 401, a load balancer's 502) apart from a
 * gRPC status, and the TCP target apart from the TLS name for tests.
 */
import { connect, constants } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { REQUEST_TIMEOUT_MS, tlsTarget, type PublicNetwork } from './verify-network.js';

export const GET_VERSION_PATH = '/flyteidl.service.AdminService/GetVersion';

export type GrpcAnswer =
  | {
      readonly kind: 'ok';
      readonly version: string;
      readonly build: string;
      readonly latencyMs: number;
    }
  /** Not a gRPC answer: the HTTP status of whatever refused it (IAP, the load balancer). */
  | { readonly kind: 'http'; readonly status: number; readonly latencyMs: number }
  | {
      readonly kind: 'grpc';
      readonly code: number;
      readonly message: string;
      readonly latencyMs: number;
    };

export function getVersion(
  network: PublicNetwork,
  domain: string,
  bearer?: string
): Promise<GrpcAnswer> {
  const target = tlsTarget(network, domain);
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise((resolve, reject) => {
    const session = connect(`https://${domain}`, {
      createConnection: () => tlsConnect({ ...target, ALPNProtocols: ['h2'] })
    });
    const fail = (error: Error) => {
      session.destroy();
      reject(error);
    };
    session.on('error', fail);
    session.setTimeout(REQUEST_TIMEOUT_MS, () =>
      fail(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`))
    );
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: GET_VERSION_PATH,
      [constants.HTTP2_HEADER_SCHEME]: 'https',
      // The host alone, as gRPC clients send it for the default port.
      [constants.HTTP2_HEADER_AUTHORITY]: domain,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': 'flyte-gke-action-verify',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {})
    });
    let status = 0;
    let grpcStatus: string | undefined;
    let grpcMessage = '';
    const chunks: Buffer[] = [];
    const readStatus = (headers: Record<string, unknown>) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
      if (headers['grpc-message'] !== undefined)
        grpcMessage = decodeURIComponent(String(headers['grpc-message']));
    };
    stream.on('response', (headers) => {
      status = Number(headers[constants.HTTP2_HEADER_STATUS] ?? 0);
      readStatus(headers);
    });
    stream.on('trailers', (trailers) => readStatus(trailers));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', fail);
    stream.on('end', () => {
      session.close();
      if (status !== 200) return resolve({ kind: 'http', status, latencyMs: latency() });
      if (grpcStatus !== '0') {
        return resolve({
          kind: 'grpc',
          code: Number(grpcStatus ?? 2),
          message: grpcStatus === undefined ? 'no grpc-status in the answer' : grpcMessage,
          latencyMs: latency()
        });
      }
      try {
        const version = decodeGetVersionResponse(unframe(Buffer.concat(chunks)));
        resolve({ kind: 'ok', ...version, latencyMs: latency() });
      } catch (error) {
        reject(error as Error);
      }
    });
    // The empty GetVersionRequest: not compressed, zero bytes long.
    stream.end(Buffer.alloc(5));
  });
}

/** The one message of a unary answer, without its 5-byte length prefix. */
function unframe(body: Buffer): Buffer {
  if (body.length < 5) throw new Error('GetVersion answered without a message');
  if (body[0] !== 0) throw new Error('GetVersion answered with a compressed message');
  const length = body.readUInt32BE(1);
  if (body.length < 5 + length) throw new Error('GetVersion answered with a cut message');
  return body.subarray(5, 5 + length);
}

/** Protocol buffers' base-128 varint at `at`: [value, next offset]. */
function varint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  for (let shift = 0, i = at; i < buf.length && shift < 35; shift += 7, i++) {
    const byte = buf[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i + 1];
  }
  throw new Error('GetVersion answered with a malformed message');
}

/** Length-delimited fields (wire type 2) by number; other wire types are skipped. */
function lengthFields(buf: Buffer): Map<number, Buffer> {
  const fields = new Map<number, Buffer>();
  for (let at = 0; at < buf.length;) {
    const [key, next] = varint(buf, at);
    const wire = key & 7;
    at = next;
    if (wire === 2) {
      const [length, start] = varint(buf, at);
      fields.set(Math.floor(key / 8), buf.subarray(start, start + length));
      at = start + length;
    } else if (wire === 0) at = varint(buf, at)[1];
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error('GetVersion answered with a malformed message');
  }
  return fields;
}

export function decodeGetVersionResponse(message: Buffer): { version: string; build: string } {
  const controlPlane = lengthFields(message).get(1) ?? Buffer.alloc(0);
  const version = lengthFields(controlPlane);
  return {
    version: version.get(2)?.toString('utf8') ?? '',
    build: version.get(1)?.toString('utf8') ?? ''
  };
}
