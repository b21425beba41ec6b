/**
 * `GET https://DOMAIN/healthcheck` through the load balancer over HTTP/1.1, as curl or a browser
 * would send it, with or without an IAP ID token. Redirects are not followed: IAP's 302 to
 * accounts.google.com is an answer in itself.
 */
import { request } from 'node:https';
import { REQUEST_TIMEOUT_MS, tlsTarget, type PublicNetwork } from './verify-network.js';

export interface HttpsAnswer {
  readonly status: number;
  readonly location?: string;
  readonly latencyMs: number;
}

export function httpsGet(
  network: PublicNetwork,
  domain: string,
  path: string,
  bearer?: string
): Promise<HttpsAnswer> {
  const target = tlsTarget(network, domain);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        ...target,
        method: 'GET',
        path,
        // A fresh connection per check: a reused one would hide the TLS handshake's failure.
        agent: false,
        headers: {
          host: domain,
          'user-agent': 'flyte-gke-action-verify',
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {})
        },
        timeout: REQUEST_TIMEOUT_MS
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(typeof res.headers.location === 'string' ? { location: res.headers.location } : {}),
            latencyMs: Math.round(performance.now() - started)
          })
        );
      }
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}
