/**
 * The preflight through the bundled action (dist/main) against the loopback Google: a missing
 * permission, an API the module cannot enable, an organisation policy refusing external IPs and
 * zero GPU quota each fail before any changing step (the engine's event record) with the fix in
 * the error and a FAIL line in the summary; a healthy project passes and the deploy goes on.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Harness } from './support/harness.js';
import { healthyProject, type ProjectModel } from './support/google-project.js';
import { isChangingCall } from './support/changing.js';
import { eventsOf } from './support/engine-order.js';
import { DEPLOYER_NEEDS } from '../src/gcp/preflight-permissions.js';

const DEPLOYER = 'deployer@acme-flyte-e2e.iam.gserviceaccount.com';
const INPUTS = {
  command: 'deploy',
  'project-id': 'acme-flyte-e2e',
  'cluster-name': 'flyte-pre',
  'workload-identity-provider':
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo',
  'service-account': DEPLOYER,
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};
const GPU = { autopilot: 'false', 'gpu-accelerator-type': 'nvidia-l4' };

describe('preflight through the bundled action', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    harness.setWorld((w) => {
      w.terraform = { password: 'pg-preflight-canary-7Qw2' };
    });
  });
  afterAll(async () => harness.close());

  it.each<[string, (p: ProjectModel) => void, Record<string, string>, string]>([
    [
      'a missing permission',
      (p) => {
        p.held = new Set(
          DEPLOYER_NEEDS.map((n) => n.permission).filter((x) => x !== 'cloudsql.instances.create')
        );
      },
      {},
      `gcloud projects add-iam-policy-binding acme-flyte-e2e --member serviceAccount:${DEPLOYER} --role roles/cloudsql.admin`
    ],
    [
      'the Service Usage API off',
      (p) => p.enabled.delete('serviceusage.googleapis.com'),
      {},
      'gcloud services enable serviceusage.googleapis.com --project acme-flyte-e2e'
    ],
    [
      'an organisation policy refusing external IPs',
      (p) => {
        p.policies['compute.vmExternalIpAccess'] = [{ denyAll: true }];
      },
      { 'private-nodes': 'false' },
      'constraints/compute.vmExternalIpAccess: Give the nodes no external IPs (private-nodes: true, the default)'
    ],
    [
      'zero GPU quota',
      (p) => {
        p.regions['us-central1'] = [{ metric: 'NVIDIA_L4_GPUS', limit: 0, usage: 0 }];
      },
      GPU,
      'Request a quota increase for NVIDIA_L4_GPUS (at least 1): https://console.cloud.google.com/iam-admin/quotas?project=acme-flyte-e2e'
    ]
  ])('%s: fails before any changing step, with the fix', async (_name, stage, extra, fix) => {
    harness.project = healthyProject('acme-flyte-e2e');
    stage(harness.project);
    const result = await harness.run({ ...INPUTS, ...extra });
    await harness.runPost();
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('Preflight found 1 problem(s) before any change was made');
    expect(result.errors[0]).toContain(fix);
    // Nothing changing ran, nor any Terraform but the tools phase's version check: the state
    // bucket step and terraform init come after the preflight.
    expect(eventsOf(result.events, 'step-start').filter((e) => e.mutates)).toEqual([]);
    expect(result.calls.filter(isChangingCall)).toEqual([]);
    expect(result.calls.filter((c) => c.tool === 'terraform').map((c) => c.args.join(' '))).toEqual(
      ['version -json']
    );
    expect(result.summary).toContain('### Preflight');
    expect(result.summary).toContain('❌ FAIL');
  });

  it('a healthy project: every check passes, said in the summary, and the deploy goes on', async () => {
    harness.project = healthyProject('acme-flyte-e2e');
    const result = await harness.run({ ...INPUTS, ...GPU });
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Preflight passed: 4 check(s) passed.');
    for (const subject of ["the deployer's permissions", 'APIs', 'organisation policies'])
      expect(result.summary).toContain(`✅ pass: **${subject}**`);
    // The preflight ended before the first changing step started.
    const verdict = eventsOf(result.events, 'step-end').find(
      (e) => e.step === 'preflight-verdict'
    )!;
    const firstChange = eventsOf(result.events, 'step-start').find((e) => e.mutates)!;
    expect(verdict.seq).toBeLessThan(firstChange.seq);
    // The action's calls carried the impersonated deployer's token, never the federated one.
    expect(harness.google.impersonations).toBeGreaterThan(0);
    expect(new Set(harness.google.calls.map((c) => c.authorization))).toEqual(
      new Set(['Bearer ya29.service-account-token'])
    );
  });
});
