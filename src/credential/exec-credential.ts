/**
 * What the kubeconfig's exec plugin prints: an ExecCredential (client.authentication.k8s.io/v1)
 * holding an access token of the job's Google identity and when kubectl must ask again. The
 * token comes from the same credentials file gcloud and Terraform use, through google-auth-library
 * (checked like the action's own Google client: token exchange only at Google's hosts). It is kept
 * in a 0600 file in the kubeconfig's private folder, so the many kubectl and Helm processes of a
 * run share one token instead of each exchanging the job's OIDC token again; the post step
 * removes that folder.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuthClient } from 'google-auth-library';
import { EXEC_CREDENTIAL_API } from '../auth/exec-kubeconfig.js';

/** kubectl asks again this long before the token really expires, so no request meets an expired one. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** When Google does not say how long a token lives; its access tokens live an hour. */
const ASSUMED_LIFETIME_MS = 30 * 60_000;

export interface CachedToken {
  readonly token: string;
  /** Epoch milliseconds at which Google stops accepting the token. */
  readonly expiresAt: number;
}

export interface ExecCredentialDeps {
  /** Made only when the cache holds no usable token. */
  readonly auth: () => Pick<AuthClient, 'getAccessToken' | 'credentials'>;
  readonly tokenCache: string;
  readonly now: () => number;
}

export async function execCredential(deps: ExecCredentialDeps): Promise<string> {
  const token = readCache(deps.tokenCache, deps.now()) ?? (await freshToken(deps));
  return JSON.stringify({
    apiVersion: EXEC_CREDENTIAL_API,
    kind: 'ExecCredential',
    status: {
      token: token.token,
      expirationTimestamp: new Date(token.expiresAt - REFRESH_MARGIN_MS).toISOString()
    }
  });
}

async function freshToken(deps: ExecCredentialDeps): Promise<CachedToken> {
  const client = deps.auth();
  const { token } = await client.getAccessToken();
  if (!token) throw new Error('Google returned no access token for the job credentials.');
  const expiry = client.credentials.expiry_date;
  const expiresAt =
    typeof expiry === 'number' && expiry > deps.now() ? expiry : deps.now() + ASSUMED_LIFETIME_MS;
  const cached: CachedToken = { token, expiresAt };
  // Written whole then renamed: a kubectl starting meanwhile reads the old file or the new one.
  const staging = `${deps.tokenCache}.${process.pid}`;
  writeFileSync(staging, JSON.stringify(cached), { mode: 0o600 });
  renameSync(staging, deps.tokenCache);
  return cached;
}

/** The kept token while it has more than the margin left; anything unreadable counts as none. */
function readCache(file: string, now: number): CachedToken | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<CachedToken>;
    if (typeof kept.token !== 'string' || typeof kept.expiresAt !== 'number') return undefined;
    return kept.expiresAt - now > REFRESH_MARGIN_MS * 2
      ? { token: kept.token, expiresAt: kept.expiresAt }
      : undefined;
  } catch {
    return undefined;
  }
}
