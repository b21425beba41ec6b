/**
 * The planner's grants as the README's quick start makes them and docs/security.md lists them:
 * every permission a read-only plan needs is granted by one of them (objects only on the state
 * bucket), and none of them writes.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isRead,
  isViewerRole,
  PLANNER_NEEDS,
  ROLE_PERMISSIONS,
  type RolePermissions
} from './support/planner-permissions.js';
import { PROJECT_ROOT } from './support/project.js';

const README = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const SECURITY = readFileSync(path.join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');

/** The README's shell, lines joined where they end in a backslash. */
const shell = [...README.matchAll(/```bash\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .join('\n')
  .replace(/\\\n\s*/g, ' ');

interface Grant {
  readonly role: string;
  /** `project`, or the bucket the binding is on. */
  readonly on: string;
}

/** Every role the quick start grants the planner, and where. */
function plannerGrants(text: string): Grant[] {
  const grants: Grant[] = [];
  for (const loop of text.matchAll(/for role in ([^;]+); do\n([^\n]*)\n/g)) {
    if (!loop[2]!.includes('serviceAccount:$PLANNER')) continue;
    expect(loop[2]).toContain('gcloud projects add-iam-policy-binding');
    for (const role of loop[1]!.trim().split(/\s+/))
      grants.push({ role: role.replace(/"/g, ''), on: 'project' });
  }
  for (const line of text.split('\n')) {
    if (!line.includes('serviceAccount:$PLANNER') || line.includes('for role')) continue;
    const role = /--role "?([^\s"]+)"?/.exec(line)?.[1];
    if (!role || role === '$role') continue;
    const bucket = /gcloud storage buckets add-iam-policy-binding "?(gs:\/\/[^\s"]+)"?/.exec(
      line
    )?.[1];
    const project = /gcloud projects add-iam-policy-binding/.test(line);
    expect(bucket ?? project).toBeTruthy();
    grants.push({ role, on: bucket ?? 'project' });
  }
  return grants;
}

/** The custom roles the quick start creates, with their permissions. */
function customRoles(text: string): Record<string, RolePermissions> {
  const roles: Record<string, RolePermissions> = {};
  for (const m of text.matchAll(
    /gcloud iam roles create (\S+) --project "\$PROJECT_ID"[^\n]*?--permissions (\S+)/g
  )) {
    roles[`projects/$PROJECT_ID/roles/${m[1]}`] = {
      permissions: m[2]!.split(','),
      complete: true,
      source: 'the README quick start (gcloud iam roles create)'
    };
  }
  return roles;
}

const CUSTOM = customRoles(shell);
const TABLE = { ...ROLE_PERMISSIONS, ...CUSTOM };
const GRANTS = plannerGrants(shell);
const STATE_BUCKET = 'gs://$PROJECT_ID-flyte-tfstate';

const grantedBy = (permission: string, grants: readonly Grant[]) =>
  grants.filter((g) => TABLE[g.role]?.permissions.includes(permission));

/** Why a set of grants falls short, one line each; empty when it is right. */
function problems(grants: readonly Grant[]): string[] {
  const found: string[] = [];
  for (const need of PLANNER_NEEDS) {
    if (grantedBy(need.permission, grants).length === 0)
      found.push(`${need.permission} (${need.by}) is granted by no planner role`);
  }
  for (const { role, on } of grants) {
    const entry = TABLE[role];
    if (!entry) {
      found.push(`${role} has no permission table in test/support/planner-permissions.ts`);
      continue;
    }
    const writes = entry.permissions.filter((p) => !isRead(p));
    if (writes.length > 0) found.push(`${role} writes: ${writes.join(', ')}`);
    if (!entry.complete && !isViewerRole(role))
      found.push(`${role} is not a viewer role and its whole permission list is not kept`);
    const readsObjects = entry.permissions.includes('storage.objects.get');
    if (readsObjects && on !== STATE_BUCKET)
      found.push(`${role} reads objects on ${on}, not only in the state bucket`);
  }
  return found;
}

describe('the planner’s roles in the quick start', () => {
  it('are found in the README, with the state bucket binding and the custom role', () => {
    expect(GRANTS.map((g) => g.role)).toContain('roles/compute.viewer');
    expect(GRANTS).toContainEqual({ role: 'roles/storage.objectViewer', on: STATE_BUCKET });
    expect(Object.keys(CUSTOM)).toEqual(['projects/$PROJECT_ID/roles/flyteGkePlanner']);
    expect(GRANTS.map((g) => g.role)).toContain('projects/$PROJECT_ID/roles/flyteGkePlanner');
  });

  it('grant every permission a plan needs, read only, objects only in the state bucket', () => {
    expect(problems(GRANTS)).toEqual([]);
  });

  it('each needed permission names what needs it and its source', () => {
    for (const need of PLANNER_NEEDS) {
      expect(need.by.length).toBeGreaterThan(10);
      expect(need.source.length).toBeGreaterThan(10);
    }
    for (const [role, entry] of Object.entries(ROLE_PERMISSIONS)) {
      expect([role, entry.source.length > 20]).toEqual([role, true]);
    }
  });

  // The attacks and mistakes this check exists for.
  it.each([
    [
      'the earlier grants: project-wide objectViewer and servicenetworking.networksAdmin',
      (g: Grant[]) => [
        ...g.filter((x) => !x.role.includes('flyteGkePlanner') && x.on === 'project'),
        { role: 'roles/storage.objectViewer', on: 'project' },
        { role: 'roles/servicenetworking.networksAdmin', on: 'project' }
      ],
      /reads objects on project|servicenetworking.networksAdmin writes|not a viewer role/
    ],
    [
      'objectViewer alone on the state bucket (no storage.buckets.get)',
      (g: Grant[]) => g.filter((x) => !x.role.includes('flyteGkePlanner')),
      /storage\.buckets\.get .* is granted by no planner role/
    ],
    [
      'an admin role added to the loop',
      (g: Grant[]) => [...g, { role: 'roles/container.admin', on: 'project' }],
      /roles\/container\.admin has no permission table/
    ]
  ])('refuses %s', (_, change, says) => {
    expect(problems(change([...GRANTS])).join('\n')).toMatch(says);
  });

  it('refuses a custom role given a write permission', () => {
    const planted = shell.replace(
      'servicenetworking.services.get,',
      'servicenetworking.services.get,servicenetworking.services.deleteConnection,'
    );
    expect(planted).not.toBe(shell);
    const role = customRoles(planted)['projects/$PROJECT_ID/roles/flyteGkePlanner']!;
    expect(role.permissions.filter((p) => !isRead(p))).toEqual([
      'servicenetworking.services.deleteConnection'
    ]);
  });
});

describe('docs/security.md', () => {
  const section = SECURITY.slice(
    SECURITY.indexOf("## The planner's roles"),
    SECURITY.indexOf('A plan never writes')
  );
  const rows = [...section.matchAll(/^\| `([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => ({
    role: m[1]!.replace('projects/PROJECT/', 'projects/$PROJECT_ID/'),
    on: m[2]!
  }));

  it('lists exactly the roles the quick start grants, and where', () => {
    expect(rows.map((r) => r.role).sort()).toEqual(GRANTS.map((g) => g.role).sort());
    for (const grant of GRANTS) {
      const row = rows.find((r) => r.role === grant.role)!;
      expect([grant.role, row.on]).toEqual([
        grant.role,
        grant.on === 'project' ? 'project' : 'the state bucket only'
      ]);
    }
  });

  it('says no longer that the planner holds a write role', () => {
    expect(section).not.toMatch(/\| `roles\/servicenetworking\.networksAdmin`/);
    expect(section).not.toMatch(/one role with write permissions/);
  });
});
