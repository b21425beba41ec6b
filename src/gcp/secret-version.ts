/**
 * One Secret Manager version's data through the Secret Manager API instead of `gcloud secrets
 * versions access`: `GET secretmanager.googleapis.com/v1/projects/P/secrets/S/versions/N:access`
 * (projects.secrets.versions.access, needs secretmanager.versions.access) answers
 * {name, payload: {data: base64, dataCrc32c: int64 as a JSON string}}. The data is checked against
 * dataCrc32c when Google sends it, so a damaged answer is refused, not used as a password.
 * Reference: cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access
 * and the SecretPayload resource.
 * The caller masks what this returns before anything could print it; this file never logs.
 */
import { crc32c } from './crc32c.js';
import type { GoogleApi } from './google-api.js';

interface AccessResponse {
  name?: string;
  payload?: { data?: string; dataCrc32c?: string | number };
}

/** projects/PROJECT/secrets/SECRET/versions/N, as the provider names a secret version. */
const VERSION_NAME = /^projects\/[a-z0-9-]+\/secrets\/[A-Za-z0-9_-]{1,255}\/versions\/[1-9]\d*$/;

/**
 * An exact version, never `latest`: the one this apply wrote and the values digest names. Only
 * such a name becomes a request path.
 */
export function isSecretVersionName(name: string): boolean {
  return VERSION_NAME.test(name);
}

export function describeSecretAccess(versionName: string): string {
  return `GET https://secretmanager.googleapis.com/v1/${versionName}:access (secretmanager.versions.access)`;
}

/** The version's data as bytes; throws when it is missing or fails its checksum. */
export async function accessSecretVersion(api: GoogleApi, versionName: string): Promise<Buffer> {
  const answer = await api.request<AccessResponse>({
    service: 'secretmanager',
    // The name is checked (isSecretVersionName) before it becomes a path: no encoding needed.
    path: `/v1/${versionName}:access`
  });
  const base64 = answer.payload?.data;
  if (typeof base64 !== 'string') {
    throw new Error(`Secret Manager answered no payload for ${versionName}.`);
  }
  const data = Buffer.from(base64, 'base64');
  const expected = answer.payload?.dataCrc32c;
  if (expected !== undefined && Number(expected) !== crc32c(data)) {
    throw new Error(
      `Secret Manager's payload for ${versionName} does not match its CRC-32C checksum; it was damaged on the way and is not used.`
    );
  }
  return data;
}
