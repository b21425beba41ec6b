/**
 * The GitHub surface through the bundled action (dist/main, dist/post) and the loopback GitHub
 * server: one plan comment per cluster on the pull request, created and then updated in place; a
 * comment cut below GitHub's limit; a 403 that leaves the run green with a notice; the deploy on
 * the push after the merge updating the pull request's comment with the console URL; and the
 * drift issue opened, updated and closed.
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
import { FAULTS, type GitHubServer } from './support/github-server.js';
import { GITHUB_TOKEN, Harness } from './support/harness.js';
import { HEAD_SHA } from './support/events.js';
import type { Mirror } from './support/mirror.js';
import { COMMENT_LIMIT } from '../src/report/comment.js';

const markerOf = (cluster: string) => `<!-- flyte-gke-action:acme-flyte-e2e/${cluster} -->`;
const DRIFT_LABEL = 'flyte-drift';

describe('pull request comments through the bundled action', () => {
  let github: GitHubServer;
  let pr: Harness;
  let push: Harness;
  let mirror: Mirror;
  let base: Record<string, string>;
  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    base = jobInputs(mirror);
    pr = await Harness.create({ event: 'pull_request', oidc: true, githubApiUrl: github.url });
    push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    withStateBucket(pr);
  });
  afterAll(async () => {
    await Promise.all([pr.close(), push.close(), github.stop(), mirror.close()]);
  });

  const commentFor = (cluster: string) =>
    github.commentsOn(PR_NUMBER).filter((c) => c.body.includes(markerOf(cluster)));

  it('the first plan run creates the comment with the plan', async () => {
    const { main } = await runJob(pr, { ...base, command: 'plan' });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    const [comment, ...more] = commentFor('flyte-e2e');
    expect(more).toEqual([]);
    expect(comment?.body).toContain('#### Terraform plan');
    expect(comment?.body).toMatch(/\d+ to add, 0 to change, 0 to destroy/);
    expect(comment?.body).toContain('<details>');
    const posts = github.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual([
      `/repos/acme/flyte-platform/issues/${PR_NUMBER}/comments`
    ]);
    expect(posts[0]?.authorization).toBe(`token ${GITHUB_TOKEN}`);
  });

  it('the second plan run updates the same comment in place', async () => {
    const before = commentFor('flyte-e2e')[0]!;
    const firstBody = before.body;
    // The state changed meanwhile (another branch was deployed): the plan now updates in place.
    pr.setWorld((w) => {
      w.terraform.applied = 'deployed-from-another-branch';
    });
    const sent = github.requests.length;
    const { main } = await runJob(pr, { ...base, command: 'plan' });
    expect(main.exitCode).toBe(0);
    const after = commentFor('flyte-e2e');
    expect(after.map((c) => c.id)).toEqual([before.id]);
    expect(after[0]!.body).not.toBe(firstBody);
    expect(after[0]!.body).toMatch(/0 to add, 1 to change, 0 to destroy/);
    const writes = github.requests.slice(sent).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /repos/acme/flyte-platform/issues/comments/${before.id}`
    ]);
  });

  it('a plan run for another cluster creates a second comment', async () => {
    const { main } = await runJob(pr, { ...base, command: 'plan', 'cluster-name': 'flyte-gpu' });
    expect(main.exitCode).toBe(0);
    expect(commentFor('flyte-e2e')).toHaveLength(1);
    expect(commentFor('flyte-gpu')).toHaveLength(1);
    expect(github.commentsOn(PR_NUMBER)).toHaveLength(2);
  });

  it('an oversized plan is cut on a line boundary below the limit, pointing at the run', async () => {
    const huge = Array.from(
      { length: 4000 },
      (_, i) => `  # google_storage_bucket_object.blob_${i} will be created`
    ).join('\n');
    pr.setRules({
      terraform: [
        { match: ['show', '-json'], passThrough: true },
        { match: ['show'], stdout: `${huge}\n\nPlan: 4000 to add, 0 to change, 0 to destroy.\n` }
      ]
    });
    const { main } = await runJob(pr, { ...base, command: 'plan', 'cluster-name': 'flyte-big' });
    pr.setRules({});
    expect(main.exitCode).toBe(0);
    const [comment] = commentFor('flyte-big');
    expect(comment!.body.length).toBeLessThan(COMMENT_LIMIT);
    expect(comment!.body).toContain('The plan was cut at');
    expect(comment!.body).toContain('actions/runs/9876543210');
    const lines = comment!.body.split('\n').filter((l) => l.includes('blob_'));
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.every((l) => /\.blob_\d+ will be created$/.test(l))).toBe(true);
    // The job summary holds the whole plan.
    expect(main.summary).toContain('blob_3999 will be created');
  });

  it('a 403 on commenting leaves the run green with a notice', async () => {
    github.fail('POST', /\/issues\/\d+\/comments$/, FAULTS.forbidden());
    const { main } = await runJob(pr, { ...base, command: 'plan', 'cluster-name': 'flyte-fork' });
    expect(main.exitCode).toBe(0);
    expect(main.errors).toEqual([]);
    expect(main.notices.join('\n')).toMatch(
      /Could not comment on the pull request \(HTTP 403.*pull-requests: write/s
    );
    expect(commentFor('flyte-fork')).toEqual([]);
  });

  it('the deploy on the push after the merge updates the comment with the console URL', async () => {
    github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: true }]);
    const id = commentFor('flyte-e2e')[0]!.id;
    const { main } = await runJob(push, { ...base, command: 'deploy' });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    const comments = commentFor('flyte-e2e');
    expect(comments.map((c) => c.id)).toEqual([id]);
    expect(main.outputs['console-url']).toBeTruthy();
    expect(comments[0]!.body).toContain(`**Flyte console:** ${main.outputs['console-url']}`);
    expect(comments[0]!.body).toContain(`push ${HEAD_SHA.slice(0, 7)}`);
  });

  it('a plan without a state bucket stops read-only, with the command that creates it', async () => {
    const { main } = await runJob(pr, { ...base, command: 'plan', 'project-id': 'acme-flyte-new' });
    expect(main.exitCode).not.toBe(0);
    expect(main.errors.join('\n')).toContain(
      'gcloud storage buckets create gs://acme-flyte-new-flyte-tfstate'
    );
    expect(main.calls.filter((c) => c.tool === 'gcloud' && c.args[2] === 'create')).toEqual([]);
    expect(main.calls.filter((c) => c.tool === 'terraform')).toEqual([]);
  });

  describe('drift issue', () => {
    const driftIssues = () => github.issues.filter((i) => i.labels.includes(DRIFT_LABEL));

    it('drift opens one issue labelled flyte-drift', async () => {
      push.setWorld((w) => {
        w.terraform.drifted = true;
      });
      const { main } = await runJob(push, { ...base, command: 'drift' });
      expect(main.exitCode).toBe(0);
      expect(main.outputs['drift-detected']).toBe('true');
      const issues = driftIssues();
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ state: 'open' });
      expect(issues[0]!.title).toContain('acme-flyte-e2e/flyte-e2e');
      expect(issues[0]!.body).toContain('actions/runs/9876543210');
      expect(github.labels.has(DRIFT_LABEL)).toBe(true);
    });

    it('a second drift run (a later scheduled run) updates the same issue', async () => {
      const { main } = await runJob(
        push,
        { ...base, command: 'drift' },
        { env: { GITHUB_RUN_ID: '9876543299' } }
      );
      expect(main.exitCode).toBe(0);
      const issues = driftIssues();
      expect(issues).toHaveLength(1);
      expect(issues[0]!.state).toBe('open');
      expect(issues[0]!.body).toContain('actions/runs/9876543299');
    });

    it('once the drift is gone the issue is closed with a comment', async () => {
      push.setWorld((w) => {
        w.terraform.drifted = false;
      });
      const { main } = await runJob(push, { ...base, command: 'drift' });
      expect(main.exitCode).toBe(0);
      expect(main.outputs['drift-detected']).toBe('false');
      const [issue, ...more] = driftIssues();
      expect(more).toEqual([]);
      expect(issue).toMatchObject({ state: 'closed', state_reason: 'completed' });
      expect(github.commentsOn(issue!.number).map((c) => c.body)).toEqual([
        expect.stringContaining('No drift any more')
      ]);
      // A further clean check touches nothing.
      const sent = github.requests.length;
      await runJob(push, { ...base, command: 'drift' });
      expect(github.requests.slice(sent).filter((r) => r.method !== 'GET')).toEqual([]);
    });
  });
});
