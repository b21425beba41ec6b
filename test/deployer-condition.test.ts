/**
 * The deployer condition the README's quick start writes, evaluated as Google's workload identity
 * pool evaluates it: the exact CEL text, taken from README.md with the shell variables filled in,
 * run by a CEL evaluator against GitHub OIDC claims (claim names and string values as GitHub
 * issues them). A token gets the deployer only when the provider admits it (the attribute
 * condition) and the mapping yields attribute.deployer "yes". Each refused case is an attack that
 * the old mapping (`ref == main` OR an environment in the list) let through or could.
 */
import { describe, expect, it } from '@jest/globals';
import { run } from '@bufbuild/cel';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const block =
  /```bash\n((?:(?!```)[\s\S])*create-oidc flyte(?:(?!```)[\s\S])*)```/.exec(readme)?.[1] ?? '';

/** The value of `--flag "..."` in the quick start's command. */
const flag = (name: string) => new RegExp(`--${name} "([^"]*)"`).exec(block)?.[1];
/** A literal `NAME=value` the block assigns (quoted or not), for the variables the test keeps. */
const assigned = (name: string) => {
  const value = new RegExp(`^${name}=("[^"]*"|\\S+)`, 'm').exec(block)?.[1];
  return value?.replace(/^"(.*)"$/, '$1');
};

// The IDs come from `gh api` in the README; these are the sample repository's.
const REPO_ID = '700000001';
const OWNER_ID = '9000001';
const variables: Record<string, string> = {
  REPO_ID,
  OWNER_ID,
  ACTION: assigned('ACTION') ?? '',
  ACTION_REF: assigned('ACTION_REF') ?? '',
  ENVIRONMENTS: assigned('ENVIRONMENTS') ?? ''
};
const expand = (text: string) =>
  text.replace(/\$([A-Z_]+)/g, (whole, name: string) => {
    if (!(name in variables)) throw new Error(`the test does not know $${name}`);
    return variables[name]!;
  });

const condition = expand(flag('attribute-condition') ?? '');
const mapping = expand(flag('attribute-mapping') ?? '');
const deployerExpression = mapping
  .replace(/^\^;\^/, '')
  .split(';')
  .find((part) => part.startsWith('attribute.deployer='))
  ?.slice('attribute.deployer='.length);

type Claims = Record<string, string>;

/** Google refuses a token whose condition is not true, or errs; so does this. */
function evaluate(expression: string, claims: Claims): unknown {
  try {
    return run(expression, { assertion: new Map(Object.entries(claims)) });
  } catch (error) {
    return error;
  }
}
const isDeployer = (claims: Claims) =>
  evaluate(condition, claims) === true && evaluate(deployerExpression!, claims) === 'yes';

const ACTION = variables.ACTION!;
const ACTION_REF = variables.ACTION_REF!;
/** A deploy from main after a merge, as GitHub issues the token to the reusable workflow's job. */
const mainPush: Claims = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: `https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/providers/flyte`,
  sub: 'repo:acme/flyte-platform:environment:flyte-dev',
  ref: 'refs/heads/main',
  ref_type: 'branch',
  ref_protected: 'true',
  repository: 'acme/flyte-platform',
  repository_id: REPO_ID,
  repository_owner: 'acme',
  repository_owner_id: OWNER_ID,
  event_name: 'push',
  environment: 'flyte-dev',
  workflow_ref: 'acme/flyte-platform/.github/workflows/flyte-deploy.yml@refs/heads/main',
  job_workflow_ref: `${ACTION}/.github/workflows/deploy.yml@${ACTION_REF}`,
  actor: 'alice'
};
const withClaims = (changes: Partial<Claims>, drop: string[] = []): Claims => {
  const claims: Claims = { ...mainPush };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) claims[key] = value;
  for (const key of drop) delete claims[key];
  return claims;
};

describe('the README prints a deployer condition that can be evaluated', () => {
  it('finds the attribute condition, the mapping and the variables it uses', () => {
    expect(condition).toContain(`assertion.repository_id == '${REPO_ID}'`);
    expect(condition).toContain(`assertion.repository_owner_id == '${OWNER_ID}'`);
    expect(deployerExpression).toContain("assertion.ref_protected == 'true'");
    expect(ACTION_REF).toMatch(/^refs\//);
    expect(variables.ENVIRONMENTS).toContain("'flyte-dev'");
    // Environments are combined with the rest, never an alternative to it.
    expect(deployerExpression).not.toContain('||');
  });

  it('gives the deployer to a push to main in an environment, and to "Run workflow" on main', () => {
    expect(isDeployer(mainPush)).toBe(true);
    expect(isDeployer(withClaims({ event_name: 'workflow_dispatch' }))).toBe(true);
    for (const workflow of ['upgrade.yml', 'destroy.yml']) {
      expect(
        isDeployer(
          withClaims({ job_workflow_ref: `${ACTION}/.github/workflows/${workflow}@${ACTION_REF}` })
        )
      ).toBe(true);
    }
    expect(isDeployer(withClaims({ environment: 'flyte-destroy' }))).toBe(true);
  });
});

describe('refuses the deployer to', () => {
  // Every row names what it drops: a missing third value would make Jest pass a `done` callback.
  it.each<[string, Partial<Claims>, string[]]>([
    [
      "a contributor's branch calling deploy.yml with environment: flyte-dev",
      { ref: 'refs/heads/gpu-pool', ref_protected: 'false' },
      []
    ],
    [
      'a branch that is protected but not main',
      { ref: 'refs/heads/release', ref_protected: 'true' },
      []
    ],
    ['main without branch protection', { ref_protected: 'false' }, []],
    ['a tag', { ref: 'refs/tags/flyte-1.2.0', ref_type: 'tag', ref_protected: 'false' }, []],
    [
      'a protected tag',
      { ref: 'refs/tags/flyte-1.2.0', ref_type: 'tag', ref_protected: 'true' },
      []
    ],
    [
      "a fork's pull request",
      { event_name: 'pull_request', ref: 'refs/pull/7/merge', ref_protected: 'false' },
      ['environment']
    ],
    [
      "a fork's own main (same name, another repository)",
      {
        repository: 'mallory/flyte-platform',
        repository_id: '700000002',
        repository_owner: 'mallory',
        repository_owner_id: '9000003'
      },
      []
    ],
    [
      'a repository re-created under the old name (another numeric ID)',
      { repository_id: '700000099' },
      []
    ],
    ['an organisation re-created under the old name', { repository_owner_id: '9000099' }, []],
    [
      'deploy.yml at another ref of flyte-gke-action',
      { job_workflow_ref: `${ACTION}/.github/workflows/deploy.yml@refs/heads/evil` },
      []
    ],
    [
      'deploy.yml from another repository whose name starts the same',
      { job_workflow_ref: `${ACTION}-fork/.github/workflows/deploy.yml@${ACTION_REF}` },
      []
    ],
    [
      'the planner workflows, even on main',
      { job_workflow_ref: `${ACTION}/.github/workflows/plan.yml@${ACTION_REF}` },
      []
    ],
    [
      'a pull_request event',
      { event_name: 'pull_request', ref: 'refs/pull/42/merge', ref_protected: 'false' },
      []
    ],
    // These run on the default branch, so the ref alone would let them through.
    ['a pull_request_target event (runs on main)', { event_name: 'pull_request_target' }, []],
    ['an issue_comment event (runs on main)', { event_name: 'issue_comment' }, []],
    ['a workflow_run event (runs on main)', { event_name: 'workflow_run' }, []],
    ['a schedule', { event_name: 'schedule' }, []],
    ['main in an environment not in the list', { environment: 'scratch' }, []],
    ['main in no environment', {}, ['environment']]
  ])('%s', (_name, changes, drop) => {
    expect(isDeployer(withClaims(changes, drop))).toBe(false);
  });

  it('the old mapping would have given the deployer to the branch (the attack this closes)', () => {
    const old =
      "(assertion.ref == 'refs/heads/main' || ('environment' in assertion && assertion.environment in ['flyte-dev'])) ? 'yes' : 'no'";
    const branch = withClaims({ ref: 'refs/heads/gpu-pool', ref_protected: 'false' });
    expect(evaluate(old, branch)).toBe('yes');
    expect(isDeployer(branch)).toBe(false);
  });
});

describe('the planner', () => {
  it('is admitted from any branch of this repository through the workflows, not from elsewhere', () => {
    const branchPlan = withClaims(
      {
        event_name: 'pull_request',
        ref: 'refs/pull/42/merge',
        ref_protected: 'false',
        job_workflow_ref: `${ACTION}/.github/workflows/plan.yml@${ACTION_REF}`
      },
      ['environment']
    );
    expect(evaluate(condition, branchPlan)).toBe(true);
    expect(evaluate(condition, withClaims({ repository_id: '1' }))).toBe(false);
    expect(
      evaluate(
        condition,
        withClaims({
          job_workflow_ref: 'acme/flyte-platform/.github/workflows/own.yml@refs/heads/main'
        })
      )
    ).toBe(false);
  });
});
