/**
 * A stand-in Google project behind the loopback Google (google-server.ts): the APIs the
 * preflight reads, answering in the documented shapes and refusing what Google refuses.
 * - Cloud Resource Manager v1 projects.testIamPermissions: body `{permissions: [..]}`, no
 *   wildcards, at most 100 (more is INVALID_ARGUMENT); answers the held subset, leaving the key
 *   out when none is held (proto3 JSON). REST reference: resource-manager/reference/rest/v1/projects/testIamPermissions.
 * - Cloud Storage JSON API buckets.testIamPermissions: `GET /storage/v1/b/B/iam/testPermissions?permissions=..`,
 *   `{kind: "storage#testIamPermissionsResponse", permissions}`; 404 for a missing bucket.
 * - Service Usage v1 services.list: `filter` only `state:ENABLED` / `state:DISABLED`, `pageSize` at
 *   most 200 (default 50), `nextPageToken`; Service objects `{name: projects/N/services/S,
 *   config: {name: S}, state, parent}`.
 * - Org Policy v2 projects.policies.getEffectivePolicy: `GET .../policies/CONSTRAINT:getEffectivePolicy`,
 *   a Policy `{name: projects/N/policies/CONSTRAINT, spec: {rules: [..]}}`; needs orgpolicy.policy.get.
 * - Compute v1 regions.get and projects.get: `{kind: compute#region, name, status, quotas: [{metric,
 *   limit, usage}]}`, `{kind: compute#project, name, quotas}`; 404 for an unknown region.
 * A disabled API answers 403 PERMISSION_DENIED with reason SERVICE_DISABLED, a missing
 * permission 403 with reason IAM_PERMISSION_DENIED, as Google does.
 */
import { googleError, type GoogleCall, type GoogleServer } from './google-server.js';
import { REGIONS } from '../../src/regions.js';

export interface Quota {
  metric: string;
  limit: number;
  usage: number;
}

export interface PolicyRule {
  enforce?: boolean;
  allowAll?: boolean;
  denyAll?: boolean;
  values?: { allowedValues?: string[]; deniedValues?: string[] };
}

export interface ProjectModel {
  /** Only this project answers; undefined: any project ID (the harness's suites name many). */
  projectId?: string;
  projectNumber: string;
  /** Permissions the caller holds on the project ('all' for an owner-like identity). */
  held: 'all' | Set<string>;
  /** Buckets that exist, with what the caller holds on each. */
  buckets: Record<string, 'all' | Set<string>>;
  enabled: Set<string>;
  /** Effective policies by constraint name (without `constraints/`); absent ones are unset. */
  policies: Record<string, PolicyRule[]>;
  /** Quotas of the regions a test stages; every other Google region answers `otherRegions`. */
  regions: Record<string, Quota[]>;
  otherRegions: Quota[];
  projectQuotas: Quota[];
}

/** Constraints Google defines that the preflight reads (others answer INVALID_ARGUMENT here). */
const KNOWN_CONSTRAINTS = new Set([
  'compute.vmExternalIpAccess',
  'sql.restrictPublicIp',
  'gcp.resourceLocations',
  'compute.requireShieldedVm',
  'compute.requireOsLogin'
]);

const ALL_APIS = [
  'cloudresourcemanager.googleapis.com',
  'compute.googleapis.com',
  'container.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'secretmanager.googleapis.com',
  'servicenetworking.googleapis.com',
  'serviceusage.googleapis.com',
  'sqladmin.googleapis.com',
  'storage.googleapis.com',
  'iap.googleapis.com',
  'orgpolicy.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com'
];

const gpuQuotas = (limit: number): Quota[] =>
  [
    'NVIDIA_L4_GPUS',
    'NVIDIA_T4_GPUS',
    'NVIDIA_A100_GPUS',
    'NVIDIA_A100_80GB_GPUS',
    'NVIDIA_H100_GPUS'
  ].map((metric) => ({ metric, limit, usage: 0 }));

/** A project where every check passes: all permissions, all APIs, no policy, GPU quota 16. */
export function healthyProject(projectId?: string): ProjectModel {
  const regionQuotas = (): Quota[] => [{ metric: 'CPUS', limit: 72, usage: 4 }, ...gpuQuotas(16)];
  return {
    ...(projectId ? { projectId } : {}),
    projectNumber: '123456789012',
    held: 'all',
    buckets: {},
    enabled: new Set(ALL_APIS),
    policies: {},
    regions: { 'us-central1': regionQuotas() },
    otherRegions: regionQuotas(),
    projectQuotas: [{ metric: 'GPUS_ALL_REGIONS', limit: 16, usage: 0 }]
  };
}

const holds = (held: 'all' | Set<string>, permission: string) =>
  held === 'all' || held.has(permission);

const TITLES: Record<string, string> = {
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'orgpolicy.googleapis.com': 'Organization Policy API',
  'compute.googleapis.com': 'Compute Engine API'
};

function disabled(model: ProjectModel, service: string) {
  return googleError(
    403,
    'PERMISSION_DENIED',
    `${TITLES[service] ?? service} has not been used in project ${model.projectNumber} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${service}/overview?project=${model.projectNumber} then retry.`,
    'SERVICE_DISABLED'
  );
}

const denied = (permission: string, resource: string) =>
  googleError(
    403,
    'PERMISSION_DENIED',
    `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`,
    'IAM_PERMISSION_DENIED'
  );

/** Registers the project's routes; `model()` is read on every call, so tests may change it. */
export function serveProject(server: GoogleServer, model: () => ProjectModel): void {
  /** Google answers 403 for a project the caller cannot see, whether or not it exists. */
  const unknownProject = (project: string) => {
    const m = model();
    return m.projectId !== undefined && m.projectId !== project && m.projectNumber !== project;
  };
  const gate = (call: GoogleCall, project: string, service: string, permission?: string) => {
    const m = model();
    if (unknownProject(project))
      return denied(permission ?? 'resourcemanager.projects.get', `projects/${project}`);
    if (!m.enabled.has(service)) return disabled(m, service);
    if (permission && !holds(m.held, permission)) return denied(permission, `projects/${project}`);
    void call;
    return undefined;
  };

  server.on(
    'POST',
    'cloudresourcemanager',
    /^\/v1\/projects\/[^/:]+:testIamPermissions$/,
    (call) => {
      const project = decodeURIComponent(/^\/v1\/projects\/([^/:]+):/.exec(call.path)![1]!);
      const refused = gate(call, project, 'cloudresourcemanager.googleapis.com');
      if (refused) return refused;
      const asked = (call.body as { permissions?: unknown } | undefined)?.permissions;
      if (!Array.isArray(asked) || asked.some((p) => typeof p !== 'string'))
        return googleError(
          400,
          'INVALID_ARGUMENT',
          'Invalid JSON payload: permissions must be a list of strings.'
        );
      if (asked.length > 100)
        return googleError(
          400,
          'INVALID_ARGUMENT',
          'The number of permissions to check must be at most 100.'
        );
      if (asked.some((p: string) => p.includes('*')))
        return googleError(400, 'INVALID_ARGUMENT', 'Permissions with wildcards are not allowed.');
      const held = (asked as string[]).filter((p) => holds(model().held, p));
      return { body: held.length > 0 ? { permissions: held } : {} };
    }
  );

  server.on('GET', 'storage', /^\/storage\/v1\/b\/[^/]+\/iam\/testPermissions$/, (call) => {
    const bucket = decodeURIComponent(call.path.split('/')[4]!);
    const asked = call.query.getAll('permissions');
    if (asked.length === 0)
      return googleError(400, 'INVALID_ARGUMENT', 'Required parameter: permissions');
    const held = model().buckets[bucket];
    if (!held) return googleError(404, 'NOT_FOUND', 'The specified bucket does not exist.');
    const granted = asked.filter((p) => holds(held, p));
    return {
      body: {
        kind: 'storage#testIamPermissionsResponse',
        ...(granted.length > 0 ? { permissions: granted } : {})
      }
    };
  });

  server.on('GET', 'serviceusage', /^\/v1\/projects\/[^/]+\/services$/, (call) => {
    const project = decodeURIComponent(call.path.split('/')[3]!);
    const refused = gate(
      call,
      project,
      'serviceusage.googleapis.com',
      'serviceusage.services.list'
    );
    if (refused) return refused;
    const filter = call.query.get('filter');
    if (filter !== null && filter !== 'state:ENABLED' && filter !== 'state:DISABLED')
      return googleError(400, 'INVALID_ARGUMENT', `Invalid filter: ${filter}`);
    const size = Number(call.query.get('pageSize') ?? '50');
    if (!Number.isInteger(size) || size < 0 || size > 200)
      return googleError(400, 'INVALID_ARGUMENT', 'Requested page size cannot exceed 200.');
    const m = model();
    const names = filter === 'state:DISABLED' ? [] : [...m.enabled].sort();
    const start = Number(call.query.get('pageToken') ?? '0');
    const page = names.slice(start, start + (size || 50));
    const next = start + page.length < names.length ? String(start + page.length) : undefined;
    return {
      body: {
        services: page.map((name) => ({
          name: `projects/${m.projectNumber}/services/${name}`,
          config: { name, title: TITLES[name] ?? name },
          state: 'ENABLED',
          parent: `projects/${m.projectNumber}`
        })),
        ...(next ? { nextPageToken: next } : {})
      }
    };
  });

  server.on(
    'GET',
    'orgpolicy',
    /^\/v2\/projects\/[^/]+\/policies\/[^/:]+:getEffectivePolicy$/,
    (call) => {
      const [, , , project = '', , constraintPart = ''] = call.path.split('/');
      const constraint = constraintPart.replace(/:getEffectivePolicy$/, '');
      const refused = gate(
        call,
        decodeURIComponent(project),
        'orgpolicy.googleapis.com',
        'orgpolicy.policy.get'
      );
      if (refused) return refused;
      if (!KNOWN_CONSTRAINTS.has(constraint))
        return googleError(
          400,
          'INVALID_ARGUMENT',
          `Constraint constraints/${constraint} does not exist.`
        );
      const m = model();
      const rules = m.policies[constraint];
      return {
        body: {
          name: `projects/${m.projectNumber}/policies/${constraint}`,
          ...(rules ? { spec: { rules } } : {})
        }
      };
    }
  );

  server.on('GET', 'compute', /^\/compute\/v1\/projects\/[^/]+(\/regions\/[^/]+)?$/, (call) => {
    const [, , , , project = '', , region] = call.path.split('/');
    const permission = region ? 'compute.regions.get' : 'compute.projects.get';
    const refused = gate(call, decodeURIComponent(project), 'compute.googleapis.com', permission);
    if (refused) return refused;
    const m = model();
    if (!region)
      return { body: { kind: 'compute#project', name: project, quotas: m.projectQuotas } };
    const quotas = m.regions[region] ?? (REGIONS[region] ? m.otherRegions : undefined);
    if (!quotas)
      return googleError(
        404,
        'NOT_FOUND',
        `The resource 'projects/${project}/regions/${region}' was not found`
      );
    return { body: { kind: 'compute#region', name: region, status: 'UP', quotas } };
  });
}
