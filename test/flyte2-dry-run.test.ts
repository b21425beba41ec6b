/** The dry run of a Flyte 2 deploy through the bundled action: nothing executed, no network. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Harness, GITHUB_TOKEN } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const example = parse(
  readFileSync(path.join(PROJECT_ROOT, 'examples/inputs/dev.yml'), 'utf8')
) as Record<string, string>;
const SECRET = example['iap-oauth-client-secret'] as string;

describe('dry run with flyte-version 2', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'pull_request', oidc: true });
  });
  afterAll(async () => harness.close());

  it('prints the Flyte 2 runbook: task namespace, then the pinned v2 chart, no TLS proxy', async () => {
    const result = await harness.run({ ...example, 'flyte-version': '2', 'dry-run': 'true' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toEqual([]);
    expect(harness.trapRequests).toEqual([]);
    const commands = result.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('$ '))
      .map((l) => l.trim().slice(2));
    const upgrade = commands.findIndex(
      (c) =>
        c.startsWith('helm upgrade --install flyte-backend ') &&
        c.includes('flyte-binary-v2.0.42.tgz')
    );
    expect(upgrade).toBeGreaterThan(-1);
    const namespace = result.stdout.indexOf('Create namespace flyte-tasks for Flyte 2 task pods');
    expect(namespace).toBeGreaterThan(-1);
    // Its pods act as the module's Flyte 2 tasks account, never the manager's.
    expect(result.stdout).toContain(
      'Create namespace flyte-tasks for Flyte 2 task pods (its default service account acts as <flyte2_tasks_service_account>)'
    );
    // The NetworkPolicy comes with it, and the run says what it costs.
    expect(result.stdout).toContain(
      'task pods cannot reach the Flyte manager, so tasks cannot start child actions (tasks-reach-flyte-api: false)'
    );
    expect(namespace).toBeLessThan(
      result.stdout.indexOf('Install or upgrade flyte-backend (flyte-binary v2.0.42)')
    );
    expect(result.stdout).not.toMatch(/TLS proxy|tls-proxy/);
    // The v2 values, the password hidden.
    expect(result.stdout).toMatch(/storagePrefix: '?gs:\/\/<bucket_name>'?/);
    expect(result.stdout).toContain('claimsJwtHeader: X-Goog-Iap-Jwt-Assertion');
    expect(result.stdout).toMatch(/password: (['"])\*\*\*\1/);
    expect(result.stdout).not.toMatch(/^\s+clusterResourceTemplates:$/m);
    expect(harness.findLeaks([SECRET, GITHUB_TOKEN], [result])).toEqual([]);
  });

  it('refuses a Flyte 1 chart for Flyte 2 before anything runs', async () => {
    const result = await harness.run({
      ...example,
      'flyte-version': '2',
      'chart-version': 'v1.16.8',
      'dry-run': 'true'
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.calls).toEqual([]);
    expect(result.errors.join('\n')).toMatch(/chart-version.*not a Flyte 2 chart/);
  });
});
