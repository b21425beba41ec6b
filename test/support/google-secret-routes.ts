/**
 * Stand-in Secret Manager projects.secrets.versions.access on the loopback GoogleServer:
 * GET /v1/projects/P/secrets/S/versions/N:access answers {name, payload: {data: base64,
 * dataCrc32c: "decimal"}} (an int64, so a string in JSON), 404 NOT_FOUND for an unknown version
 * (cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access).
 * Only exact versions are served: `latest` is an alias the action never asks for.
 */
import { crc32c } from '../../src/gcp/crc32c.js';
import { googleError, type GoogleAnswer, type GoogleServer } from './google-server.js';

const ACCESS_PATH = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/\d+):access$/;

export interface SecretModel {
  /** The data of each version by its full name (read on every call). */
  versions(): Record<string, string>;
  /** Answer a checksum that does not match the data (a damaged answer). */
  damaged?: () => boolean;
}

export function serveSecretVersions(google: GoogleServer, model: SecretModel): void {
  google.on('GET', 'secretmanager', ACCESS_PATH, (call): GoogleAnswer => {
    const name = ACCESS_PATH.exec(call.path)![1]!;
    const data = model.versions()[name];
    if (data === undefined) {
      return googleError(
        404,
        'NOT_FOUND',
        `Secret Version [${name}] not found or has no versions.`
      );
    }
    const bytes = Buffer.from(data, 'utf8');
    const crc = crc32c(bytes) ^ (model.damaged?.() ? 1 : 0);
    return {
      body: { name, payload: { data: bytes.toString('base64'), dataCrc32c: String(crc >>> 0) } }
    };
  });
}
