/**
 * Second, independent tests of safety behaviours at another level than their first ones: through
 * the bundled action, a loopback GitHub server and a loopback tool mirror.
 * - A tool whose archive does not match its published checksum is not installed and nothing runs
 *   (first test: tools-install.test.ts, the installer in-process).
 * - The plan comment is found past the first page of comments and updated, not duplicated
 *   (first test: github-comment.test.ts, the publisher in-process).
 * - A drift check that fails before it could check Helm keeps the open drift issue open
 *   (first test: github-drift.test.ts, the publisher in-process).
 * - destroy's confirmation must name the cluster exactly (first test: flyte-e2e.test.ts, the
 *   bundled action); here the input parser alone.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { parseInputs } from '../src/inputs.js';
import {
  jobInputs,
  PR_NUMBER,
  runJob,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { googleError } from './support/google-server.js';
import { actionDefault, Harness } from './support/harness.js';
import type { Mirror } from './support/mirror.js';
import { PROJECT_ROOT } from './support/project.js';

describe('a mirror serving other archives with checksum files forged to match, through the bundled action', () => {
  let mirror: Mirror;
  let harness: Harness;
  beforeAll(async () => {
    mirror = await startToolMirror({ forged: true });
    harness = await Harness.create({ oidc: true });
  });
  afterAll(async () => {
    await Promise.all([harness.close(), mirror.close()]);
  });

  it('fails the job naming the tool and both hashes, unpacks nothing and runs no tool', async () => {
    const { main } = await runJob(harness, { ...jobInputs(mirror), command: 'plan' });
    expect(main.exitCode).not.toBe(0);
    for (const tool of ['terraform', 'helm', 'gcloud']) {
      expect(main.errors.join('\n')).toMatch(
        new RegExp(
          `${tool} \\S+: the SHA-256 of http://127\\.0\\.0\\.1:\\d+/\\S+ is [0-9a-f]{64}, but the digest pinned in the action's source is [0-9a-f]{64}\\. Nothing was unpacked or installed.*\\(check the mirror\\)`
        )
      );
    }
    // The forged checksum files were never read: the pin decides.
    expect(mirror.requests.filter((r) => /SHA256SUMS|\.sha256(sum)?$/.test(r.path))).toEqual([]);
    expect(main.calls).toEqual([]);
    // Nothing half-installed stays in the tool cache for a later run to trust.
    for (const tool of ['terraform', 'helm', 'gcloud']) {
      const dir = path.join(harness.toolCache, tool);
      const entries = existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
      expect(entries.filter((e) => e.endsWith('.complete'))).toEqual([]);
    }
  });
});

describe('the GitHub surface, through the bundled action', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let pr: Harness;
  let push: Harness;
  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    pr = await Harness.create({ event: 'pull_request', oidc: true, githubApiUrl: github.url });
    push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    withStateBucket(pr);
    withStateBucket(push);
  });
  afterAll(async () => {
    await Promise.all([pr.close(), push.close(), github.stop(), mirror.close()]);
  });

  it('finds its plan comment past the first page of comments and updates it in place', async () => {
    // A busy pull request: ours comes after 150 review notes, past GitHub's largest page (100).
    for (let i = 0; i < 150; i += 1) github.addComment(PR_NUMBER, `Review note ${i}`);
    const first = await runJob(pr, { ...jobInputs(mirror), command: 'plan' });
    expect(first.main.errors).toEqual([]);
    const marker = '<!-- flyte-gke-action:acme-flyte-e2e/flyte-e2e -->';
    const ours = () => github.commentsOn(PR_NUMBER).filter((c) => c.body.includes(marker));
    const [comment] = ours();
    expect(github.commentsOn(PR_NUMBER).indexOf(comment!)).toBe(150);
    // The plan changes meanwhile (another branch was deployed), so the comment needs an update.
    pr.setWorld((w) => {
      w.terraform.applied = 'deployed-from-another-branch';
    });
    const sent = github.requests.length;
    const again = await runJob(pr, { ...jobInputs(mirror), command: 'plan' });
    expect(again.main.errors).toEqual([]);
    expect(ours().map((c) => c.id)).toEqual([comment!.id]);
    const requests = github.requests.slice(sent);
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(requests.some((r) => r.method === 'GET' && r.query.page === '2')).toBe(true);
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.path)).toEqual([
      `/repos/acme/flyte-platform/issues/comments/${comment!.id}`
    ]);
  });

  it('a drift check that fails before reading the cluster keeps the drift issue open', async () => {
    const base = jobInputs(mirror);
    const deployed = await runJob(push, { ...base, command: 'deploy' });
    expect(deployed.main.errors).toEqual([]);
    push.setWorld((w) => {
      w.terraform.drifted = true;
    });
    const drifted = await runJob(push, { ...base, command: 'drift' });
    expect(drifted.main.outputs['drift-detected']).toBe('true');
    const issue = github.issues.find((i) => i.labels.includes('flyte-drift'))!;
    expect(issue.state).toBe('open');
    // Terraform is clean again, but the cluster cannot be reached: Helm was never checked.
    push.setWorld((w) => {
      w.terraform.drifted = false;
    });
    push.google.fail(
      /\/clusters\//,
      googleError(403, 'PERMISSION_DENIED', "Required 'container.clusters.get' permission")
    );
    const sent = github.requests.length;
    const failed = await runJob(push, { ...base, command: 'drift' });
    push.google.reset();
    expect(failed.main.exitCode).not.toBe(0);
    expect(issue.state).toBe('open');
    expect(github.commentsOn(issue.number)).toEqual([]);
    expect(
      github.requests
        .slice(sent)
        .filter((r) => r.method === 'PATCH' && r.path.endsWith(`/issues/${issue.number}`))
        .map((r) => (r.body as { state?: string }).state)
    ).not.toContain('closed');
  });
});

describe('destroy confirmation, in the input parser', () => {
  const parse = (values: Record<string, string>) =>
    parseInputs(
      (name) =>
        ({ 'project-id': 'acme-flyte-dev', 'cluster-name': 'flyte-prod', ...values })[name] ??
        actionDefault(name),
      { actionRoot: PROJECT_ROOT, workspace: PROJECT_ROOT }
    );
  const refusal = (confirm: string | undefined) => {
    try {
      parse({
        command: 'destroy',
        ...(confirm === undefined ? {} : { 'confirm-destroy': confirm })
      });
      return 'accepted';
    } catch (error) {
      return error instanceof InputError ? error.input : String(error);
    }
  };

  it('accepts only the exact cluster name', () => {
    expect(refusal(undefined)).toBe('confirm-destroy');
    expect(refusal('')).toBe('confirm-destroy');
    expect(refusal('flyte')).toBe('confirm-destroy');
    expect(refusal('flyte-prod-old')).toBe('confirm-destroy');
    expect(refusal('FLYTE-PROD')).toBe('confirm-destroy');
    expect(refusal('yes')).toBe('confirm-destroy');
    expect(refusal('flyte-prod')).toBe('accepted');
    // Other commands do not ask for it.
    expect(parse({ command: 'deploy' }).confirmDestroy).toBeUndefined();
  });
});
