/**
 * How the proof reaches Flyte from outside the cluster: the public DNS answer for the domain and a
 * TLS connection to it, as a data scientist's laptop makes them. Passed in through TaskContext so
 * tests answer DNS themselves and point the connection at a loopback server, while the TLS name
 * (SNI), the Host header and the certificate check still use the domain (curl's --connect-to).
 */
import { promises as dns } from 'node:dns';

export interface PublicNetwork {
  /** IPv4 addresses of a host from DNS (A records; not /etc/hosts). */
  resolve4(host: string): Promise<string[]>;
  /** Where the TCP connection for host:port goes; the host itself when absent. */
  connectTo?(host: string, port: number): { readonly host: string; readonly port: number };
  /** Certificates to trust instead of the system's (tests: the loopback server's own). */
  readonly ca?: string;
}

export const publicNetwork: PublicNetwork = { resolve4: (host) => dns.resolve4(host) };

/** The TCP target and TLS options for the domain on 443. */
export function tlsTarget(
  network: PublicNetwork,
  domain: string
): { host: string; port: number; servername: string; ca?: string } {
  const target = network.connectTo?.(domain, 443) ?? { host: domain, port: 443 };
  return {
    host: target.host,
    port: target.port,
    servername: domain,
    ...(network.ca ? { ca: network.ca } : {})
  };
}

/** One request's bound, so a black-holed address fails the check instead of hanging the job. */
export const REQUEST_TIMEOUT_MS = 15_000;
