/**
 * The bundled action (dist/main, dist/post) on "GitHub-hosted runners": each job starts with an
 * empty tool cache at the same path and reaches the loopback cache service (support/cache-server.ts)
 * through the variables the runner gives an action. The stand-in terraform installs providers as
 * terraform does (from the CLI configuration's filesystem mirror, checked against the lock file),
 * so this shows the provider zips and the chart coming back from the Actions cache with nothing
 * downloaded (the loopback registry counts every request), and what the saved archives hold after a deploy whose auth wrote
 * a credentials file, a kubeconfig and the database password. The tools are 'system' here
 * (the stand-ins); hosted-cache.test.ts restores the tool archives.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GITHUB_TOKEN, Harness, OIDC_TOKEN, type StepResult } from './support/harness.js';
import { CacheServer } from './support/cache-server.js';
import {
  ALL_PROVIDER_FETCHES,
  copyModuleForStandins,
  providerFetches
} from './support/provider-registry.js';

jest.setTimeout(240_000);

const PASSWORD = 'pg-canary-hosted-cache-W3nB8';
const OIDC_REQUEST_TOKEN = 'harness-oidc-request-token';
const INPUTS = {
  'project-id': 'acme-flyte-hosted',
  'cluster-name': 'flyte-hosted',
  'workload-identity-provider':
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme',
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};

let harness: Harness;
let cache: CacheServer;
const hosted = () => ({ env: { ...cache.env(), RUNNER_ENVIRONMENT: 'github-hosted' } });

/** A job on a fresh hosted runner: empty tool cache, then the main step and the post step. */
async function hostedJob(): Promise<{
  main: StepResult;
  post: StepResult;
  before: number;
  sent: number;
}> {
  rmSync(harness.toolCache, { recursive: true, force: true });
  const before = harness.upstream.requests.length;
  const main = await harness.run(INPUTS, hosted());
  const post = await harness.runPost(INPUTS, hosted());
  return { main, post, before, sent: harness.upstream.requests.length - before };
}

let cold: Awaited<ReturnType<typeof hostedJob>>;
let warm: Awaited<ReturnType<typeof hostedJob>>;
const providerRequests = (job: { before: number; sent: number }) =>
  harness.upstream.requests
    .slice(job.before, job.before + job.sent)
    .filter((r) => r.path.includes('/v1/providers/') || r.path.includes('terraform-provider-'));

beforeAll(async () => {
  cache = await CacheServer.start();
  harness = await Harness.create({ oidc: true });
  harness.setWorld((w) => {
    w.terraform = { password: PASSWORD };
  });
  // 1. The module's lock file has zh: hashes only, as the shipped one: everything is downloaded,
  // the provider zips checked against those hashes, and all of it saved.
  cold = await hostedJob();
  // init added h1: lines to the checkout; the next job checks the committed file out again.
  copyModuleForStandins(harness.moduleDir);
  // 2. Everything comes from the Actions cache.
  warm = await hostedJob();
});

afterAll(async () => {
  await harness.close();
  await cache.close();
});

describe('the bundled action on GitHub-hosted runners', () => {
  it('each job succeeds and its post step saves without a warning', () => {
    for (const job of [cold, warm]) {
      expect(job.main.errors).toEqual([]);
      expect(job.post.errors).toEqual([]);
      expect(job.post.warnings).toEqual([]);
    }
    expect(cold.post.stdout).toMatch(/chart v1\.16\.8: saved to the Actions cache/);
    expect(cold.post.stdout).toMatch(
      /providers: saved to the Actions cache \(flyte-gke-v1-providers-linux_amd64-[0-9a-f]{16}\)/
    );
    expect(providerFetches(providerRequests(cold))).toEqual(ALL_PROVIDER_FETCHES);
  });

  it('the second job downloads nothing: providers and chart come back from the Actions cache', () => {
    expect(cold.sent).toBeGreaterThan(0);
    expect(warm.sent).toBe(0);
    expect(providerRequests(warm)).toEqual([]);
    expect(warm.main.stdout).toContain('providers: restored from the Actions cache');
    expect(warm.main.stdout).toContain('- Installed hashicorp/google v6.50.0 (unauthenticated)');
    expect(warm.main.stdout).toMatch(/flyte-binary v1\.16\.8: from the tool cache/);
    // Nothing new: no upload at all.
    expect(warm.post.stdout).not.toContain('saved to the Actions cache');
  });

  it('no saved archive holds the credentials file, a token or the database password', () => {
    const credentials = Object.values(cold.main.exportedEnv).find(
      (v) => v.endsWith('.json') && v.includes('runner-temp')
    );
    const secrets = [
      PASSWORD,
      OIDC_TOKEN,
      GITHUB_TOKEN,
      OIDC_REQUEST_TOKEN,
      cache.token,
      'external_account'
    ];
    const dir = mkdtempSync(path.join(tmpdir(), 'hosted-saved-'));
    const saved = cache.entries.filter((e) => e.finalized);
    expect(saved.map((e) => e.key).sort()).toEqual([
      expect.stringMatching(/^flyte-gke-v1-chart-flyte-binary-v1\.16\.8-/),
      // The other tools are 'system' here; kubectl is installed from the upstream mirror.
      expect.stringMatching(/^flyte-gke-v1-kubectl-1\.36\.1-linux-x64-/),
      expect.stringMatching(/^flyte-gke-v1-providers-linux_amd64-/)
    ]);
    for (const entry of saved) {
      const file = path.join(dir, `${entry.id}.tgz`);
      writeFileSync(file, entry.blob!);
      const names = execFileSync('tar', ['-tzf', file, '-P']).toString().trim().split('\n');
      for (const name of names)
        expect(path.resolve(harness.workspace, name)).toMatch(new RegExp(`^${harness.toolCache}/`));
      if (credentials) expect(names.join('\n')).not.toContain(path.basename(credentials));
      const text = execFileSync('tar', ['-xzOf', file, '-P']).toString('latin1');
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});
