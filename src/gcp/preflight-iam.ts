/**
 * Does the job's identity hold what its command needs? Google's testIamPermissions answers with
 * the subset of the asked permissions the caller holds (Cloud Resource Manager v1
 * `POST /v1/projects/{resource}:testIamPermissions`, which itself needs no permission; Cloud
 * Storage `GET /storage/v1/b/{bucket}/iam/testPermissions` for grants on the state bucket only).
 * Asked in groups of at most 100 permissions per call.
 */
import type { Inputs } from '../inputs.js';
import { GoogleApiError, type GoogleApi } from './google-api.js';
import {
  identityName,
  neededPermissions,
  PLANNER_CUSTOM_ROLE,
  roleDoc,
  type NeededPermission
} from './preflight-permissions.js';
import { enableCommand, readProblem, type PreflightResult } from './preflight-result.js';

export const PERMISSIONS_CHECK = 'preflight-permissions';
const PER_CALL = 100;

interface HeldAnswer {
  permissions?: string[];
}

export function describePermissionsCheck(inputs: Inputs): string {
  const needed = neededPermissions(inputs);
  const onBucket = needed.filter((n) => n.on === 'state-bucket');
  return [
    `POST cloudresourcemanager.googleapis.com/v1/projects/${inputs.projectId}:testIamPermissions with the ${needed.length - onBucket.length} permissions ${inputs.command} needs (src/gcp/preflight-permissions.ts, docs/preflight.md)`,
    ...(onBucket.length > 0
      ? [
          `GET storage.googleapis.com/storage/v1/b/${inputs.stateBucket}/iam/testPermissions for ${onBucket.map((n) => n.permission).join(', ')} (granted on the state bucket only)`
        ]
      : []),
    `A missing permission fails the run with the role that grants it and the gcloud command that grants that role.`
  ].join('\n');
}

export async function checkPermissions(
  google: GoogleApi,
  inputs: Inputs
): Promise<PreflightResult> {
  const who = identityName(inputs.command);
  const subject = `the ${who}'s permissions`;
  const needed = neededPermissions(inputs);
  const onProject = needed.filter((n) => n.on !== 'state-bucket');
  const onBucket = needed.filter((n) => n.on === 'state-bucket');
  let held: Set<string>;
  let bucketNote = '';
  try {
    const [project, bucket] = await Promise.all([
      heldOnProject(google, inputs.projectId, onProject),
      heldOnBucket(google, inputs.stateBucket, onBucket)
    ]);
    held = new Set(project);
    if (typeof bucket === 'string') {
      // Not asked, so not counted missing: the state bucket step reports a missing bucket.
      for (const n of onBucket) held.add(n.permission);
      bucketNote = ` Not checked: ${onBucket.map((n) => n.permission).join(', ')} on gs://${inputs.stateBucket} (${bucket}).`;
    } else {
      for (const p of bucket) held.add(p);
    }
  } catch (error) {
    const problem = readProblem(error, 'cloudresourcemanager.googleapis.com');
    if (problem.kind === 'api-disabled') {
      return {
        check: PERMISSIONS_CHECK,
        subject,
        status: 'fail',
        found: `The Cloud Resource Manager API is off in ${inputs.projectId}: Terraform and gcloud need it before anything else works.`,
        fixes: [enableCommand('cloudresourcemanager.googleapis.com', inputs.projectId)]
      };
    }
    return {
      check: PERMISSIONS_CHECK,
      subject,
      status: 'not-checked',
      found: `Could not ask Google which permissions the ${who} holds: ${problem.message}`
    };
  }
  const missing = needed.filter((n) => !held.has(n.permission));
  if (missing.length === 0) {
    return {
      check: PERMISSIONS_CHECK,
      subject,
      status: 'pass',
      found: `The ${who} holds all ${needed.length} permissions ${inputs.command} needs.${bucketNote}`
    };
  }
  return {
    check: PERMISSIONS_CHECK,
    subject,
    status: 'fail',
    found: `The ${who}${inputs.serviceAccount ? ` (${inputs.serviceAccount})` : ''} lacks ${missing.length} of the ${needed.length} permissions ${inputs.command} needs: ${missing.length <= 5 ? missing.map((m) => `${m.permission} (${m.by})`).join('; ') : missing.map((m) => m.permission).join(', ')}.`,
    fixes: grantCommands(inputs, missing)
  };
}

async function heldOnProject(
  google: GoogleApi,
  project: string,
  needed: readonly NeededPermission[]
): Promise<string[]> {
  const held: string[] = [];
  for (let i = 0; i < needed.length; i += PER_CALL) {
    const answer = await google.request<HeldAnswer>({
      service: 'cloudresourcemanager',
      method: 'POST',
      path: `/v1/projects/${encodeURIComponent(project)}:testIamPermissions`,
      body: { permissions: needed.slice(i, i + PER_CALL).map((n) => n.permission) }
    });
    // proto3 JSON leaves out an empty list: no `permissions` key means none is held.
    held.push(...(answer.permissions ?? []));
  }
  return held;
}

/** The held subset, or why the bucket could not be asked (it does not exist yet: 404). */
async function heldOnBucket(
  google: GoogleApi,
  bucket: string,
  needed: readonly NeededPermission[]
): Promise<string[] | string> {
  if (needed.length === 0) return [];
  try {
    const answer = await google.request<HeldAnswer>({
      service: 'storage',
      path: `/storage/v1/b/${encodeURIComponent(bucket)}/iam/testPermissions`,
      query: { permissions: needed.map((n) => n.permission) }
    });
    return answer.permissions ?? [];
  } catch (error) {
    if (error instanceof GoogleApiError && error.httpStatus === 404) return 'no such bucket yet';
    throw error;
  }
}

/** One grant per missing role, in the quick start's form. */
function grantCommands(inputs: Inputs, missing: readonly NeededPermission[]): string[] {
  const member = inputs.serviceAccount
    ? `serviceAccount:${inputs.serviceAccount}`
    : "MEMBER (the job's federated principal)";
  const roles = [...new Set(missing.map((m) => `${m.role}|${m.on ?? 'project'}`))];
  return roles.map((key) => {
    const [role = '', on] = key.split('|');
    const perms = missing.filter((m) => m.role === role).map((m) => m.permission);
    const why = `# ${perms.join(', ')}: ${roleDoc(role)}`;
    if (on === 'state-bucket') {
      return `gcloud storage buckets add-iam-policy-binding gs://${inputs.stateBucket} --member ${member} --role ${role}  ${why}`;
    }
    const name =
      role === PLANNER_CUSTOM_ROLE ? `projects/${inputs.projectId}/roles/flyteGkePlanner` : role;
    const create =
      role === PLANNER_CUSTOM_ROLE
        ? ' (create the role first, as the README quick start does)'
        : '';
    return `gcloud projects add-iam-policy-binding ${inputs.projectId} --member ${member} --role ${name} --condition None  ${why}${create}`;
  });
}
