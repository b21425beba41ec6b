/**
 * The plan comment as a reviewer reads it, through the bundled action: a deployment is applied,
 * then pull requests change an input. The stand-in terraform plans from the module's own HCL (an
 * argument that follows a changed variable changes; `name` and `location` force a replacement),
 * so the comment's headline and attribute lines come from what `terraform show -json` says.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  jobInputs,
  runJob,
  PR_NUMBER,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { Harness } from './support/harness.js';
import type { Mirror } from './support/mirror.js';

describe('the plan comment of a change to a deployed cluster', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let base: Record<string, string>;
  let deployed: Record<string, unknown>;
  const harnesses: Harness[] = [];

  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    base = jobInputs(mirror);
    const push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    harnesses.push(push);
    withStateBucket(push);
    const { main } = await runJob(push, { ...base, command: 'deploy', 'comment-on-pr': 'false' });
    expect(main.errors).toEqual([]);
    deployed = push.world();
  });
  afterAll(async () => {
    await Promise.all([...harnesses.map((h) => h.close()), github.stop(), mirror.close()]);
  });

  /** A plan on the pull request against the deployed state, with `change` applied to the inputs. */
  async function planComment(cluster: string, change: Record<string, string>): Promise<string> {
    const pr = await Harness.create({
      event: 'pull_request',
      oidc: true,
      githubApiUrl: github.url
    });
    harnesses.push(pr);
    pr.setWorld((w) => Object.assign(w, structuredClone(deployed)));
    const { main } = await runJob(pr, { ...base, command: 'plan', ...change });
    expect(main.errors).toEqual([]);
    const marker = `<!-- flyte-gke-action:acme-flyte-e2e/${cluster} -->`;
    const [comment] = github.commentsOn(PR_NUMBER).filter((c) => c.body.includes(marker));
    expect(comment).toBeDefined();
    return comment!.body;
  }

  it('an in-place update is ✅ and lists the attribute before → after', async () => {
    const body = await planComment('flyte-e2e', { 'database-availability': 'regional' });
    expect(body).toContain('✅ **No resource is destroyed or replaced.**');
    expect(body).toContain('0 to add, 1 to change, 0 to destroy');
    expect(body).toContain('`google_sql_database_instance.main` (update)');
    expect(body).toContain('`settings.availability_type: "ZONAL" → "REGIONAL"`');
    // Only what changes: the unchanged tier is not listed.
    expect(body).not.toMatch(/settings\.tier:/);
  });

  it('moving the region is 🛑: the data bucket is replaced, forced by its location', async () => {
    const body = await planComment('flyte-e2e', { region: 'europe-west4' });
    const headline = body.slice(
      body.indexOf('#### Terraform plan') + '#### Terraform plan\n\n'.length
    );
    expect(headline).toMatch(
      /^🛑 \*\*Data would be lost: a stateful resource is destroyed or replaced\.\*\*/
    );
    expect(body).toContain('- 🛑 `google_storage_bucket.data`: replaced (forced by `location`)');
    expect(body).toContain('`location: "us-central1" → "europe-west4"`');
    // Stateful resources first: the cluster and the bucket before the node pools.
    const lines = headline.split('\n\n')[0]!.split('\n').slice(1);
    const stateful = lines.map((l) => l.startsWith('- 🛑'));
    expect(stateful).toEqual([...stateful].sort((a, b) => Number(b) - Number(a)));
    expect(stateful.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(body).toContain(
      '- 🛑 `google_sql_database_instance.main`: replaced (forced by `region`)'
    );
    expect(body).toContain('must be replaced');
  });
});
