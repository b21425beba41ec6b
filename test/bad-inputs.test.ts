/**
 * The bad-input corpus, run through the bundled action as a runner would: each case must fail with
 * one error that names the input, and must run no tool and make no network call.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Harness } from './support/harness.js';

import { BAD_INPUTS, BASE } from './support/bad-inputs.js';

describe('bad inputs fail before any tool or network call', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ oidc: true });
  });
  afterAll(async () => harness.close());

  it('covers every validated input', () => {
    const covered = new Set(BAD_INPUTS.map((c) => c.input));
    for (const input of [
      'command',
      'project-id',
      'region',
      'cluster-name',
      'autopilot',
      'gpu-accelerator-type',
      'gpu-accelerator-count',
      'gpu-min-nodes',
      'gpu-max-nodes',
      'node-machine-type',
      'gpu-machine-type',
      'deletion-protection',
      'workload-identity-provider',
      'service-account',
      'state-bucket',
      'state-prefix',
      'terraform-dir',
      'terraform-var-file',
      'values-file',
      'extra-values-files',
      'chart-version',
      'flyte-version',
      'release-name',
      'namespace',
      'flyte-projects',
      'ingress',
      'domain',
      'static-ip-name',
      'iap',
      'iap-oauth-client-id',
      'iap-oauth-client-secret',
      'iap-members',
      'gcloud-version',
      'terraform-version',
      'helm-version',
      'kubectl-version',
      'install-gcloud',
      'tool-mirror',
      'comment-on-pr',
      'dry-run',
      'fail-on-drift',
      'timeout',
      'confirm-destroy'
    ]) {
      expect({ input, covered: covered.has(input) }).toEqual({ input, covered: true });
    }
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const result = await harness.run({ ...BASE, ...c.inputs });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(new RegExp(`^Input '${c.input}': `));
    expect(result.errors[0]).toMatch(c.says);
    expect(result.calls).toEqual([]);
    expect(harness.trapRequests).toEqual([]);
    expect(existsSync(path.join('/tmp', 'flyte-gke-pwned'))).toBe(false);
    expect(result.errors[0]).not.toContain('GOCSPX-bad-input-canary');
  });
});
