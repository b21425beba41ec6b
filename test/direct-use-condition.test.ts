/**
 * The README's "use the action directly in a job of your own" snippet, checked against the
 * providers the README prints: its tokens (claims as GitHub issues them to a job that is not in a
 * reusable workflow, whose job_workflow_ref is its own workflow file) are refused by the quick
 * start's provider, as the README says, and admitted by the `flyte-direct` provider it gives for
 * such a job: the planner on a pull request, the deployer on a push to protected main in an
 * environment, nothing for another workflow file or branch.
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { evaluateExpression } from './support/expressions.js';
import {
  README,
  assignedIn,
  environmentsByProject,
  provider,
  providerBlock,
  type Claims
} from './support/oidc-condition.js';

const quickStartBlock = providerBlock('flyte');
const directBlock = providerBlock('flyte-direct');
const REPO = assignedIn(quickStartBlock, 'REPO')!;
const WORKFLOW = assignedIn(directBlock, 'WORKFLOW')!;
const variables: Record<string, string> = {
  REPO,
  WORKFLOW,
  REPO_ID: '700000001',
  OWNER_ID: '9000001',
  ACTION: assignedIn(quickStartBlock, 'ACTION')!,
  ACTION_REF: assignedIn(quickStartBlock, 'ACTION_REF')!,
  ENVIRONMENTS: environmentsByProject(quickStartBlock).get('acme-flyte-dev')!
};
const quickStart = provider(quickStartBlock, variables);
const direct = provider(directBlock, variables);

/** The snippet: the README's YAML block that names the workflow file the direct provider admits. */
const snippetText =
  [...README.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((text) => text.startsWith(`# ${WORKFLOW}`)) ?? '';
const snippet = parse(snippetText) as any;
const job = Object.values<Record<string, any>>(snippet?.jobs ?? {})[0]!;
const actionStep = (job?.steps ?? []).find((s: { uses?: string }) =>
  /flyte-gke-action@/.test(String(s.uses))
);

/** What the job's token and the action see for an event on a ref. */
function run(event: 'push' | 'pull_request', ref: string, refProtected: boolean) {
  const github = { event_name: event, ref };
  const value = (text: string) => String(evaluateExpression(text, { github }));
  const environment = value(String(job.environment));
  const claims: Claims = {
    iss: 'https://token.actions.githubusercontent.com',
    sub: `repo:${REPO}:${environment ? `environment:${environment}` : `ref:${ref}`}`,
    ref,
    ref_type: 'branch',
    ref_protected: String(refProtected),
    repository: REPO,
    repository_id: variables.REPO_ID!,
    repository_owner: REPO.split('/')[0]!,
    repository_owner_id: variables.OWNER_ID!,
    event_name: event,
    // Not a reusable workflow: both name the job's own workflow file.
    workflow_ref: `${REPO}/${WORKFLOW}@${ref}`,
    job_workflow_ref: `${REPO}/${WORKFLOW}@${ref}`,
    ...(environment ? { environment } : {})
  };
  return {
    claims,
    command: value(actionStep.with.command),
    serviceAccount: value(actionStep.with['service-account']),
    provider: String(actionStep.with['workload-identity-provider'])
  };
}

describe("the README's direct-use snippet", () => {
  it('is found, with its provider and triggers', () => {
    expect(snippet.on).toEqual(expect.objectContaining({ pull_request: null }));
    expect(actionStep).toBeDefined();
    expect(direct.condition).toContain(`'${REPO}/${WORKFLOW}@'`);
  });

  it('authenticates with the flyte-direct provider the README creates for it', () => {
    expect(run('push', 'refs/heads/main', true).provider).toMatch(/\/providers\/flyte-direct$/);
  });

  it('is refused by the quick start provider, and the README says so', () => {
    for (const { claims } of [
      run('push', 'refs/heads/main', true),
      run('pull_request', 'refs/pull/42/merge', false)
    ]) {
      expect(quickStart.admits(claims)).toBe(false);
    }
    expect(README).toContain("**The quick start's provider does not admit such\na job**");
  });

  it('plans as the planner on a pull request: admitted, never the deployer', () => {
    const pr = run('pull_request', 'refs/pull/42/merge', false);
    expect(pr.command).toBe('plan');
    expect(pr.serviceAccount).toMatch(/^flyte-planner@/);
    expect(pr.claims.environment).toBeUndefined();
    expect(direct.admits(pr.claims)).toBe(true);
    expect(direct.isDeployer(pr.claims)).toBe(false);
  });

  it('deploys as the deployer on a push to protected main, in its environment', () => {
    const push = run('push', 'refs/heads/main', true);
    expect(push.command).toBe('deploy');
    expect(push.serviceAccount).toMatch(/^flyte-deployer@/);
    expect(push.claims.environment).toBe('flyte-dev');
    expect(direct.isDeployer(push.claims)).toBe(true);
  });

  it.each<[string, (c: Claims) => Claims]>([
    [
      'a push to another branch',
      (c) => ({
        ...c,
        ref: 'refs/heads/gpu-pool',
        job_workflow_ref: `${REPO}/${WORKFLOW}@refs/heads/gpu-pool`
      })
    ],
    ['main without branch protection', (c) => ({ ...c, ref_protected: 'false' })],
    ['an environment not in ENVIRONMENTS', (c) => ({ ...c, environment: 'scratch' })],
    ['a pull_request_target event on main', (c) => ({ ...c, event_name: 'pull_request_target' })],
    [
      'another workflow file of the repository',
      (c) => ({ ...c, job_workflow_ref: `${REPO}/.github/workflows/other.yml@refs/heads/main` })
    ],
    ['another repository', (c) => ({ ...c, repository_id: '700000002' })]
  ])('never gives the deployer to %s', (_name, change) => {
    expect(direct.isDeployer(change(run('push', 'refs/heads/main', true).claims))).toBe(false);
  });
});
