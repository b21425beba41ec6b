/**
 * The TLS proxy's certificate: self-signed, made by the action with @peculiar/x509 on Node's
 * WebCrypto. Google's load balancer encrypts to the backend but does not verify its certificate
 * (docs/remote-access.md), so a self-signed one is what GKE's own guides use for HTTP/2 backends.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Long-lived: nothing verifies it; the action renews it when less than RENEW_DAYS remain. */
export const VALIDITY_DAYS = 825;
export const RENEW_DAYS = 30;
const DAY_MS = 86_400_000;

export interface SelfSignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date;
}

export async function selfSignedCertificate(
  dnsName: string,
  now: Date = new Date()
): Promise<SelfSignedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify'
  ])) as unknown as CryptoKeyPair;
  const notAfter = new Date(now.getTime() + VALIDITY_DAYS * DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: `CN=${dnsName}`,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter,
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dnsName }]),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth])
    ]
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  const body = Buffer.from(pkcs8)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return {
    certPem: cert.toString('pem'),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
    notAfter
  };
}

/** True when a certificate that expires at `notAfter` (ISO text, '' when absent) must be made anew. */
export function needsNewCertificate(notAfter: string, now: Date = new Date()): boolean {
  const at = Date.parse(notAfter);
  return Number.isNaN(at) || at - now.getTime() < RENEW_DAYS * DAY_MS;
}
