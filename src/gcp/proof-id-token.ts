/**
 * An OpenID Connect ID token for the IAP OAuth client, minted by the job's own service account
 * (IAM Credentials `projects/-/serviceAccounts/SA:generateIdToken`, body {audience,
 * includeEmail}, answer {token}). IAP admits a bearer ID token whose audience is its OAuth client
 * ID. It takes `iam.serviceAccounts.getOpenIdToken` on the account itself:
 * roles/iam.serviceAccountOpenIdTokenCreator granted on itself (docs/security.md).
 */
import type { GoogleApi } from './google-api.js';

export async function mintIdToken(
  google: GoogleApi,
  serviceAccount: string,
  audience: string
): Promise<string> {
  const answer = await google.request<{ token?: string }>({
    service: 'iamcredentials',
    method: 'POST',
    path: `/v1/projects/-/serviceAccounts/${serviceAccount}:generateIdToken`,
    body: { audience, includeEmail: true }
  });
  if (!answer.token) throw new Error('generateIdToken answered without a token');
  return answer.token;
}
