/**
 * The preflight against a loopback Google project (test/support/google-project.ts): each check
 * reads the documented API through the action's own client, fails only for what would fail the
 * run later (with the fix), and reports what it could not read as not checked, going on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { googleApiFor } from '../src/gcp/client.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import { MODULE_SERVICES } from '../src/gcp/preflight-apis.js';
import { DEPLOYER_NEEDS } from '../src/gcp/preflight-permissions.js';
import type { PreflightResult } from '../src/gcp/preflight-result.js';
import { runPhases } from '../src/engine/runner.js';
import type { RecordedEvent } from '../src/engine/events.js';
import type { Inputs } from '../src/inputs.js';
import { planCommand } from '../src/planner.js';
import { preflightPhase, PREFLIGHT_PHASE } from '../src/phases/preflight.js';
import { renderRunbook } from '../src/engine/dry-run.js';
import { dryRunState } from '../src/engine/placeholders.js';
import { GoogleServer } from './support/google-server.js';
import { healthyProject, serveProject, type ProjectModel } from './support/google-project.js';
import { testContext, testInputs } from './support/task-context.js';
import { PROJECT_ROOT } from './support/project.js';

const DEPLOYER = 'deployer@acme-flyte.iam.gserviceaccount.com';
const WIF = 'projects/123456/locations/global/workloadIdentityPools/github/providers/repo';

let google: GoogleServer;
let project: ProjectModel;
let api: GoogleApi;

beforeAll(async () => {
  google = await new GoogleServer().start();
  serveProject(google, () => project);
  const { file, env } = google.credentials(DEPLOYER);
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());
beforeEach(() => {
  project = healthyProject('acme-flyte');
});

const deployInputs = (extra: Record<string, string> = {}) =>
  testInputs({
    'workload-identity-provider': WIF,
    'service-account': DEPLOYER,
    ...extra
  });

/** Runs the preflight phase as the engine does; the results, the failure and the event record. */
async function preflight(inputs: Inputs, client: GoogleApi | null = api) {
  const ctx = testContext({ inputs, ...(client ? { google: client } : {}) });
  const events: RecordedEvent[] = [];
  const failure = await runPhases([preflightPhase(inputs)], {
    ctx,
    secrets: () => [],
    events: (e) => events.push(e)
  }).then(
    () => undefined,
    (error: Error) => error
  );
  const by = (id: string) => ctx.state.preflight.find((r) => r.check === id) as PreflightResult;
  return { results: ctx.state.preflight, by, failure, events, log: ctx.log.lines };
}

describe('preflight on a healthy project', () => {
  it('passes every check, says so, and changes nothing', async () => {
    const gpu = deployInputs({ autopilot: 'false', 'gpu-accelerator-type': 'nvidia-l4' });
    const run = await preflight(gpu);
    expect(run.failure).toBeUndefined();
    expect(run.results.map((r) => [r.check, r.status])).toEqual([
      ['preflight-permissions', 'pass'],
      ['preflight-apis', 'pass'],
      ['preflight-org-policies', 'pass'],
      ['preflight-gpu-quota', 'pass']
    ]);
    expect(run.log.at(-1)).toBe('Preflight passed: 4 check(s) passed.');
    expect(run.events.filter((e) => e.kind === 'step-start' && e.mutates)).toEqual([]);
    // Only reads, and testIamPermissions within Google's 100 per call.
    for (const call of google.calls.filter((c) => c.path.endsWith(':testIamPermissions')))
      expect((call.body as { permissions: string[] }).permissions.length).toBeLessThanOrEqual(100);
  });

  it('runs the checks at the same time: every read is issued before the first check reports', async () => {
    const before = google.calls.length;
    const ctx = testContext({ inputs: deployInputs(), google: api });
    const steps = preflightPhase(ctx.inputs).steps(ctx.state);
    const first = steps[0]!;
    if (first.kind !== 'task') throw new Error('a task step');
    await first.run(ctx);
    const services = new Set(google.calls.slice(before).map((c) => c.service));
    expect([...services].sort()).toEqual(['cloudresourcemanager', 'orgpolicy', 'serviceusage']);
  });
});

describe('preflight failures name the missing thing and its fix', () => {
  it('a missing permission: the role that grants it and the grant command', async () => {
    project.held = new Set(['container.clusters.get']);
    const run = await preflight(deployInputs());
    expect(run.by('preflight-permissions').status).toBe('fail');
    expect(run.failure?.message).toContain('container.clusters.create');
    expect(run.failure?.message).toContain(
      `gcloud projects add-iam-policy-binding acme-flyte --member serviceAccount:${DEPLOYER} --role roles/container.admin --condition None`
    );
    expect(run.failure?.message).toMatch(/Preflight found \d problem\(s\) before any change/);
  });

  it('the planner on the state bucket only: asks the bucket, and names the bucket binding', async () => {
    project.held = 'all';
    project.buckets = { 'acme-flyte-flyte-tfstate': new Set(['storage.objects.list']) };
    const run = await preflight(testInputs({ command: 'plan', 'workload-identity-provider': WIF }));
    expect(run.by('preflight-permissions').found).toContain('storage.objects.get');
    expect(run.failure?.message).toContain(
      "gcloud storage buckets add-iam-policy-binding gs://acme-flyte-flyte-tfstate --member MEMBER (the job's federated principal) --role roles/storage.objectViewer"
    );
  });

  it('the planner before the state bucket exists: those two are not asked, the rest is', async () => {
    const run = await preflight(testInputs({ command: 'plan', 'workload-identity-provider': WIF }));
    expect(run.by('preflight-permissions').status).toBe('pass');
    expect(run.by('preflight-permissions').found).toContain('Not checked: storage.objects.get');
  });

  it('Service Usage off: the module cannot enable it, so the run stops with the enable command', async () => {
    project.enabled.delete('serviceusage.googleapis.com');
    const run = await preflight(deployInputs());
    expect(run.by('preflight-apis').status).toBe('fail');
    expect(run.failure?.message).toContain(
      'gcloud services enable serviceusage.googleapis.com --project acme-flyte'
    );
  });

  it('Cloud Resource Manager off: both the permission and the API check say to enable it', async () => {
    project.enabled.delete('cloudresourcemanager.googleapis.com');
    const run = await preflight(deployInputs());
    expect(run.by('preflight-permissions').status).toBe('fail');
    expect(run.by('preflight-apis').status).toBe('fail');
    expect(run.failure?.message).toContain(
      'gcloud services enable cloudresourcemanager.googleapis.com --project acme-flyte'
    );
  });

  it('an API the module enables is off: passes, saying the deploy (or the plan’s deploy) enables it', async () => {
    project.enabled.delete('container.googleapis.com');
    project.enabled.delete('sqladmin.googleapis.com');
    const run = await preflight(deployInputs());
    expect(run.failure).toBeUndefined();
    expect(run.by('preflight-apis').found).toBe(
      '2 of the APIs the module needs are off, and this deploy enables them (google_project_service): container.googleapis.com, sqladmin.googleapis.com.'
    );
  });

  it('an organisation policy refusing external IPs on VMs, while nodes get external IPs', async () => {
    project.policies['compute.vmExternalIpAccess'] = [{ denyAll: true }];
    const run = await preflight(deployInputs({ 'private-nodes': 'false' }));
    expect(run.by('preflight-org-policies').status).toBe('fail');
    expect(run.failure?.message).toContain('constraints/compute.vmExternalIpAccess');
    expect(run.failure?.message).toContain('private-nodes: true');
    expect(run.failure?.message).toContain(
      'gcloud org-policies set-policy POLICY.yaml with name: projects/acme-flyte/policies/compute.vmExternalIpAccess'
    );
    // The same policy and private nodes (the default) go together.
    const privateNodes = await preflight(deployInputs());
    expect(privateNodes.by('preflight-org-policies').status).toBe('pass');
    expect(privateNodes.by('preflight-org-policies').found).toContain(
      'nodes have no external IPs (private nodes)'
    );
  });

  it.each([
    [
      ['in:europe-west4-locations'],
      'fail',
      /allows only in:europe-west4-locations, not us-central1/
    ],
    [['in:us-locations'], 'pass', /allows us-central1 \(in:us-locations\)/],
    [['in:us-central1-locations'], 'pass', /allows us-central1/],
    [['in:eu-locations'], 'not-checked', /whether in:eu-locations holds us-central1 is not known/]
  ] as const)('resource locations %j: %s', async (values, status, says) => {
    project.policies['gcp.resourceLocations'] = [{ values: { allowedValues: [...values] } }];
    const run = await preflight(deployInputs());
    expect(run.by('preflight-org-policies').status).toBe(status);
    expect(run.by('preflight-org-policies').found).toMatch(says);
  });

  it('enforced restrictPublicIp and requireShieldedVm fit the module: pass, saying why', async () => {
    project.policies['sql.restrictPublicIp'] = [{ enforce: true }];
    project.policies['compute.requireShieldedVm'] = [{ enforce: true }];
    const run = await preflight(deployInputs());
    expect(run.by('preflight-org-policies').status).toBe('pass');
    expect(run.by('preflight-org-policies').found).toContain(
      'constraints/sql.restrictPublicIp: enforced; the database has a private IP only'
    );
  });

  it('zero GPU quota in the region: fails with the quota page', async () => {
    project.regions['us-central1'] = [{ metric: 'NVIDIA_L4_GPUS', limit: 0, usage: 0 }];
    const run = await preflight(
      deployInputs({ autopilot: 'false', 'gpu-accelerator-type': 'nvidia-l4' })
    );
    expect(run.by('preflight-gpu-quota').status).toBe('fail');
    expect(run.failure?.message).toContain('NVIDIA_L4_GPUS in us-central1 is 0');
    expect(run.failure?.message).toContain(
      'https://console.cloud.google.com/iam-admin/quotas?project=acme-flyte'
    );
  });

  it('GPUS_ALL_REGIONS at 0 (new projects): fails too; a pool of 2 × 4 GPUs needs 8', async () => {
    project.projectQuotas = [{ metric: 'GPUS_ALL_REGIONS', limit: 4, usage: 0 }];
    const run = await preflight(
      deployInputs({
        autopilot: 'false',
        'gpu-accelerator-type': 'nvidia-l4',
        'gpu-accelerator-count': '4',
        'gpu-min-nodes': '2'
      })
    );
    expect(run.by('preflight-gpu-quota').found).toBe(
      'The GPU pool needs 8 nvidia-l4 GPU(s) (2 node(s) × 4), but GPUS_ALL_REGIONS is 4.'
    );
  });

  it('reports every failure at once, not only the first', async () => {
    project.held = new Set(['orgpolicy.policy.get']);
    project.policies['compute.vmExternalIpAccess'] = [{ denyAll: true }];
    project.enabled.delete('serviceusage.googleapis.com');
    const run = await preflight(deployInputs({ 'private-nodes': 'false' }));
    expect(run.failure?.message).toMatch(/Preflight found 3 problem\(s\)/);
  });
});

describe('what the preflight cannot read does not fail the run', () => {
  it('no orgpolicy.policy.get: the policies are not checked, said so, and the run goes on', async () => {
    project.held = new Set([...healthyHeld(), 'serviceusage.services.list']);
    const run = await preflight(deployInputs());
    expect(run.failure).toBeUndefined();
    expect(run.by('preflight-org-policies').status).toBe('not-checked');
    expect(run.by('preflight-org-policies').found).toContain('orgpolicy.policy.get');
    expect(
      run.log.some((l) => l.startsWith('warning: Preflight not checked: organisation policies'))
    ).toBe(true);
  });

  it('no Google client at all (credentials it cannot read): every check is not checked', async () => {
    const broken: GoogleApi = {
      accessToken: async () => 'x',
      request: async () => {
        throw new Error('fetch failed');
      }
    };
    const run = await preflight(deployInputs(), broken);
    expect(run.failure).toBeUndefined();
    expect(run.results.map((r) => r.status)).toEqual(['not-checked', 'not-checked', 'not-checked']);
    expect((await preflight(deployInputs(), null)).results[0]!.found).toContain(
      'Could not make a Google API client'
    );
  });

  it('pages through more than 200 enabled services', async () => {
    for (let i = 0; i < 230; i++) project.enabled.add(`other${i}.googleapis.com`);
    const before = google.calls.length;
    const run = await preflight(deployInputs());
    expect(run.by('preflight-apis').status).toBe('pass');
    const lists = google.calls.slice(before).filter((c) => c.service === 'serviceusage');
    expect(lists.map((c) => c.query.get('pageToken'))).toEqual([null, '200']);
  });
});

/** Every permission deploy needs, and the quota reads, but not the org policy read. */
const healthyHeld = (): string[] => [
  ...DEPLOYER_NEEDS.map((n) => n.permission),
  'compute.regions.get',
  'compute.projects.get'
];

describe('the preflight in the plan of each command', () => {
  const names = (inputs: Inputs) => planCommand(inputs).map((p) => p.name);

  it('deploy and plan: after authentication, before the state bucket and Terraform', () => {
    for (const command of ['deploy', 'plan']) {
      const phases = names(testInputs({ command }));
      const at = phases.indexOf(PREFLIGHT_PHASE);
      expect(phases[at - 1]).toBe('Authenticate to Google Cloud');
      expect(at).toBeLessThan(phases.findIndex((n) => /state|Terraform/i.test(n)));
    }
    for (const command of ['upgrade', 'drift'])
      expect(names(testInputs({ command }))).not.toContain(PREFLIGHT_PHASE);
  });

  it('the runbook shows each check with what it reads', () => {
    const inputs = deployInputs({ autopilot: 'false', 'gpu-accelerator-type': 'nvidia-tesla-t4' });
    const runbook = renderRunbook([preflightPhase(inputs)], dryRunState(inputs), []);
    expect(runbook).toContain(
      'POST cloudresourcemanager.googleapis.com/v1/projects/acme-flyte:testIamPermissions'
    );
    expect(runbook).toContain(
      'GET serviceusage.googleapis.com/v1/projects/acme-flyte/services?filter=state:ENABLED'
    );
    expect(runbook).toContain('policies/compute.vmExternalIpAccess:getEffectivePolicy');
    expect(runbook).toContain('(quota NVIDIA_T4_GPUS)');
    expect(runbook).toContain('Preflight: stop before any change if a check failed');
  });

  it('knows the APIs terraform/apis.tf enables', () => {
    const hcl = readFileSync(path.join(PROJECT_ROOT, 'terraform', 'apis.tf'), 'utf8');
    const base = /base_services = \[([^\]]+)\]/.exec(hcl)![1]!;
    expect([...base.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual([...MODULE_SERVICES]);
    expect(hcl).toContain('var.iap ? ["iap.googleapis.com"]');
  });
});
