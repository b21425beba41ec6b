/**
 * A deploy in an environment that gates nothing says so: through the bundled action and the
 * loopback GitHub server, an environment GitHub reports without protection rules, or accepting
 * every branch, gets a warning in the log, the job summary and the pull request comment; one
 * with rules gets none; one the token may not read (GitHub asks for "actions: read") is said
 * once. Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  jobInputs,
  PR_NUMBER,
  runJob,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import { FAULTS, type GitHubServer } from './support/github-server.js';
import { HEAD_SHA } from './support/events.js';
import { Harness } from './support/harness.js';
import type { Mirror } from './support/mirror.js';

describe('the environment a deploy runs in', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let push: Harness;
  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    withStateBucket(push);
    github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: true }]);
  });
  afterAll(async () => {
    await Promise.all([push.close(), github.stop(), mirror.close()]);
  });

  const deploy = (environment: string) =>
    runJob(push, { ...jobInputs(mirror), command: 'deploy', environment });
  const comment = () => github.commentsOn(PR_NUMBER).at(-1)?.body ?? '';

  it('without protection rules: a warning in the log, the summary and the comment', async () => {
    // What GitHub makes of an environment a workflow names before anyone created it.
    github.environments.set('flyte-dev', { rules: [], branchPolicy: false });
    const { main } = await deploy('flyte-dev');
    expect(main.exitCode).toBe(0);
    const warning = 'Environment "flyte-dev" has no protection rules: any branch may deploy';
    expect(main.warnings.filter((w) => w.includes(warning))).toHaveLength(1);
    expect(main.summary).toContain(warning);
    expect(comment()).toContain(warning);
  });

  it('with reviewers but every branch allowed: a warning naming the branch policy', async () => {
    github.environments.set('flyte-staging', {
      rules: ['required_reviewers'],
      branchPolicy: false
    });
    const { main } = await deploy('flyte-staging');
    expect(main.warnings.join('\n')).toContain(
      'Environment "flyte-staging" accepts deployments from any branch'
    );
  });

  it('with reviewers and a branch policy: no warning', async () => {
    github.environments.set('production', {
      rules: ['required_reviewers', 'branch_policy'],
      branchPolicy: true
    });
    const { main } = await deploy('production');
    expect(main.exitCode).toBe(0);
    expect(main.warnings.filter((w) => w.includes('Environment'))).toEqual([]);
    expect(main.stdout).toContain('Environment "production" has protection rules');
    expect(
      github.requests.some((r) => r.method === 'GET' && r.path.endsWith('/environments/production'))
    ).toBe(true);
  });

  it('a token that may not read it: said once, and the deploy goes on', async () => {
    github.fail('GET', /\/environments\//, FAULTS.forbidden());
    const { main } = await deploy('flyte-dev');
    expect(main.exitCode).toBe(0);
    const said = main.warnings.filter((w) => w.includes('Cannot read the protection rules'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('HTTP 403');
    expect(main.summary).toContain('Cannot read the protection rules of environment "flyte-dev"');
  });
});
