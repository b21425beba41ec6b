/**
 * An authenticated client for the action's own Google API calls, from the same credentials file
 * gcloud and Terraform use (the external_account file this action writes, or one an earlier
 * google-github-actions/auth step left). The file is checked before use: its token endpoints must
 * be Google's (or the configured endpoint), so a planted file cannot send the job's GitHub token
 * or a Google token elsewhere.
 */
import { readFileSync } from 'node:fs';
import { IdentityPoolClient, JWT, type AuthClient } from 'google-auth-library';
import type { EndpointOf } from './endpoints.js';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

interface ExternalAccountFile {
  type: 'external_account';
  token_url?: string;
  service_account_impersonation_url?: string;
  [key: string]: unknown;
}

interface ServiceAccountFile {
  type: 'service_account';
  client_email?: string;
  private_key?: string;
}

export class CredentialsError extends Error {}

export function authClientFromFile(file: string, endpointOf: EndpointOf): AuthClient {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CredentialsError(
      `The Google credentials file ${file} cannot be read as JSON: ${(error as Error).message}`
    );
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (type === 'external_account') {
    return new IdentityPoolClient({
      ...(onGoogleEndpoints(parsed as ExternalAccountFile, endpointOf) as object),
      scopes: [CLOUD_PLATFORM]
    } as ConstructorParameters<typeof IdentityPoolClient>[0]);
  }
  if (type === 'service_account') {
    const key = parsed as ServiceAccountFile;
    if (!key.client_email || !key.private_key) {
      throw new CredentialsError(
        `The service account key in ${file} lacks client_email or private_key.`
      );
    }
    return new JWT({ email: key.client_email, key: key.private_key, scopes: [CLOUD_PLATFORM] });
  }
  throw new CredentialsError(
    `The Google credentials file ${file} is of type ${String(type)}; this action reads external_account (workload identity federation) or service_account files.`
  );
}

/** Token exchange and impersonation only at Google's hosts, moved to the configured endpoint. */
function onGoogleEndpoints(file: ExternalAccountFile, endpointOf: EndpointOf): ExternalAccountFile {
  const tokenUrl = onEndpoint(file.token_url, 'sts', endpointOf, 'token_url');
  const impersonation = file.service_account_impersonation_url
    ? onEndpoint(
        file.service_account_impersonation_url,
        'iamcredentials',
        endpointOf,
        'service_account_impersonation_url'
      )
    : undefined;
  return {
    ...file,
    token_url: tokenUrl,
    ...(impersonation ? { service_account_impersonation_url: impersonation } : {})
  };
}

function onEndpoint(
  value: string | undefined,
  service: string,
  endpointOf: EndpointOf,
  field: string
): string {
  if (!value) throw new CredentialsError(`The external_account credentials file has no ${field}.`);
  const url = new URL(value);
  const configured = endpointOf(service);
  // Already at the configured endpoint (a file written for it), or at Google's own host, moved there.
  if (value.startsWith(`${configured}/`)) return value;
  if (url.origin === `https://${service}.googleapis.com`) {
    return `${configured}${url.pathname}${url.search}`;
  }
  throw new CredentialsError(
    `The credentials file's ${field} points at ${url.host}, not ${service}.googleapis.com: refusing to send tokens there.`
  );
}
