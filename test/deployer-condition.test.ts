/**
 * The deployer condition the README's quick start writes, evaluated as Google's workload identity
 * pool evaluates it: the exact CEL text, taken from README.md with the shell variables filled in,
 * run by a CEL evaluator against GitHub OIDC claims (claim names and string values as GitHub
 * issues them). A token gets the deployer only when the provider admits it (the attribute
 * condition) and the mapping yields attribute.deployer "yes". Each refused case is an attack that
 * the old mapping (`ref == main` OR an environment in the list) let through or could.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  assignedIn,
  environmentsByProject,
  evaluate,
  provider,
  providerBlock,
  type Claims
} from './support/oidc-condition.js';
import { PROJECT_ROOT } from './support/project.js';

const block = providerBlock('flyte');
const assigned = (name: string) => assignedIn(block, name);
/** Each project's environments, from the quick start's `case "$PROJECT_ID"`. */
const ENVIRONMENTS_OF = environmentsByProject(block);

// The IDs come from `gh api` in the README; these are the sample repository's.
const REPO_ID = '700000001';
const OWNER_ID = '9000001';
const variablesFor = (project: string): Record<string, string> => ({
  REPO_ID,
  OWNER_ID,
  ACTION: assigned('ACTION') ?? '',
  ACTION_REF: assigned('ACTION_REF') ?? '',
  ENVIRONMENTS: ENVIRONMENTS_OF.get(project) ?? ''
});
const variables = variablesFor('acme-flyte-dev');
const quickStart = provider(block, variables);
const condition = quickStart.condition;
const deployerExpression = quickStart.deployerExpression;
const isDeployer = (claims: Claims) => quickStart.isDeployer(claims);

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

describe("the quick start admits the examples' environments, each in its own project only", () => {
  const examples = readdirSync(path.join(PROJECT_ROOT, 'examples/workflows'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => ({
      file: f,
      workflow: parse(readFileSync(path.join(PROJECT_ROOT, 'examples/workflows', f), 'utf8'))
    }));
  /** Each deploy, upgrade or destroy job (per matrix row): its project, environment and event. */
  const deployments = examples.flatMap(({ file, workflow }) =>
    Object.values<Record<string, any>>(workflow.jobs).flatMap((job) => {
      const called = /workflows\/(deploy|upgrade|destroy)\.yml@/.exec(String(job.uses))?.[1];
      if (!called) return [];
      const rows: Record<string, string>[] = job.strategy?.matrix?.include ?? [{}];
      const value = (key: string, row: Record<string, string>) =>
        String(job.with[key] ?? '').replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, k) => row[k]!);
      return rows.map((row) => ({
        file,
        workflow: `${called}.yml`,
        project: value('project-id', row),
        environment: value('environment', row),
        // A push runs the reviewed-plan deploy; "Run workflow" the manual deploy's second job.
        events: Object.keys(workflow.on).filter((e) => ['push', 'workflow_dispatch'].includes(e))
      }));
    })
  );

  it('finds the environments of all three projects and every changing example', () => {
    expect([...ENVIRONMENTS_OF.keys()].sort()).toEqual(
      ['acme-flyte-dev', 'acme-flyte-prod', 'acme-flyte-staging'].sort()
    );
    expect(deployments.map((d) => d.environment)).toEqual(
      expect.arrayContaining(['flyte-dev', 'flyte-destroy', 'flyte-staging', 'flyte-production'])
    );
  });

  it("gives each example's job the deployer of its own project", () => {
    for (const d of deployments) {
      const own = provider(block, variablesFor(d.project));
      for (const event of d.events) {
        const claims = withClaims({
          event_name: event,
          environment: d.environment,
          job_workflow_ref: `${ACTION}/.github/workflows/${d.workflow}@${ACTION_REF}`
        });
        expect([d.file, d.project, d.environment, event, own.isDeployer(claims)]).toEqual([
          d.file,
          d.project,
          d.environment,
          event,
          true
        ]);
      }
    }
  });

  it("never gives a project's deployer to another project's environment", () => {
    const environments = [...new Set(deployments.map((d) => d.environment))];
    for (const project of ENVIRONMENTS_OF.keys()) {
      const own = provider(block, variablesFor(project));
      for (const environment of environments) {
        const mine = deployments.some(
          (d) => d.project === project && d.environment === environment
        );
        expect([project, environment, own.isDeployer(withClaims({ environment }))]).toEqual([
          project,
          environment,
          mine
        ]);
      }
    }
  });
});
