/**
 * Terraform through the bundled action (dist/main) with the stand-in terraform and gcloud: a
 * first deploy creates the state bucket and applies the saved plan, a second one applies
 * nothing, a held lock names its holder, and the database password never leaks (plan files
 * and state: test/database-secret-e2e.test.ts).
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Harness, type StepResult } from './support/harness.js';

const PASSWORD = 'pg-e2e-canary-Zx81qLmN0pQr';
const INPUTS = {
  command: 'deploy',
  'project-id': 'acme-flyte-e2e',
  'cluster-name': 'flyte-e2e',
  'workload-identity-provider':
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo',
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};

/** One job: the main step, then its post step, as the runner runs them. */
async function job(harness: Harness, steps: StepResult[]): Promise<StepResult> {
  const result = await harness.run(INPUTS);
  steps.push(result, await harness.runPost());
  return result;
}

const terraformSubcommands = (result: StepResult) =>
  result.calls.filter((c) => c.tool === 'terraform').map((c) => c.args[0]);

/** buckets.get and buckets.insert, not the state-lock step's object calls (storage/v1/b/B/o/…). */
const isBucketCall = (path: string) => /^\/storage\/v1\/b(\/[^/]+)?$/.test(path);

describe('terraform through the bundled action', () => {
  let harness: Harness;
  const steps: StepResult[] = [];
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    harness.setWorld((w) => {
      w.terraform = { password: PASSWORD };
    });
  });
  afterAll(async () => harness.close());

  it('first deploy: creates the state bucket, applies exactly the saved plan, sets outputs', async () => {
    const result = await job(harness, steps);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    // The action creates the bucket itself (Storage JSON API), versioned and locked down.
    expect(
      harness.google.calls
        .filter((c) => c.service === 'storage' && isBucketCall(c.path))
        .map((c) => c.method)
    ).toEqual(['GET', 'POST']);
    expect(harness.world().gcloud.buckets['acme-flyte-e2e-flyte-tfstate']).toMatchObject({
      versioning: true,
      uniform: true,
      pap: 'enforced'
    });
    const plan = result.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'plan');
    const planFile = plan?.args.find((a) => a.startsWith('-out='))?.slice('-out='.length);
    expect(planFile).toBeDefined();
    const apply = result.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'apply');
    expect(apply?.args.at(-1)).toBe(planFile);
    expect(result.outputs['plan-has-changes']).toBe('true');
    expect(result.outputs['bucket-name']).toBe('acme-flyte-e2e-flyte-e2e-flyte');
    expect(result.outputs['service-account']).toMatch(
      /@acme-flyte-e2e\.iam\.gserviceaccount\.com$/
    );
  });

  it('second deploy with nothing changed applies nothing and leaves the bucket alone', async () => {
    const bucketInserts = () =>
      harness.google.calls.filter(
        (c) => c.service === 'storage' && c.method === 'POST' && isBucketCall(c.path)
      ).length;
    const posts = bucketInserts();
    const result = await job(harness, steps);
    expect(result.exitCode).toBe(0);
    expect(terraformSubcommands(result)).not.toContain('apply');
    expect(result.outputs['plan-has-changes']).toBe('false');
    expect(bucketInserts()).toBe(posts);
  });

  it('a held state lock fails with who holds it and how to release it', async () => {
    harness.setWorld((w) => {
      w.terraform.lock = { id: '1700000000123456', who: 'deployer@ci-runner-7' };
      w.terraform.applied = 'changed-elsewhere';
    });
    const result = await job(harness, steps);
    expect(result.exitCode).not.toBe(0);
    const message = result.errors.join('\n');
    expect(message).toContain('locked by deployer@ci-runner-7');
    expect(message).toContain('terraform force-unlock -force 1700000000123456');
    expect(terraformSubcommands(result)).not.toContain('apply');
  });

  it('a custom module that declares only the variables it reads works (no -var it lacks)', async () => {
    harness.setWorld((w) => {
      delete w.terraform.lock;
    });
    // A module of the user's own, declaring 3 of the action's variables.
    const dir = 'infra/flyte';
    harness.writeWorkspaceFile(
      `${dir}/main.tf`,
      [
        'variable "project_id" {}',
        'variable "region" {}',
        'variable "cluster_name" {}',
        'resource "google_storage_bucket" "data" {',
        '  name     = "${var.project_id}-${var.cluster_name}"',
        '  location = var.region',
        '}',
        ''
      ].join('\n')
    );
    const result = await harness.run({ ...INPUTS, 'terraform-dir': dir });
    steps.push(result, await harness.runPost());
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const plan = result.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'plan');
    expect(plan?.args.filter((a) => a.startsWith('-var='))).toEqual([]);
    expect(plan?.args).toEqual(
      expect.arrayContaining([expect.stringMatching(/^-var-file=.*action\.tfvars\.json$/)])
    );
  });

  it('never shows the database password anywhere, and leaves no file holding it', async () => {
    // The jobs above ran (main and post each); run alone, this check has nothing to see.
    expect(steps.length).toBeGreaterThanOrEqual(8);
    expect(harness.findLeaks([PASSWORD], steps)).toEqual([]);
  });
});
