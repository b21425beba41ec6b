/**
 * A Flyte 2 deploy through the bundled action (dist/main) with the stand-in gcloud, terraform,
 * helm and kubectl: the module is given the task namespace, and that namespace's default service
 * account is annotated with the module's Flyte 2 tasks account, not the manager's.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { INDEXED_CHART_VERSIONS, publishChartRepo } from './support/chart-repo.js';
import { WIF } from './support/e2e-jobs.js';
import { Harness } from './support/harness.js';

const INPUTS = {
  command: 'deploy',
  'flyte-version': '2',
  'project-id': 'acme-flyte-e2e',
  'cluster-name': 'flyte-e2e',
  'workload-identity-provider': WIF,
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};

describe('Flyte 2 deploy: task pods act as their own Google account', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    // The repository's index as it is today: the v2 chart beside the 1.x ones.
    publishChartRepo(harness.upstream, { versions: [...INDEXED_CHART_VERSIONS, 'v2.0.42'] });
    harness.setWorld((w) => {
      w.terraform = { password: 'pg-flyte2-canary-Hk2mQ9' };
    });
  });
  afterAll(async () => harness.close());

  it('passes flyte2_task_namespace and annotates the namespace with flyte2_tasks_service_account', async () => {
    const result = await harness.run(INPUTS);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    // The stand-in terraform gives flyte2_tasks_service_account only when the action passed
    // flyte2_task_namespace (test/support/standins/terraform.mjs, as flyte2-tasks.tf does).
    const apply = result.calls.find(
      (c) => c.tool === 'kubectl' && c.stdin.includes('"name":"flyte-tasks"')
    );
    expect(apply).toBeDefined();
    const serviceAccount = JSON.parse(apply!.stdin).items.find(
      (i: { kind: string }) => i.kind === 'ServiceAccount'
    );
    expect(serviceAccount.metadata.annotations['iam.gke.io/gcp-service-account']).toBe(
      'ftask-flyte-e2e@acme-flyte-e2e.iam.gserviceaccount.com'
    );
    expect(apply!.stdin).not.toContain(result.outputs['service-account']);
    // The namespace's NetworkPolicy in the same apply.
    const policy = JSON.parse(apply!.stdin).items.find(
      (i: { kind: string }) => i.kind === 'NetworkPolicy'
    );
    expect(policy.metadata.namespace).toBe('flyte-tasks');
  });
});
