/** The bad-input corpus: every validated input, with the input its error must name. */
export const BASE = { 'project-id': 'acme-flyte-dev', 'dry-run': 'false' };
export const WIF =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo';
export const IAP_OK = {
  ingress: 'true',
  iap: 'true',
  'iap-oauth-client-id': '123456789012-abc123.apps.googleusercontent.com',
  'iap-oauth-client-secret': 'GOCSPX-bad-input-canary',
  'iap-members': 'user:alice@acme.example'
};

export interface BadInputCase {
  readonly name: string;
  readonly inputs: Record<string, string>;
  readonly input: string;
  readonly says: RegExp;
}

export const BAD_INPUTS: BadInputCase[] = [
  {
    name: 'unknown command',
    inputs: { command: 'apply' },
    input: 'command',
    says: /deploy, plan, upgrade, destroy, drift/
  },
  {
    name: 'missing project',
    inputs: { 'project-id': '' },
    input: 'project-id',
    says: /is required/
  },
  {
    name: 'project with uppercase',
    inputs: { 'project-id': 'Acme-Flyte' },
    input: 'project-id',
    says: /lowercase letters/
  },
  {
    name: 'project too short',
    inputs: { 'project-id': 'acme' },
    input: 'project-id',
    says: /6 to 30/
  },
  {
    name: 'project ending in hyphen',
    inputs: { 'project-id': 'acme-flyte-' },
    input: 'project-id',
    says: /not ending with a hyphen/
  },
  {
    name: 'zone instead of region',
    inputs: { region: 'us-central1-a' },
    input: 'region',
    says: /not a zone/
  },
  {
    name: 'region with spaces',
    inputs: { region: 'us central1' },
    input: 'region',
    says: /GCP region/
  },
  {
    name: 'misspelt region',
    inputs: { region: 'us-centrl1' },
    input: 'region',
    says: /"us-centrl1" is not a Google Cloud region\. Did you mean us-central1\?/
  },
  {
    name: 'region that does not exist',
    inputs: { region: 'europe-west5' },
    input: 'region',
    says: /not a Google Cloud region/
  },
  {
    name: 'cluster name with underscore',
    inputs: { 'cluster-name': 'flyte_dev' },
    input: 'cluster-name',
    says: /GKE cluster name/
  },
  {
    name: 'cluster name too long',
    inputs: { 'cluster-name': `f${'x'.repeat(40)}` },
    input: 'cluster-name',
    says: /1 to 40 characters/
  },
  {
    name: 'cluster name with shell code',
    inputs: { 'cluster-name': 'flyte;touch /tmp/flyte-gke-pwned' },
    input: 'cluster-name',
    says: /GKE cluster name/
  },
  {
    name: 'autopilot not a boolean',
    inputs: { autopilot: 'yes' },
    input: 'autopilot',
    says: /true or false/
  },
  {
    name: 'GPU on Autopilot',
    inputs: { 'gpu-accelerator-type': 'nvidia-l4' },
    input: 'gpu-accelerator-type',
    says: /Autopilot has no GPU node pools/
  },
  {
    name: 'unknown accelerator',
    inputs: { autopilot: 'false', 'gpu-accelerator-type': 'tpu-v5' },
    input: 'gpu-accelerator-type',
    says: /nvidia-tesla-t4/
  },
  {
    name: 'GPU count zero',
    inputs: { autopilot: 'false', 'gpu-accelerator-count': '0' },
    input: 'gpu-accelerator-count',
    says: /1 to 16/
  },
  {
    name: 'L4 on an N1 machine',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-l4',
      'gpu-machine-type': 'n1-standard-8'
    },
    input: 'gpu-machine-type',
    says: /nvidia-l4 runs only on G2 machine types \(g2-\*\), not n1-standard-8/
  },
  {
    name: 'H100 on an A2 machine',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-h100-80gb',
      'gpu-machine-type': 'a2-highgpu-1g'
    },
    input: 'gpu-machine-type',
    says: /runs only on A3 machine types/
  },
  {
    name: 'the 40 GB A100 on an A2 Ultra machine (which carries the 80 GB one)',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-tesla-a100',
      'gpu-machine-type': 'a2-ultragpu-1g'
    },
    input: 'gpu-machine-type',
    says: /a2-ultragpu-1g carries nvidia-a100-80gb, not nvidia-tesla-a100/
  },
  {
    name: 'the 80 GB A100 on an A2 Standard machine',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-a100-80gb',
      'gpu-machine-type': 'a2-highgpu-2g',
      'gpu-accelerator-count': '2'
    },
    input: 'gpu-machine-type',
    says: /a2-highgpu-2g carries nvidia-tesla-a100, not nvidia-a100-80gb/
  },
  {
    name: 'the 80 GB A100 on the A2 Mega machine',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-a100-80gb',
      'gpu-machine-type': 'a2-megagpu-16g',
      'gpu-accelerator-count': '16'
    },
    input: 'gpu-machine-type',
    says: /a2-megagpu-16g carries nvidia-tesla-a100, not nvidia-a100-80gb/
  },
  {
    name: 'H100 Mega with fewer than 8 GPUs',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-h100-mega-80gb',
      'gpu-accelerator-count': '4'
    },
    input: 'gpu-accelerator-count',
    says: /4 nvidia-h100-mega-80gb GPUs per node match no a3-\* machine type\. Use 8/
  },
  {
    name: 'H100 Mega on an A3 High machine',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-h100-mega-80gb',
      'gpu-machine-type': 'a3-highgpu-8g',
      'gpu-accelerator-count': '8'
    },
    input: 'gpu-machine-type',
    says: /a3-highgpu-8g carries nvidia-h100-80gb, not nvidia-h100-mega-80gb/
  },
  {
    name: 'H100 Mega on its machine with a count other than 8',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-h100-mega-80gb',
      'gpu-machine-type': 'a3-megagpu-8g',
      'gpu-accelerator-count': '2'
    },
    input: 'gpu-machine-type',
    says: /a3-megagpu-8g comes with exactly 8 nvidia-h100-mega-80gb GPUs, not 2/
  },
  {
    name: 'a GPU machine type without a GPU type',
    inputs: { autopilot: 'false', 'gpu-machine-type': 'g2-standard-8' },
    input: 'gpu-machine-type',
    says: /is set but gpu-accelerator-type is empty/
  },
  {
    name: 'a GPU zone letter the region does not have',
    inputs: {
      autopilot: 'false',
      region: 'us-east1',
      'gpu-accelerator-type': 'nvidia-l4',
      'gpu-zones': 'us-east1-a'
    },
    input: 'gpu-zones',
    says: /"us-east1-a" is not a zone of region us-east1, whose zones are us-east1-b, us-east1-c, us-east1-d/
  },
  {
    name: 'a GPU count no machine type carries',
    inputs: {
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-l4',
      'gpu-accelerator-count': '3'
    },
    input: 'gpu-accelerator-count',
    says: /match no g2-\* machine type/
  },
  {
    name: 'a GPU zone outside the region',
    inputs: {
      autopilot: 'false',
      region: 'us-central1',
      'gpu-accelerator-type': 'nvidia-l4',
      'gpu-zones': 'us-central1-a, europe-west4-b'
    },
    input: 'gpu-zones',
    says: /"europe-west4-b" is not a zone of region us-central1/
  },
  {
    name: 'a GPU zone that is a region',
    inputs: { autopilot: 'false', 'gpu-accelerator-type': 'nvidia-l4', 'gpu-zones': 'us-central1' },
    input: 'gpu-zones',
    says: /a GCP zone such as us-central1-a/
  },
  {
    name: 'GPU zones without a GPU type',
    inputs: { autopilot: 'false', 'gpu-zones': 'us-central1-a' },
    input: 'gpu-zones',
    says: /gpu-accelerator-type is empty/
  },
  {
    name: 'GPU min above max',
    inputs: { autopilot: 'false', 'gpu-min-nodes': '5', 'gpu-max-nodes': '2' },
    input: 'gpu-min-nodes',
    says: /larger than gpu-max-nodes/
  },
  {
    name: 'GPU max not a number',
    inputs: { 'gpu-max-nodes': 'two' },
    input: 'gpu-max-nodes',
    says: /whole number/
  },
  {
    name: 'machine type with spaces',
    inputs: { 'node-machine-type': 'e2 standard' },
    input: 'node-machine-type',
    says: /machine type/
  },
  {
    name: 'GPU machine type bad',
    inputs: { 'gpu-machine-type': 'N1' },
    input: 'gpu-machine-type',
    says: /machine type/
  },
  {
    name: 'deletion protection not boolean',
    inputs: { 'deletion-protection': 'maybe' },
    input: 'deletion-protection',
    says: /true or false/
  },
  {
    name: 'provider by project ID',
    inputs: {
      'workload-identity-provider':
        'projects/acme-flyte-dev/locations/global/workloadIdentityPools/github/providers/acme'
    },
    input: 'workload-identity-provider',
    says: /project number/
  },
  {
    name: 'provider without pool',
    inputs: { 'workload-identity-provider': 'github-provider' },
    input: 'workload-identity-provider',
    says: /workloadIdentityPools/
  },
  {
    name: 'service account not an email',
    inputs: { 'workload-identity-provider': WIF, 'service-account': 'deployer' },
    input: 'service-account',
    says: /service account email/
  },
  {
    name: 'service account without provider',
    inputs: { 'service-account': 'deployer@acme-flyte-dev.iam.gserviceaccount.com' },
    input: 'service-account',
    says: /without workload-identity-provider/
  },
  {
    name: 'state bucket with uppercase',
    inputs: { 'state-bucket': 'Acme-State' },
    input: 'state-bucket',
    says: /Cloud Storage bucket name/
  },
  {
    name: 'state bucket starting goog',
    inputs: { 'state-bucket': 'google-state' },
    input: 'state-bucket',
    says: /goog/
  },
  {
    name: 'state prefix with ..',
    inputs: { 'state-prefix': 'flyte/../other' },
    input: 'state-prefix',
    says: /no "\.\."/
  },
  {
    name: 'state prefix with leading slash',
    inputs: { 'state-prefix': '/flyte' },
    input: 'state-prefix',
    says: /leading or trailing slash/
  },
  {
    name: 'terraform dir without .tf',
    inputs: { 'terraform-dir': 'examples' },
    input: 'terraform-dir',
    says: /holds no \.tf files/
  },
  {
    name: 'missing var file',
    inputs: { 'terraform-var-file': 'prod.tfvars' },
    input: 'terraform-var-file',
    says: /was not found/
  },
  {
    name: 'missing values file',
    inputs: { 'values-file': 'values/flyte.yaml' },
    input: 'values-file',
    says: /was not found/
  },
  {
    name: 'extra values file as shell code',
    inputs: { 'extra-values-files': '$(touch /tmp/flyte-gke-pwned).yaml' },
    input: 'extra-values-files',
    says: /was not found/
  },
  {
    name: 'chart version not semver',
    inputs: { 'chart-version': 'latest' },
    input: 'chart-version',
    says: /v1\.16\.8/
  },
  {
    name: 'Flyte 2 chart',
    inputs: { 'chart-version': 'v2.0.3' },
    input: 'chart-version',
    says: /Flyte 2/
  },
  {
    name: 'Flyte version not 1 or 2',
    inputs: { 'flyte-version': '3' },
    input: 'flyte-version',
    says: /"3" is not a Flyte version\. Use 1 .* or 2 /
  },
  {
    name: 'Flyte version with a v',
    inputs: { 'flyte-version': 'v2' },
    input: 'flyte-version',
    says: /is not a Flyte version/
  },
  {
    name: 'Flyte 2 with a Flyte 1 chart',
    inputs: { 'flyte-version': '2', 'chart-version': 'v1.16.8' },
    input: 'chart-version',
    says: /not a Flyte 2 chart, but flyte-version is 2.*v2\.0\.42/
  },
  {
    name: 'Flyte 2 namespace without room for its task namespace',
    inputs: { 'flyte-version': '2', namespace: 'n'.repeat(60) },
    input: 'namespace',
    says: /-tasks.*at most 57/
  },
  {
    name: 'release name uppercase',
    inputs: { 'release-name': 'Flyte' },
    input: 'release-name',
    says: /Helm release name/
  },
  {
    name: 'release name of 43 characters',
    inputs: { 'release-name': `flyte-${'a'.repeat(37)}` },
    input: 'release-name',
    says: /at most 42 .*RELEASE-flyte-binary-webhook, which must fit in 63/
  },
  {
    name: 'domain of 64 characters',
    inputs: {
      ingress: 'true',
      iap: 'true',
      'iap-oauth-client-id': '123456789012-abc123.apps.googleusercontent.com',
      'iap-oauth-client-secret': 'GOCSPX-bad-input-canary',
      'iap-members': 'user:alice@acme.example',
      domain: `${'a'.repeat(52)}.example.com`
    },
    input: 'domain',
    says: /at most 63 characters \(the limit of a ManagedCertificate domain\)/
  },
  {
    name: 'namespace too long',
    inputs: { namespace: `n${'s'.repeat(63)}` },
    input: 'namespace',
    says: /at most 63/
  },
  {
    name: 'flyte project with dot',
    inputs: { 'flyte-projects': 'flytesnacks, ml.training' },
    input: 'flyte-projects',
    says: /Flyte project names/
  },
  {
    name: 'ingress not boolean',
    inputs: { ingress: 'on' },
    input: 'ingress',
    says: /true or false/
  },
  {
    name: 'domain with scheme',
    inputs: { ingress: 'true', domain: 'https://flyte.acme.example' },
    input: 'domain',
    says: /without a scheme/
  },
  {
    name: 'database availability of another kind',
    inputs: { 'database-availability': 'multi-region' },
    input: 'database-availability',
    says: /Use zonal .* or regional/
  },
  {
    name: 'a public Ingress without IAP, not asked for knowingly',
    inputs: { ingress: 'true' },
    input: 'iap',
    says: /is false while ingress is true: .*anyone on the internet.*allow-unauthenticated: true/
  },
  {
    name: 'domain without ingress',
    inputs: { domain: 'flyte.acme.example' },
    input: 'domain',
    says: /ingress is false/
  },
  {
    name: 'static IP name with dot',
    inputs: { 'static-ip-name': 'flyte.ip' },
    input: 'static-ip-name',
    says: /Compute Engine resource name/
  },
  {
    name: 'IAP without ingress',
    inputs: { ...IAP_OK, ingress: 'false' },
    input: 'iap',
    says: /needs ingress: true/
  },
  {
    name: 'IAP without client ID',
    inputs: { ...IAP_OK, 'iap-oauth-client-id': '' },
    input: 'iap-oauth-client-id',
    says: /is required when iap is true/
  },
  {
    name: 'IAP client ID malformed',
    inputs: { ...IAP_OK, 'iap-oauth-client-id': 'my-client' },
    input: 'iap-oauth-client-id',
    says: /apps\.googleusercontent\.com/
  },
  {
    name: 'IAP without secret',
    inputs: { ...IAP_OK, 'iap-oauth-client-secret': '' },
    input: 'iap-oauth-client-secret',
    says: /is required when iap is true/
  },
  {
    name: 'IAP without members',
    inputs: { ...IAP_OK, 'iap-members': '' },
    input: 'iap-members',
    says: /nobody could reach/
  },
  {
    name: 'IAP member without prefix',
    inputs: { ...IAP_OK, 'iap-members': 'alice@acme.example' },
    input: 'iap-members',
    says: /user:EMAIL/
  },
  {
    name: 'IAP member with shell code',
    inputs: { ...IAP_OK, 'iap-members': 'user:a@acme.example;id' },
    input: 'iap-members',
    says: /user:EMAIL/
  },
  {
    name: 'gcloud version word',
    inputs: { 'gcloud-version': 'newest' },
    input: 'gcloud-version',
    says: /'latest', or 'system'/
  },
  {
    name: 'terraform version partial',
    inputs: { 'terraform-version': '1.13' },
    input: 'terraform-version',
    says: /1\.13\.3/
  },
  {
    name: 'terraform too old for the bundled module (write-only arguments)',
    inputs: { 'terraform-version': '1.10.5' },
    input: 'terraform-version',
    says: /older than 1\.11\.0.*database password out of Terraform state/
  },
  {
    name: 'helm version with shell code',
    inputs: { 'helm-version': '3.19.0 && curl evil' },
    input: 'helm-version',
    says: /version such as/
  },
  {
    name: 'kubectl version with a suffix',
    inputs: { 'kubectl-version': 'v1.36.1-linux' },
    input: 'kubectl-version',
    says: /'latest', or 'system'/
  },
  {
    name: 'install-gcloud not a boolean',
    inputs: { 'install-gcloud': 'later' },
    input: 'install-gcloud',
    says: /true or false|boolean/
  },
  {
    name: 'tool mirror not a URL',
    inputs: { 'tool-mirror': 'mirror.internal' },
    input: 'tool-mirror',
    says: /an https:\/\/ base URL/
  },
  {
    // Attack: a plain-HTTP mirror on the network lets anyone on the path answer the downloads.
    name: 'tool mirror over plain http on the network',
    inputs: { 'tool-mirror': 'http://mirror.internal/tools' },
    input: 'tool-mirror',
    says: /https:\/\/.*only for a mirror on the runner itself/
  },
  {
    name: 'tool mirror over plain http to a host named like loopback',
    inputs: { 'tool-mirror': 'http://127.0.0.1.evil.example/tools' },
    input: 'tool-mirror',
    says: /https:\/\//
  },
  {
    name: 'comment-on-pr not boolean',
    inputs: { 'comment-on-pr': '1' },
    input: 'comment-on-pr',
    says: /true or false/
  },
  {
    name: 'dry-run not boolean',
    inputs: { 'dry-run': 'y' },
    input: 'dry-run',
    says: /true or false/
  },
  {
    name: 'fail-on-drift not boolean',
    inputs: { 'fail-on-drift': 'sometimes' },
    input: 'fail-on-drift',
    says: /true or false/
  },
  {
    name: 'timeout without unit word',
    inputs: { timeout: 'ten minutes' },
    input: 'timeout',
    says: /1m to 6h/
  },
  { name: 'timeout too short', inputs: { timeout: '30s' }, input: 'timeout', says: /1m to 6h/ },
  { name: 'timeout too long', inputs: { timeout: '12h' }, input: 'timeout', says: /1m to 6h/ },
  {
    name: 'destroy without confirmation',
    inputs: { command: 'destroy' },
    input: 'confirm-destroy',
    says: /set confirm-destroy to "flyte"/
  },
  {
    name: 'destroy with the wrong name',
    inputs: { command: 'destroy', 'confirm-destroy': 'flyte-prod' },
    input: 'confirm-destroy',
    says: /does not match/
  }
];
