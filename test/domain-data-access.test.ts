/**
 * What each Flyte domain's task account may do to the bucket's objects, evaluated from the module
 * itself: its bucket bindings (role, member, IAM condition) instantiated from the parsed HCL under
 * the variables the action passes, and each condition evaluated as GCS evaluates it against an
 * object's resource.name. Production's tasks must not write development's objects, and back.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { FLYTE_DOMAINS } from '../src/values/names.js';
import { everyInstance, loadModule, withDefaults } from './support/provider-rules/index.mjs';
import { PROJECT_ROOT } from './support/project.js';

const module = await loadModule(path.join(PROJECT_ROOT, 'terraform'));

type Permission = 'get' | 'list' | 'create' | 'delete' | 'update';
/** The object permissions of each role the module grants task accounts (Google's role reference). */
const ROLE_PERMISSIONS: Record<string, readonly Permission[]> = {
  'roles/storage.objectViewer': ['get', 'list'],
  'roles/storage.objectUser': ['get', 'list', 'create', 'delete', 'update'],
  'roles/storage.objectCreator': ['create']
};

interface Grant {
  readonly domain: string;
  readonly role: string;
  readonly expression?: string;
}

/** Which domain account a binding's member names: domain_tasks[each.key] or [each.value.domain]. */
function memberDomain(text: string, key: unknown, value: unknown): string {
  const m =
    /^\$\{google_service_account\.domain_tasks\[(each\.key|each\.value\.domain)\]\.member\}$/.exec(
      text
    );
  if (!m) throw new Error(`unexpected member ${text}`);
  return m[1] === 'each.key' ? String(key) : String((value as { domain: string }).domain);
}

function grants(vars: Record<string, unknown>): Grant[] {
  const all = withDefaults(module, vars);
  const out: Grant[] = [];
  for (const r of module.resources.filter((x) => x.type === 'google_storage_bucket_iam_member')) {
    const member = String(r.body.member);
    if (!member.includes('domain_tasks')) continue;
    for (const instance of everyInstance(module, all, r.type, r.name)) {
      const condition = (instance.config.condition as { expression: string }[] | undefined)?.[0];
      out.push({
        domain: memberDomain(member, instance.key, instance.each),
        role: String(instance.config.role),
        ...(condition ? { expression: condition.expression } : {})
      });
    }
  }
  return out;
}

/**
 * The CEL the module writes: terms `resource.name.startsWith("…")`, each maybe negated, joined
 * by &&. Anything else fails the test rather than being guessed at.
 */
function conditionHolds(expression: string, resourceName: string): boolean {
  return expression.split(' && ').every((term) => {
    const m = /^(!?)resource\.name\.startsWith\("([^"\\]*)"\)$/.exec(term);
    if (!m) throw new Error(`the evaluator does not know ${term}`);
    return resourceName.startsWith(m[2]!) !== (m[1] === '!');
  });
}

const BUCKET = 'acme-flyte-dev-flyte-dev-flyte';
const objectName = (name: string) => `projects/_/buckets/${BUCKET}/objects/${name}`;

function allowed(all: readonly Grant[], domain: string, permission: Permission, name: string) {
  return all.some(
    (g) =>
      g.domain === domain &&
      (ROLE_PERMISSIONS[g.role] ?? []).includes(permission) &&
      (g.expression === undefined || conditionHolds(g.expression, objectName(name)))
  );
}

// Overwriting an existing object takes create and delete; a new object create alone.
const canOverwrite = (all: readonly Grant[], domain: string, name: string) =>
  allowed(all, domain, 'create', name) && allowed(all, domain, 'delete', name);

// Project names chosen so PROJECT-DOMAIN prefixes nest: a-staging-development-… begins a-staging-.
const PROJECTS = ['flytesnacks', 'a', 'a-staging', 'a-staging-production', 'ml'];
const vars = (extra: Record<string, unknown> = {}) => ({
  project_id: 'acme-flyte-dev',
  cluster_name: 'flyte-dev',
  region: 'us-central1',
  flyte_projects: PROJECTS,
  flyte_domains: [...FLYTE_DOMAINS],
  ...extra
});

/** Objects Flyte writes for one execution of PROJECT in DOMAIN (paths from flytepropeller). */
const executionObjects = (project: string, domain: string, execution = 'f1b2c3d4e5') => [
  `metadata/propeller/${project}-${domain}-${execution}/n0/data/inputs.pb`,
  `metadata/propeller/${project}-${domain}-${execution}/n0/data/0/outputs.pb`,
  `metadata/propeller/${project}-${domain}-${execution}/n1/data/0/error.pb`,
  `raw/${domain}/ab/${execution}-n0-0/model.joblib`
];

describe('task accounts: one per Flyte domain, writing only that domain', () => {
  const all = grants(vars());

  it('gives every domain its own account and bindings', () => {
    expect(new Set(all.map((g) => g.domain))).toEqual(new Set(FLYTE_DOMAINS));
  });

  it.each(FLYTE_DOMAINS.flatMap((victim) => FLYTE_DOMAINS.map((actor) => [actor, victim])))(
    '%s tasks vs %s objects',
    (actor, victim) => {
      for (const project of PROJECTS) {
        for (const name of executionObjects(project, victim)) {
          // Reading is bucket-wide (docs/security.md says what that leaves open).
          expect(allowed(all, actor, 'get', name)).toBe(true);
          const own = actor === victim;
          expect([name, allowed(all, actor, 'create', name)]).toEqual([name, own]);
          expect([name, canOverwrite(all, actor, name)]).toEqual([name, own]);
          expect([name, allowed(all, actor, 'update', name)]).toEqual([name, own]);
        }
      }
    }
  );

  it('lets no domain overwrite or delete what another wrote under the shared data/ prefix', () => {
    const name = 'data/7q/a1b2c3d4e5f6-n0-0/frame.parquet';
    for (const domain of FLYTE_DOMAINS) {
      expect(allowed(all, domain, 'create', name)).toBe(true); // a new object only
      expect(allowed(all, domain, 'delete', name)).toBe(false);
      expect(allowed(all, domain, 'update', name)).toBe(false);
    }
    const closed = grants(vars({ task_shared_raw_output: false }));
    for (const domain of FLYTE_DOMAINS) expect(allowed(closed, domain, 'create', name)).toBe(false);
  });

  it('never lets two domains write one object, whatever the execution is called', () => {
    // a-staging + staging + "development-x" and a-staging + development + "x" are one path.
    const names = PROJECTS.flatMap((p) =>
      FLYTE_DOMAINS.flatMap((d) =>
        ['x', 'development-x', 'production-y', 'staging-z'].flatMap((e) =>
          executionObjects(p, d, e)
        )
      )
    );
    for (const name of names) {
      const writers = FLYTE_DOMAINS.filter((d) => allowed(all, d, 'create', name));
      expect([name, writers.length <= 1]).toEqual([name, true]);
    }
  });

  it('lets no domain account write bucket-wide or outside the object prefixes', () => {
    for (const name of ['metadata/datacatalog/x', 'metadata/propeller/other-development-x', 'y']) {
      for (const domain of FLYTE_DOMAINS) expect(allowed(all, domain, 'create', name)).toBe(false);
    }
    const writers = all.filter((g) => g.role !== 'roles/storage.objectViewer');
    for (const g of writers) expect(g.expression).toBeDefined();
  });

  it('binds each domain account, by workload identity, to its own namespaces only', () => {
    const bindings = everyInstance(
      module,
      withDefaults(module, vars()),
      'google_service_account_iam_member',
      'domain_tasks_workload_identity'
    );
    expect(bindings).toHaveLength(PROJECTS.length * FLYTE_DOMAINS.length);
    for (const b of bindings) {
      const domain = (b.each as { domain: string }).domain;
      expect(String(b.key)).toMatch(new RegExp(`^${domain}/`));
      const project = String(b.key).slice(domain.length + 1);
      expect(b.config.member).toBe(
        `serviceAccount:acme-flyte-dev.svc.id.goog[${project}-${domain}/default]`
      );
    }
  });
});
