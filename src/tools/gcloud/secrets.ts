/**
 * Reading the database password from Secret Manager. Only the deployer may
 * (`secretmanager.versions.access`); the planner's roles stop at the secret's metadata.
 */

/** projects/PROJECT/secrets/SECRET/versions/N, as the provider names a secret version. */
const VERSION_NAME = /^projects\/[a-z0-9-]+\/secrets\/[A-Za-z0-9_-]{1,255}\/versions\/[1-9]\d*$/;

export function isSecretVersionName(name: string): boolean {
  return VERSION_NAME.test(name);
}

/**
 * `gcloud secrets versions access` takes the fully qualified version name as VERSION and prints
 * the data as it is (https://cloud.google.com/sdk/gcloud/reference/secrets/versions/access). An
 * exact version, never `latest`: the one this apply wrote and the values digest names.
 */
export function accessSecretVersionArgs(versionName: string): string[] {
  return ['secrets', 'versions', 'access', versionName];
}
