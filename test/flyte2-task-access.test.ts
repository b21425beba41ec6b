/**
 * Flyte 2 task pods' Google access, evaluated from the module itself (its HCL, instantiated under
 * the very variables the action writes) and from the namespace step that annotates the pods'
 * service account: the account bound is the one annotated, the member is exactly that service
 * account, it may read every object and write all but the uploads, and Flyte 1 gets none of it.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { RunState } from '../src/engine/state.js';
import { flyte2Names } from '../src/flyte2/names.js';
import { flyte2TasksAccount, taskNamespaceStep } from '../src/flyte2/task-namespace.js';
import { readOutputs, REQUIRED_OUTPUTS } from '../src/terraform/outputs.js';
import { terraformVariables, terraformVarsJson } from '../src/tools/terraform/args.js';
import { WORKLOAD_IDENTITY_ANNOTATION } from '../src/values/patch.js';
import type { Inputs } from '../src/inputs.js';
import { flyteInputs, tfOutputs } from './support/flyte-fixtures.js';
import { everyInstance, loadModule, withDefaults } from './support/provider-rules/index.mjs';
import { PROJECT_ROOT } from './support/project.js';

const module = await loadModule(path.join(PROJECT_ROOT, 'terraform'));
const FLYTE2_RESOURCES = [
  ['google_service_account', 'flyte2_tasks'],
  ['google_service_account_iam_member', 'flyte2_tasks_workload_identity'],
  ['google_storage_bucket_iam_member', 'flyte2_tasks_reader'],
  ['google_storage_bucket_iam_member', 'flyte2_tasks_writer']
] as const;

const v2 = flyteInputs({ 'flyte-version': '2', namespace: 'flyte', 'cluster-name': 'flyte-dev' });
const v1 = flyteInputs({ namespace: 'flyte', 'cluster-name': 'flyte-dev' });
/** The module's variables as the action writes them (action.tfvars.json), the rest defaults. */
const moduleVars = (inputs: Inputs) =>
  withDefaults(module, JSON.parse(terraformVarsJson(inputs)) as Record<string, unknown>);
const only = (inputs: Inputs, type: string, name: string) => {
  const all = everyInstance(module, moduleVars(inputs), type, name);
  expect(all).toHaveLength(1);
  return all[0]!.config as Record<string, any>;
};
const body = (type: string, name: string) =>
  module.resources.find((r) => r.type === type && r.name === name)!.body as Record<string, any>;

type Permission = 'get' | 'list' | 'create' | 'delete' | 'update';
/** The object permissions of each role (Google's predefined roles reference). */
const ROLE_PERMISSIONS: Record<string, readonly Permission[]> = {
  'roles/storage.objectViewer': ['get', 'list'],
  'roles/storage.objectUser': ['get', 'list', 'create', 'delete', 'update']
};
/** The module's CEL: `resource.name.startsWith("…")` terms, maybe negated, joined by &&. */
const holds = (expression: string, resourceName: string) =>
  expression.split(' && ').every((term) => {
    const m = /^(!?)resource\.name\.startsWith\("([^"\\]*)"\)$/.exec(term);
    if (!m) throw new Error(`the evaluator does not know ${term}`);
    return resourceName.startsWith(m[2]!) !== (m[1] === '!');
  });

describe('Flyte 2 task pods: their own Google account, bound to their namespace', () => {
  it('creates nothing for Flyte 1 (flyte2_task_namespace left null)', () => {
    expect(terraformVariables(v1)).not.toHaveProperty('flyte2_task_namespace');
    for (const [type, name] of FLYTE2_RESOURCES) {
      expect([name, everyInstance(module, moduleVars(v1), type, name)]).toEqual([name, []]);
    }
  });

  it("binds exactly the namespace's default service account the namespace step annotates", () => {
    const names = flyte2Names(v2);
    expect(terraformVariables(v2).flyte2_task_namespace).toBe(names.taskNamespace);
    const binding = only(v2, 'google_service_account_iam_member', 'flyte2_tasks_workload_identity');
    expect(binding.role).toBe('roles/iam.workloadIdentityUser');
    expect(binding.member).toBe(`serviceAccount:acme-flyte.svc.id.goog[flyte-tasks/default]`);
    // The tasks' account, not Flyte's (iam.tf binds Flyte's to the manager's KSA only).
    expect(body('google_service_account_iam_member', 'flyte2_tasks_workload_identity')).toEqual(
      expect.objectContaining({
        service_account_id: '${google_service_account.flyte2_tasks[0].name}'
      })
    );
    const account = only(v2, 'google_service_account', 'flyte2_tasks');
    expect(account.account_id).toBe('ftask-flyte-dev');

    // The output the action reads, and the namespace step's manifest built from it.
    const email = `${account.account_id}@acme-flyte.iam.gserviceaccount.com`;
    const required = tfOutputs();
    const json = JSON.stringify({
      ...Object.fromEntries(
        Object.entries(REQUIRED_OUTPUTS).map(([field, name]) => [
          name,
          { value: required[field as keyof typeof REQUIRED_OUTPUTS] }
        ])
      ),
      flyte2_tasks_service_account: { value: email }
    });
    const read = readOutputs(json, () => undefined);
    expect(read.kind).toBe('complete');
    const state = new RunState(false);
    state.tfOutputs = read.kind === 'complete' ? read.outputs : undefined;
    const step = taskNamespaceStep(v2, state);
    const [namespace, serviceAccount] = JSON.parse(step.stdin!).items;
    // serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA] names what the manifest creates.
    expect(
      `serviceAccount:acme-flyte.svc.id.goog[${namespace.metadata.name}/${serviceAccount.metadata.name}]`
    ).toBe(binding.member);
    expect(serviceAccount.metadata.namespace).toBe(namespace.metadata.name);
    expect(serviceAccount.metadata.annotations[WORKLOAD_IDENTITY_ANNOTATION]).toBe(email);
    expect(step.title).toContain(email);
  });

  it('output flyte2_tasks_service_account is that account', () => {
    const outputs = readFileSync(path.join(PROJECT_ROOT, 'terraform', 'outputs.tf'), 'utf8');
    expect(outputs).toMatch(
      /output "flyte2_tasks_service_account" \{[^}]*value\s*=\s*one\(google_service_account\.flyte2_tasks\[\*\]\.email\)/
    );
  });

  it('gives the account no role but its bucket grants (no signing, no project roles)', () => {
    const granting = module.resources.filter((r) =>
      JSON.stringify(r.body).includes('flyte2_tasks')
    );
    expect(granting.map((r) => `${r.type}.${r.name}`).sort()).toEqual(
      FLYTE2_RESOURCES.filter(([, n]) => n !== 'flyte2_tasks')
        .map(([t, n]) => `${t}.${n}`)
        .sort()
    );
    // The manager's account is bound to nothing in the task namespace.
    const flyteBinding = everyInstance(
      module,
      moduleVars(v2),
      'google_service_account_iam_member',
      'flyte_workload_identity'
    );
    expect(flyteBinding.map((b) => b.config.member)).toEqual([
      'serviceAccount:acme-flyte.svc.id.goog[flyte/flyte-backend-flyte-binary]'
    ]);
  });

  describe('what it may do to the bucket', () => {
    const bucket = only(v2, 'google_storage_bucket_iam_member', 'flyte2_tasks_reader');
    const grants = ['flyte2_tasks_reader', 'flyte2_tasks_writer'].map((name) => {
      const g = only(v2, 'google_storage_bucket_iam_member', name);
      return {
        role: String(g.role),
        expression: g.condition?.[0]?.expression as string | undefined
      };
    });
    const object = (name: string) =>
      `projects/_/buckets/acme-flyte-flyte-dev-flyte/objects/${name}`;
    const allowed = (permission: Permission, name: string) =>
      grants.some(
        (g) =>
          (ROLE_PERMISSIONS[g.role] ?? []).includes(permission) &&
          (g.expression === undefined || holds(g.expression, object(name)))
      );

    it('is the Flyte bucket', () => {
      expect(bucket.bucket).toBeDefined();
      expect(body('google_storage_bucket_iam_member', 'flyte2_tasks_writer').bucket).toBe(
        '${google_storage_bucket.data.name}'
      );
    });

    // Paths from the manager: the executor's ComputeActionOutputPath (SHARD/PROJECT/DOMAIN/RUN/
    // ACTION/ATTEMPT, raw data and checkpoints below it) and the runs service's inputs.
    it.each([
      'x7/flytesnacks/development/r1a2b3/a0/0/outputs.pb',
      'x7/flytesnacks/development/r1a2b3/a0/0/ab12cd/model.joblib',
      'q0/ml/production/r9/a3/1/_flytecheckpoints/state',
      'flytesnacks/development/r1a2b3/inputs/inputs.pb'
    ])('reads and writes run data %s', (name) => {
      for (const p of ['get', 'create', 'delete', 'update'] as const) {
        expect([p, allowed(p, name)]).toEqual([p, true]);
      }
    });

    // The data proxy's uploads (constructStoragePath, UploadInputs): written by the manager.
    it.each([
      'uploads/flytesnacks/development/NB2HI4DTHIXS6/fast3f1c.tar.gz',
      'uploads/flytesnacks/development/offloaded-inputs/9f2c/inputs.pb'
    ])('reads but cannot replace or delete the upload %s', (name) => {
      expect(allowed('get', name)).toBe(true);
      expect(allowed('create', name)).toBe(false);
      expect(allowed('delete', name)).toBe(false);
      expect(allowed('update', name)).toBe(false);
    });
  });

  describe("never the manager's account", () => {
    const MANAGER = tfOutputs().serviceAccount;

    it('refuses outputs that give the manager account as the tasks account', () => {
      expect(() => flyte2TasksAccount(tfOutputs({ flyte2TasksServiceAccount: MANAGER }))).toThrow(
        /manager's own Google account.*flyte2_tasks_service_account/
      );
      expect(() => flyte2TasksAccount(tfOutputs({ tasksServiceAccount: MANAGER }))).toThrow(
        /manager's own Google account/
      );
    });

    it('annotates nothing (no Google access) when Terraform gives no tasks account', () => {
      const state = new RunState(false);
      state.tfOutputs = tfOutputs();
      const step = taskNamespaceStep(v2, state);
      const serviceAccount = JSON.parse(step.stdin!).items[1];
      expect(serviceAccount.metadata.annotations).toBeUndefined();
      expect(step.stdin).not.toContain(MANAGER);
      expect(step.title).toContain('task pods get no Google access');
    });

    it('prefers the Flyte 2 account over a custom module’s shared tasks account', () => {
      const outputs = tfOutputs({
        flyte2TasksServiceAccount: 'ftask@acme-flyte.iam.gserviceaccount.com',
        tasksServiceAccount: 'shared@acme-flyte.iam.gserviceaccount.com'
      });
      expect(flyte2TasksAccount(outputs)).toBe('ftask@acme-flyte.iam.gserviceaccount.com');
    });
  });
});

const MIRROR = '/work/.mirror/flyteorg+flyte/repo';
(existsSync(MIRROR) ? describe : describe.skip)(
  'the uploads prefix, from the v2.0.42 chart',
  () => {
    it("is the chart's dataproxy.upload.storagePrefix, and the action's values keep it", () => {
      const chartValues = parse(
        execFileSync('git', ['-C', MIRROR, 'show', 'v2.0.42:charts/flyte-binary/values.yaml'], {
          encoding: 'utf8'
        })
      ) as any;
      const prefix = chartValues['flyte-core-components'].dataproxy.upload.storagePrefix as string;
      const writer = body('google_storage_bucket_iam_member', 'flyte2_tasks_writer');
      expect(JSON.stringify(writer)).toContain('local.flyte2_uploads_prefix');
      expect(module.locals.flyte2_uploads_prefix).toBe(`${prefix}/`);
      const ours = parse(
        readFileSync(path.join(PROJECT_ROOT, 'helm', 'flyte2-values.yaml'), 'utf8')
      ) as any;
      expect(ours?.['flyte-core-components']?.dataproxy?.upload?.storagePrefix).toBeUndefined();
    });
  }
);
