/**
 * The workload identity federation credentials file (`type: external_account`). It holds no
 * Google token: gcloud, Terraform and the client libraries read it, ask GitHub's OIDC endpoint
 * for a fresh job token (credential_source), swap it at STS and, with a service account,
 * impersonate it. So credentials stay valid for the whole job, however long Helm waits.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ExternalAccount {
  readonly type: 'external_account';
  readonly audience: string;
  readonly subject_token_type: 'urn:ietf:params:oauth:token-type:jwt';
  readonly token_url: string;
  readonly credential_source: {
    readonly url: string;
    readonly headers: { readonly Authorization: string };
    readonly format: { readonly type: 'json'; readonly subject_token_field_name: 'value' };
  };
  readonly service_account_impersonation_url?: string;
}

export interface OidcRequest {
  /** ACTIONS_ID_TOKEN_REQUEST_URL */
  readonly url: string;
  /** ACTIONS_ID_TOKEN_REQUEST_TOKEN: a secret, which ends up in the file's header. */
  readonly token: string;
}

/** `provider` is projects/N/locations/global/workloadIdentityPools/P/providers/X. */
export function externalAccount(
  provider: string,
  serviceAccount: string | undefined,
  oidc: OidcRequest
): ExternalAccount {
  // GitHub's token is minted for the audience google-github-actions/auth uses by default, which
  // is what providers created by Google's documented steps accept.
  const tokenUrl = new URL(oidc.url);
  tokenUrl.searchParams.set('audience', `https://iam.googleapis.com/${provider}`);
  return {
    type: 'external_account',
    audience: `//iam.googleapis.com/${provider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: 'https://sts.googleapis.com/v1/token',
    credential_source: {
      url: tokenUrl.toString(),
      headers: { Authorization: `Bearer ${oidc.token}` },
      format: { type: 'json', subject_token_field_name: 'value' }
    },
    ...(serviceAccount
      ? {
          service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`
        }
      : {})
  };
}

/** Writes `content` to a new file with a random name in `dir`, readable by the owner only. */
export function writePrivateFile(dir: string, prefix: string, content: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${prefix}-${randomUUID()}`);
  // `wx`: never reuse or follow an existing file; the mode applies from creation on.
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  return file;
}
