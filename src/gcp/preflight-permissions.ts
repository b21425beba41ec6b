/**
 * The permissions each command's identity must hold, each with what needs it and the role that
 * grants it (the roles docs/security.md lists and the README's quick start grants). The preflight
 * asks Google which of them the job's identity holds (testIamPermissions), so a missing role is
 * reported with its grant command before anything changes.
 *
 * The permission → role mapping is taken from Google's role reference pages (linked per role by
 * roleDoc). Google's role definitions cannot be read offline here, so the mapping is kept in
 * this file and test/preflight-permissions.test.ts checks it against docs/security.md and the
 * README; a wrong mapping shows up as a grant command that does not help, never as a false pass
 * (the check asks Google for the permission itself, not the role).
 */
import type { Inputs } from '../inputs.js';

const PROVIDER = 'terraform-provider-google v6.50.0 (956f510990a78614a06730c34e93779171c5e8f7)';

/** The planner's custom role (README quick start, `gcloud iam roles create flyteGkePlanner`). */
export const PLANNER_CUSTOM_ROLE = 'projects/PROJECT/roles/flyteGkePlanner';

export interface NeededPermission {
  readonly permission: string;
  /** What reads or writes with it. */
  readonly by: string;
  readonly source: string;
  /** The role docs/security.md grants that holds it. */
  readonly role: string;
  /** Where the grant is: the project (default) or only the Terraform state bucket. */
  readonly on?: 'project' | 'state-bucket';
  /** Needed only when IAP is on. */
  readonly iapOnly?: boolean;
}

/** Google's reference page of a role. */
export function roleDoc(role: string): string {
  if (role === PLANNER_CUSTOM_ROLE) return 'README.md, quick start (gcloud iam roles create)';
  const [, service = '', name = ''] = /^roles\/([a-zA-Z]+)\.(\w+)$/.exec(role) ?? [];
  if (service === 'storage')
    return 'https://cloud.google.com/storage/docs/access-control/iam-roles';
  return `https://cloud.google.com/iam/docs/roles-permissions/${service.toLowerCase()}#${service}.${name}`;
}

/** What plan (and drift) read: Terraform's refresh, the state, the cluster's Deployment and record. */
export const PLANNER_NEEDS: readonly NeededPermission[] = [
  {
    permission: 'storage.objects.get',
    by: 'the gcs backend reading the Terraform state',
    source: 'Terraform gcs backend (reads the state object)',
    role: 'roles/storage.objectViewer',
    on: 'state-bucket'
  },
  {
    permission: 'storage.objects.list',
    by: 'the gcs backend listing the state prefix (workspaces)',
    source: 'Terraform gcs backend',
    role: 'roles/storage.objectViewer',
    on: 'state-bucket'
  },
  {
    permission: 'storage.buckets.get',
    by: "the action's buckets.get of the state bucket (Storage JSON API); the Read of google_storage_bucket",
    source: `src/gcp/storage-bucket.ts; ${PROVIDER} google/services/storage/resource_storage_bucket.go (Buckets.Get)`,
    role: PLANNER_CUSTOM_ROLE
  },
  {
    permission: 'storage.buckets.getIamPolicy',
    by: 'the Read of google_storage_bucket_iam_member',
    source: `${PROVIDER} google/services/storage/iam_storage_bucket.go (GET b/BUCKET/iam)`,
    role: 'roles/iam.securityReviewer'
  },
  {
    permission: 'servicenetworking.services.get',
    by: 'the Read of google_service_networking_connection (services.connections.list)',
    source: `${PROVIDER} google/services/servicenetworking/resource_service_networking_connection.go; Service Networking API reference, services.connections.list`,
    role: PLANNER_CUSTOM_ROLE
  },
  {
    permission: 'resourcemanager.projects.get',
    by: 'the same Read, which gets the project number first (projects.get)',
    source: `${PROVIDER} resource_service_networking_connection.go, RetrieveServiceNetworkingNetworkName`,
    role: PLANNER_CUSTOM_ROLE
  },
  {
    permission: 'compute.networks.get',
    by: 'the Read of google_compute_network',
    source: PROVIDER,
    role: 'roles/compute.viewer'
  },
  {
    permission: 'compute.subnetworks.get',
    by: 'the Read of google_compute_subnetwork',
    source: PROVIDER,
    role: 'roles/compute.viewer'
  },
  {
    permission: 'compute.globalAddresses.get',
    by: 'the Read of the private services range and the static IP',
    source: PROVIDER,
    role: 'roles/compute.viewer'
  },
  {
    permission: 'compute.routers.get',
    by: 'the Read of google_compute_router and google_compute_router_nat (Cloud NAT for private nodes)',
    source: PROVIDER,
    role: 'roles/compute.viewer'
  },
  {
    permission: 'container.clusters.get',
    by: 'the Read of google_container_cluster and node pools; gcloud container clusters get-credentials',
    source: PROVIDER,
    role: 'roles/container.viewer'
  },
  {
    permission: 'container.deployments.get',
    by: 'the drift check reading the flyte-binary Deployment',
    source: 'src/phases/flyte-drift.ts',
    role: 'roles/container.viewer'
  },
  {
    permission: 'container.configMaps.get',
    by: 'the plan reading the release-record ConfigMap',
    source: 'src/phases/release-record.ts',
    role: 'roles/container.viewer'
  },
  {
    permission: 'cloudsql.instances.get',
    by: 'the Read of google_sql_database_instance',
    source: PROVIDER,
    role: 'roles/cloudsql.viewer'
  },
  {
    permission: 'cloudsql.databases.get',
    by: 'the Read of google_sql_database',
    source: PROVIDER,
    role: 'roles/cloudsql.viewer'
  },
  {
    permission: 'cloudsql.users.list',
    by: 'the Read of google_sql_user',
    source: PROVIDER,
    role: 'roles/cloudsql.viewer'
  },
  {
    permission: 'iam.serviceAccounts.get',
    by: 'the Read of google_service_account',
    source: PROVIDER,
    role: 'roles/iam.serviceAccountViewer'
  },
  {
    permission: 'iam.serviceAccounts.getIamPolicy',
    by: 'the Read of google_service_account_iam_member',
    source: PROVIDER,
    role: 'roles/iam.securityReviewer'
  },
  {
    permission: 'resourcemanager.projects.getIamPolicy',
    by: 'the Read of google_project_iam_member',
    source: PROVIDER,
    role: 'roles/iam.securityReviewer'
  },
  {
    permission: 'serviceusage.services.get',
    by: 'the Read of google_project_service',
    source: PROVIDER,
    role: 'roles/serviceusage.serviceUsageViewer'
  },
  {
    permission: 'secretmanager.secrets.get',
    by: 'the Read of google_secret_manager_secret (the database password secret)',
    source: `${PROVIDER} google/services/secretmanager/resource_secret_manager_secret.go`,
    role: 'roles/secretmanager.viewer'
  },
  {
    permission: 'secretmanager.versions.get',
    by: 'the Read of google_secret_manager_secret_version: with secret_data_wo_version set it never calls :access (no secretmanager.versions.access)',
    source: `${PROVIDER} google/services/secretmanager/resource_secret_manager_secret_version.go (flattenSecretManagerSecretVersionPayload)`,
    role: 'roles/secretmanager.viewer'
  }
];

const need = (
  role: string,
  by: string,
  permissions: readonly string[],
  extra: Partial<NeededPermission> = {}
): NeededPermission[] =>
  permissions.map((permission) => ({ permission, by, source: PROVIDER, role, ...extra }));

/**
 * What deploy creates and changes: every resource type of terraform/ (create, read, update,
 * delete), the state bucket and its objects, the Kubernetes objects Helm and kubectl write, the
 * database password read back from Secret Manager, and the IAP bindings. Destroy runs as the
 * same identity and is not preflighted itself, so what only it calls is listed here too.
 */
export const DEPLOYER_NEEDS: readonly NeededPermission[] = [
  ...need('roles/container.admin', 'google_container_cluster and node pools', [
    'container.clusters.create',
    'container.clusters.get',
    'container.clusters.update',
    'container.clusters.delete',
    'container.operations.get'
  ]),
  ...need(
    'roles/container.admin',
    'helm upgrade --install and kubectl apply (Helm keeps releases in Secrets)',
    ['container.secrets.create', 'container.secrets.get', 'container.configMaps.create'],
    { source: 'src/phases/flyte-install.ts, src/phases/release-record.ts' }
  ),
  ...need('roles/cloudsql.admin', 'google_sql_database_instance, database and user', [
    'cloudsql.instances.create',
    'cloudsql.instances.get',
    'cloudsql.instances.update',
    'cloudsql.databases.create',
    'cloudsql.users.create',
    'cloudsql.users.list'
  ]),
  ...need(
    'roles/cloudsql.admin',
    'the on-demand backup before a chart change and before destroy (backupRuns.insert, then backupRuns.list / get to name it; operations.get is cloudsql.instances.get, above), Cloud SQL Admin API',
    ['cloudsql.backupRuns.create', 'cloudsql.backupRuns.get', 'cloudsql.backupRuns.list'],
    { source: 'src/gcp/sql-backup-runs.ts' }
  ),
  ...need('roles/storage.admin', 'the data bucket and its IAM members', [
    'storage.buckets.create',
    'storage.buckets.get',
    'storage.buckets.update',
    'storage.buckets.getIamPolicy',
    'storage.buckets.setIamPolicy'
  ]),
  ...need(
    'roles/storage.admin',
    "the Terraform state in its bucket (gcs backend: read, write, lock file; the action's state-lock step before init: objects.get of the lock and the holder record, objects.insert of this run's record, objects.delete of a lock an ended run left, Storage JSON API)",
    [
      'storage.objects.get',
      'storage.objects.list',
      'storage.objects.create',
      'storage.objects.delete'
    ],
    { source: 'Terraform gcs backend; src/gcp/storage-objects.ts' }
  ),
  ...need('roles/compute.networkAdmin', 'google_compute_network, subnetwork and global addresses', [
    'compute.networks.create',
    'compute.networks.get',
    'compute.subnetworks.create',
    'compute.subnetworks.get',
    'compute.globalAddresses.create',
    'compute.globalAddresses.get'
  ]),
  ...need(
    'roles/compute.networkAdmin',
    'google_compute_router and google_compute_router_nat (Cloud NAT for private nodes; the NAT is part of the router)',
    ['compute.routers.create', 'compute.routers.get', 'compute.routers.update']
  ),
  ...need(
    'roles/compute.loadBalancerAdmin',
    'reading the Ingress backend services (backendServices.list, for IAP), their NEGs (destroy waits) and internal forwarding rules (the earlier layout)',
    [
      'compute.backendServices.get',
      'compute.backendServices.list',
      'compute.networkEndpointGroups.list',
      'compute.forwardingRules.list'
    ],
    { source: 'src/gcp/backend-services.ts, src/gcp/gke-negs.ts, src/gcp/forwarding-rules.ts' }
  ),
  ...need(
    'roles/compute.networkAdmin',
    "destroy's release of Cloud SQL's VPC peering (networks.removePeering, then globalOperations.wait; networks.get is above)",
    ['compute.networks.removePeering', 'compute.globalOperations.get'],
    { source: 'src/gcp/network-peering.ts' }
  ),
  ...need(
    'roles/servicenetworking.networksAdmin',
    'google_service_networking_connection (the Cloud SQL private services peering)',
    ['servicenetworking.services.addPeering', 'servicenetworking.services.get']
  ),
  ...need('roles/iam.serviceAccountAdmin', 'google_service_account and its IAM members', [
    'iam.serviceAccounts.create',
    'iam.serviceAccounts.get',
    'iam.serviceAccounts.getIamPolicy',
    'iam.serviceAccounts.setIamPolicy'
  ]),
  ...need(
    'roles/iam.serviceAccountUser',
    'node pools and Autopilot running as the module’s node account',
    ['iam.serviceAccounts.actAs']
  ),
  ...need('roles/resourcemanager.projectIamAdmin', 'google_project_iam_member', [
    'resourcemanager.projects.getIamPolicy',
    'resourcemanager.projects.setIamPolicy'
  ]),
  ...need('roles/serviceusage.serviceUsageAdmin', 'google_project_service (the module’s APIs)', [
    'serviceusage.services.enable',
    'serviceusage.services.get'
  ]),
  ...need('roles/secretmanager.admin', 'the database password secret; reading it for the values', [
    'secretmanager.secrets.create',
    'secretmanager.secrets.get',
    'secretmanager.versions.add',
    'secretmanager.versions.access'
  ]),
  ...need(
    'roles/iap.admin',
    "IAP's getIamPolicy / setIamPolicy on the backend service for iap-members",
    ['iap.webServices.getIamPolicy', 'iap.webServices.setIamPolicy'],
    { source: 'src/gcp/iap-policy.ts (IAP IAM on backend services)', iapOnly: true }
  )
];

/** The permissions this command's identity needs, for these inputs (empty: not preflighted). */
export function neededPermissions(inputs: Pick<Inputs, 'command' | 'iap'>): NeededPermission[] {
  const list =
    inputs.command === 'deploy' ? DEPLOYER_NEEDS : inputs.command === 'plan' ? PLANNER_NEEDS : [];
  return list.filter((p) => !p.iapOnly || inputs.iap);
}

/** The identity's name in messages: the deployer for deploy, the planner for plan. */
export const identityName = (command: Inputs['command']): string =>
  command === 'plan' ? 'planner' : 'deployer';
