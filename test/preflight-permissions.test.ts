/**
 * The permission lists the preflight asks Google about (src/gcp/preflight-permissions.ts) and the
 * roles docs/security.md and the README's quick start grant: every needed permission is mapped to
 * a role that identity is granted, where it is granted (the state bucket for the planner's
 * objects), of the permission's own service unless the role is known to span services. Google's
 * role definitions are not readable offline, so the planner's mapping is also checked against
 * the permission tables kept in test/support/planner-permissions.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEPLOYER_NEEDS,
  PLANNER_CUSTOM_ROLE,
  PLANNER_NEEDS,
  roleDoc,
  type NeededPermission
} from '../src/gcp/preflight-permissions.js';
import { ROLE_PERMISSIONS } from './support/planner-permissions.js';
import { PROJECT_ROOT } from './support/project.js';

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const SECURITY = readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
const shell = [...README.matchAll(/```bash\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .join('\n')
  .replace(/\\\n\s*/g, ' ');

/** Roles a quick start loop grants to `$WHO` on the project. */
function loopRoles(who: string): string[] {
  return [...shell.matchAll(/for role in ([^;]+); do\n([^\n]*)\n/g)]
    .filter((m) => m[2]!.includes(`serviceAccount:$${who}`))
    .flatMap((m) => m[1]!.trim().split(/\s+/))
    .map((r) => r.replace(/"/g, '').replace('projects/$PROJECT_ID/', 'projects/PROJECT/'));
}

/** From a heading to the next one of the same level. */
const section = (title: string) => {
  const start = SECURITY.indexOf(title);
  return SECURITY.slice(start, SECURITY.indexOf('\n## ', start + title.length));
};
const DEPLOYER_SECTION = section("## The deployer's roles");
const PLANNER_SECTION = section("## The planner's roles");

/** Roles that hold permissions of several services, and why the mapping may cross services. */
const CROSS_SERVICE: Record<string, string> = {
  'roles/iam.securityReviewer': 'reads the IAM policy of every resource type',
  [PLANNER_CUSTOM_ROLE]: 'the custom role holds the reads no viewer role has'
};

const CUSTOM_PERMISSIONS = /gcloud iam roles create flyteGkePlanner [^\n]*--permissions (\S+)/
  .exec(shell)![1]!
  .split(',');

const serviceOf = (permission: string) => permission.split('.')[0]!;
const roleService = (role: string) => /^roles\/([a-zA-Z]+)\./.exec(role)?.[1];

/** Why a need list and the grants disagree, one line each; empty when they agree. */
function problems(
  needs: readonly NeededPermission[],
  granted: readonly string[],
  documented: string,
  bucketGrant: (role: string) => boolean
): string[] {
  const found: string[] = [];
  for (const n of needs) {
    const label = `${n.permission} → ${n.role}`;
    if (n.on === 'state-bucket') {
      if (!bucketGrant(n.role)) found.push(`${label}: not granted on the state bucket`);
    } else if (!granted.includes(n.role)) found.push(`${label}: the quick start does not grant it`);
    const short = n.role.replace(/^roles\//, '').replace('projects/PROJECT/', 'projects/PROJECT/');
    if (!documented.includes(`\`${short}\``) && !documented.includes(`\`${n.role}\``))
      found.push(`${label}: docs/security.md does not list the role`);
    if (!CROSS_SERVICE[n.role] && roleService(n.role) !== serviceOf(n.permission))
      found.push(`${label}: the role is of another service`);
    if (n.by.length < 10 || n.source.length < 10) found.push(`${label}: says not what needs it`);
  }
  return found;
}

const plannerBucketGrant = (role: string) =>
  new RegExp(
    `gcloud storage buckets add-iam-policy-binding "gs://\\$PROJECT_ID-flyte-tfstate"\\s+--member "serviceAccount:\\$PLANNER" --role ${role.replace(/[./]/g, '\\$&')}`
  ).test(shell);

describe('the deployer’s permission list', () => {
  it('maps every permission to a role the quick start grants and docs/security.md lists', () => {
    expect(loopRoles('DEPLOYER')).toContain('roles/container.admin');
    expect(problems(DEPLOYER_NEEDS, loopRoles('DEPLOYER'), DEPLOYER_SECTION, () => false)).toEqual(
      []
    );
  });

  it('uses every role the deployer is granted (a role nothing needs would be a needless grant)', () => {
    const used = new Set(DEPLOYER_NEEDS.map((n) => n.role));
    expect(loopRoles('DEPLOYER').filter((r) => !used.has(r))).toEqual([]);
  });

  it.each([
    [
      'a role the deployer is not granted',
      { role: 'roles/container.viewer' },
      /the quick start does not grant it/
    ],
    [
      'a role of another service',
      { role: 'roles/cloudsql.admin' },
      /the role is of another service/
    ]
  ])('refuses %s', (_name, change, says) => {
    const planted = [{ ...DEPLOYER_NEEDS[0]!, ...change }];
    expect(
      problems(planted, loopRoles('DEPLOYER'), DEPLOYER_SECTION, () => false).join('\n')
    ).toMatch(says);
  });
});

describe('the planner’s permission list', () => {
  it('maps every permission to a planner role that holds it, objects on the state bucket only', () => {
    expect(
      problems(PLANNER_NEEDS, loopRoles('PLANNER'), PLANNER_SECTION, plannerBucketGrant)
    ).toEqual([]);
    for (const n of PLANNER_NEEDS) {
      const holds =
        n.role === PLANNER_CUSTOM_ROLE ? CUSTOM_PERMISSIONS : ROLE_PERMISSIONS[n.role]?.permissions;
      expect([n.permission, n.role, holds?.includes(n.permission)]).toEqual([
        n.permission,
        n.role,
        true
      ]);
    }
  });

  it('refuses state objects mapped to a project-wide grant', () => {
    const planted = PLANNER_NEEDS.map((n) =>
      n.permission === 'storage.objects.get' ? { ...n, on: 'project' as const } : n
    );
    expect(problems(planted, loopRoles('PLANNER'), PLANNER_SECTION, plannerBucketGrant)).toEqual([
      'storage.objects.get → roles/storage.objectViewer: the quick start does not grant it'
    ]);
  });
});

it('links every predefined role to Google’s reference page of it', () => {
  for (const role of new Set([...DEPLOYER_NEEDS, ...PLANNER_NEEDS].map((n) => n.role))) {
    if (role === PLANNER_CUSTOM_ROLE) continue;
    expect(roleDoc(role)).toMatch(/^https:\/\/cloud\.google\.com\/(iam|storage)\/docs\//);
  }
  expect(roleDoc('roles/container.admin')).toBe(
    'https://cloud.google.com/iam/docs/roles-permissions/container#container.admin'
  );
});
