/**
 * The stand-in terraform refuses what the real provider refuses: the bundled action's plan fails
 * on a ConflictsWith pair in the module (today's enable_shielded_nodes beside Autopilot), with the
 * provider's message, and nothing is applied. Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Harness } from './support/harness.js';

const INPUTS = {
  command: 'deploy',
  'project-id': 'acme-flyte-rules',
  'cluster-name': 'flyte-rules',
  'workload-identity-provider':
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo',
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};

describe('the provider rules in the stand-in terraform', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
  });
  afterAll(async () => harness.close());

  it('fails the plan of an Autopilot cluster that also sets enable_shielded_nodes', async () => {
    const file = path.join(harness.moduleDir, 'cluster.tf');
    const fixed = readFileSync(file, 'utf8');
    const line = 'enable_shielded_nodes = var.autopilot_cluster ? null : true';
    expect(fixed).toContain(line);
    writeFileSync(file, fixed.replace(line, 'enable_shielded_nodes = true'));
    const result = await harness.run(INPUTS);
    await harness.runPost();
    expect(result.exitCode).not.toBe(0);
    const said = [result.stdout, result.stderr, ...result.errors].join('\n');
    expect(said).toContain('Conflicting configuration arguments');
    expect(said).toContain('"enable_shielded_nodes": conflicts with enable_autopilot');
    const terraform = result.calls.filter((c) => c.tool === 'terraform').map((c) => c.args[0]);
    expect(terraform).toContain('plan');
    expect(terraform).not.toContain('apply');

    // The same module with the fix plans and applies.
    writeFileSync(file, fixed);
    const again = await harness.run(INPUTS);
    await harness.runPost();
    expect(again.errors).toEqual([]);
    expect(again.exitCode).toBe(0);
  });
});
