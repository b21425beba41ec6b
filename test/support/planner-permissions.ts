/**
 * What the planner (plan and drift, read-only) must be able to read (src/gcp/preflight-permissions.ts,
 * which the preflight also asks Google about), and what each role it is granted holds, each with
 * its source. test/planner-roles.test.ts checks the README's quick start and docs/security.md
 * against these tables.
 */

const STORAGE_ROLES =
  'Google Cloud, "IAM roles for Cloud Storage" (cloud.google.com/storage/docs/access-control/iam-roles)';

/** The one list of what the planner needs, kept beside the deployer's (the preflight asks Google). */
export { PLANNER_NEEDS, type NeededPermission } from '../../src/gcp/preflight-permissions.js';

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
      'compute.routers.get',
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
