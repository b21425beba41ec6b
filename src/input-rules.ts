/**
 * Format rules for input values, each with the sentence a user sees when a value breaks it.
 * Kept apart from inputs.ts so the rules read as a table.
 */
export interface Rule {
  readonly test: (value: string) => boolean;
  readonly allowed: string;
}

const re = (pattern: RegExp, allowed: string): Rule => ({ test: (v) => pattern.test(v), allowed });

export const RULES = {
  projectId: re(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    '6 to 30 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (the project ID, not its name or number)'
  ),
  zone: re(/^[a-z]+-[a-z]+[0-9]{1,2}-[a-z]$/, 'a GCP zone such as us-central1-a'),
  region: re(
    /^[a-z]+-[a-z]+[0-9]{1,2}$/,
    'a GCP region such as us-central1 or europe-west4 (a region, not a zone like us-central1-a)'
  ),
  clusterName: re(
    /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    'a GKE cluster name: 1 to 40 characters, lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit'
  ),
  workloadIdentityProvider: re(
    /^projects\/[0-9]{1,20}\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/,
    'the full provider resource name, projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (the project number, not its ID)'
  ),
  serviceAccount: re(
    /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.:-]+\.gserviceaccount\.com$/,
    'a service account email such as deployer@my-project.iam.gserviceaccount.com'
  ),
  domain: re(
    /^(?=.{4,63}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
    'a fully qualified lowercase domain name of at most 63 characters (the limit of a ManagedCertificate domain) such as flyte.example.com, without a scheme, path or port'
  ),
  toolVersion: re(
    /^(?:latest|system|v?[0-9]+\.[0-9]+\.[0-9]+)$/,
    "a version such as 1.13.3, 'latest', or 'system' (use the one on PATH)"
  ),
  chartVersion: re(
    /^v?[0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?$/,
    'a flyte-binary chart version such as v1.16.8'
  ),
  member: re(
    /^(?:(?:user|group|serviceAccount):[^\s@,]+@[^\s@,]+\.[a-z]{2,}|domain:[a-z0-9.-]+\.[a-z]{2,})$/,
    'IAM members with a prefix: user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN'
  ),
  releaseName: re(
    /^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$/,
    "a Helm release name: at most 42 lowercase letters, digits and hyphens, starting and ending with a letter or digit (the chart names a Service RELEASE-flyte-binary-webhook, which must fit in 63 characters, and the action installs RELEASE-gke, which must fit in Helm's 53)"
  ),
  namespace: re(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'a Kubernetes namespace: at most 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit'
  ),
  flyteProject: re(
    /^[a-z][a-z0-9-]{0,49}[a-z0-9]$|^[a-z]$/,
    'Flyte project names: lowercase letters, digits and hyphens, starting with a letter, at most 51 characters (the namespace PROJECT-DOMAIN must fit in 63)'
  ),
  gceName: re(
    /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'a Compute Engine resource name: 1 to 63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit'
  ),
  bucket: re(
    /^(?!goog)[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/,
    'a Cloud Storage bucket name: 3 to 63 lowercase letters, digits, hyphens, underscores and dots, starting and ending with a letter or digit, not starting with "goog"'
  ),
  statePrefix: re(
    /^(?!\/)(?!.*\.\.)[A-Za-z0-9_./-]{1,200}(?<!\/)$/,
    'an object path prefix such as flyte-gke/prod: letters, digits, _ . - and /, no leading or trailing slash and no ".."'
  ),
  machineType: re(
    /^[a-z][a-z0-9]*-[a-z0-9-]+$/,
    'a Compute Engine machine type such as e2-standard-4 or n1-standard-8'
  ),
  acceleratorType: re(
    /^nvidia-[a-z0-9-]+$/,
    'a GPU accelerator type such as nvidia-tesla-t4 or nvidia-l4, or empty for no GPU node pool'
  ),
  oauthClientId: re(
    /^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/,
    'an OAuth 2.0 client ID such as 123456789-abc123.apps.googleusercontent.com'
  ),
  // Plain HTTP only to this machine itself (a cache on the runner): on any network a man in the
  // middle could answer, and the "latest" answers and unpinned checksums ride on it.
  mirrorUrl: re(
    /^(https:\/\/[^\s]+|http:\/\/(127\.[0-9.]+|localhost|\[::1\])(:[0-9]+)?(\/[^\s]*)?)$/,
    'an https:// base URL (http:// only for a mirror on the runner itself: 127.0.0.1, localhost or [::1])'
  )
} as const;
