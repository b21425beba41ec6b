/**
 * What the planner (plan and drift, read-only) must be able to read, and what each role it is
 * granted holds, each with its source. test/planner-roles.test.ts checks the README's quick start
 * and docs/security.md against these tables.
 */

const PROVIDER = 'terraform-provider-google v6.50.0 (956f510990a78614a06730c34e93779171c5e8f7)';
const STORAGE_ROLES =
  'Google Cloud, "IAM roles for Cloud Storage" (cloud.google.com/storage/docs/access-control/iam-roles)';

export interface NeededPermission {
  readonly permission: string;
  /** What reads with it. */
  readonly by: string;
  readonly source: string;
}

export const PLANNER_NEEDS: readonly NeededPermission[] = [
  {
    permission: 'storage.objects.get',
    by: 'the gcs backend reading the Terraform state',
    source: 'Terraform gcs backend (reads the state object)'
  },
  {
    permission: 'storage.objects.list',
    by: 'the gcs backend listing the state prefix (workspaces)',
    source: 'Terraform gcs backend'
  },
  {
    permission: 'storage.buckets.get',
    by: "the action's buckets.get of the state bucket (Storage JSON API); the Read of google_storage_bucket",
    source: `src/gcp/storage-bucket.ts; ${PROVIDER} google/services/storage/resource_storage_bucket.go (Buckets.Get)`
  },
  {
    permission: 'storage.buckets.getIamPolicy',
    by: 'the Read of google_storage_bucket_iam_member',
    source: `${PROVIDER} google/services/storage/iam_storage_bucket.go (GET b/BUCKET/iam)`
  },
  {
    permission: 'servicenetworking.services.get',
    by: 'the Read of google_service_networking_connection (services.connections.list)',
    source: `${PROVIDER} google/services/servicenetworking/resource_service_networking_connection.go; Service Networking API reference, services.connections.list`
  },
  {
    permission: 'resourcemanager.projects.get',
    by: 'the same Read, which gets the project number first (projects.get)',
    source: `${PROVIDER} resource_service_networking_connection.go, RetrieveServiceNetworkingNetworkName`
  },
  {
    permission: 'compute.networks.get',
    by: 'the Read of google_compute_network',
    source: PROVIDER
  },
  {
    permission: 'compute.subnetworks.get',
    by: 'the Read of google_compute_subnetwork',
    source: PROVIDER
  },
  {
    permission: 'compute.globalAddresses.get',
    by: 'the Read of the private services range and the static IP',
    source: PROVIDER
  },
  {
    permission: 'container.clusters.get',
    by: 'the Read of google_container_cluster and node pools',
    source: PROVIDER
  },
  {
    permission: 'container.deployments.get',
    by: 'the drift check reading the flyte-binary Deployment',
    source: 'src/phases/flyte-drift.ts'
  },
  {
    permission: 'container.configMaps.get',
    by: 'the plan reading the release-record ConfigMap',
    source: 'src/phases/release-record.ts'
  },
  {
    permission: 'cloudsql.instances.get',
    by: 'the Read of google_sql_database_instance',
    source: PROVIDER
  },
  {
    permission: 'cloudsql.databases.get',
    by: 'the Read of google_sql_database',
    source: PROVIDER
  },
  { permission: 'cloudsql.users.list', by: 'the Read of google_sql_user', source: PROVIDER },
  {
    permission: 'iam.serviceAccounts.get',
    by: 'the Read of google_service_account',
    source: PROVIDER
  },
  {
    permission: 'iam.serviceAccounts.getIamPolicy',
    by: 'the Read of google_service_account_iam_member',
    source: PROVIDER
  },
  {
    permission: 'resourcemanager.projects.getIamPolicy',
    by: 'the Read of google_project_iam_member',
    source: PROVIDER
  },
  {
    permission: 'serviceusage.services.get',
    by: 'the Read of google_project_service',
    source: PROVIDER
  },
  {
    permission: 'secretmanager.secrets.get',
    by: 'the Read of google_secret_manager_secret (the database password secret)',
    source: `${PROVIDER} google/services/secretmanager/resource_secret_manager_secret.go`
  },
  {
    permission: 'secretmanager.versions.get',
    by: 'the Read of google_secret_manager_secret_version: with secret_data_wo_version set it never calls :access (no secretmanager.versions.access)',
    source: `${PROVIDER} google/services/secretmanager/resource_secret_manager_secret_version.go (flattenSecretManagerSecretVersionPayload)`
  }
];

export interface RolePermissions {
  /** The permissions of the role this check relies on. */
  readonly permissions: readonly string[];
  /**
   * true when `permissions` is the role's whole list (then every one is checked to be a read);
   * false for a large predefined role whose whole list is not kept here: its source must say it
   * is read-only.
   */
  readonly complete: boolean;
  readonly source: string;
}

const IAM_ROLES = (service: string) =>
  `Google Cloud IAM, "${service} roles and permissions" (cloud.google.com/iam/docs/roles-permissions)`;

/** Predefined roles; the custom role's permissions are read from the README itself. */
export const ROLE_PERMISSIONS: Readonly<Record<string, RolePermissions>> = {
  'roles/compute.viewer': {
    permissions: [
      'compute.networks.get',
      'compute.subnetworks.get',
      'compute.globalAddresses.get',
      'resourcemanager.projects.get'
    ],
    complete: false,
    source: `${IAM_ROLES('Compute Engine')}: "Read-only access to get and list Compute Engine resources, without being able to read the data stored on them"`
  },
  'roles/container.viewer': {
    permissions: [
      'container.clusters.get',
      'container.deployments.get',
      'container.configMaps.get'
    ],
    complete: false,
    source: `${IAM_ROLES('Kubernetes Engine')}: "Provides read-only access to resources within GKE clusters", without Secrets`
  },
  'roles/cloudsql.viewer': {
    permissions: ['cloudsql.instances.get', 'cloudsql.databases.get', 'cloudsql.users.list'],
    complete: false,
    source: `${IAM_ROLES('Cloud SQL')}: "Read-only access to Cloud SQL resources"`
  },
  'roles/iam.securityReviewer': {
    permissions: [
      'storage.buckets.getIamPolicy',
      'iam.serviceAccounts.getIamPolicy',
      'resourcemanager.projects.getIamPolicy'
    ],
    complete: false,
    source: `${IAM_ROLES('IAM')}: "Permissions to list all resources and IAM policies on them"`
  },
  'roles/iam.serviceAccountViewer': {
    permissions: ['iam.serviceAccounts.get', 'iam.serviceAccounts.list'],
    complete: false,
    source: `${IAM_ROLES('IAM')}: "Read access to service accounts, metadata, and configuration"`
  },
  'roles/serviceusage.serviceUsageViewer': {
    permissions: ['serviceusage.services.get', 'serviceusage.services.list'],
    complete: false,
    source: `${IAM_ROLES('Service Usage')}: "Ability to inspect service states and operations"`
  },
  'roles/secretmanager.viewer': {
    permissions: ['secretmanager.secrets.get', 'secretmanager.versions.get'],
    complete: false,
    source: `${IAM_ROLES('Secret Manager')}; "Viewing a secret version's metadata requires the Secret Manager Viewer role" (cloud.google.com/secret-manager/docs/view-secret-version); secretmanager.versions.access is in secretAccessor and admin, not in the viewer role`
  },
  'roles/storage.objectViewer': {
    permissions: [
      'storage.objects.get',
      'storage.objects.list',
      'resourcemanager.projects.get',
      'resourcemanager.projects.list'
    ],
    complete: true,
    source: STORAGE_ROLES
  },
  'roles/storage.legacyBucketReader': {
    permissions: ['storage.buckets.get', 'storage.objects.list'],
    complete: true,
    source: STORAGE_ROLES
  },
  'roles/servicenetworking.networksAdmin': {
    permissions: [
      'servicenetworking.services.get',
      'servicenetworking.services.addPeering',
      'servicenetworking.services.deleteConnection'
    ],
    complete: false,
    source: `${IAM_ROLES('Service Networking')}: "Full control of service networking with projects"`
  }
};

/** The verbs that only read; any other verb (create, delete, update, setIamPolicy, use…) writes. */
export const READ_VERBS = ['get', 'list', 'getIamPolicy'] as const;

export const isRead = (permission: string): boolean =>
  (READ_VERBS as readonly string[]).includes(permission.split('.').pop() ?? '');

/** Predefined roles whose names say they only read, as Google names them. */
export const isViewerRole = (role: string): boolean =>
  /^roles\/[a-zA-Z]+\.(?:[a-zA-Z]*[vV]iewer|securityReviewer)$/.test(role);
