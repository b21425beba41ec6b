/**
 * What GitHub reports about the environment a deploy runs in. GitHub creates an environment that
 * a workflow names and that does not exist, with no protection rules, and an environment without
 * a deployment branch policy accepts every branch: such an environment gates nothing.
 * `GET /repos/{owner}/{repo}/environments/{name}` lists its `protection_rules` (`required_reviewers`,
 * `wait_timer`, `branch_policy`) and its `deployment_branch_policy` (null: every branch).
 */
import type { GitHubClient } from './client.js';
import { describeGitHubError, isPermissionDenied } from './errors.js';
import type { RepoRef } from './event.js';
import type { EnvironmentProtection } from './environment-protection.js';

export type { EnvironmentProtection };

export async function environmentProtection(
  client: GitHubClient,
  repo: RepoRef,
  name: string
): Promise<EnvironmentProtection> {
  try {
    const { data } = await client.rest.repos.getEnvironment({ ...repo, environment_name: name });
    return {
      readable: true,
      rules: (data.protection_rules ?? []).map((rule) => rule.type),
      anyBranch: !data.deployment_branch_policy
    };
  } catch (error) {
    if (isPermissionDenied(error)) return { readable: false, why: describeGitHubError(error) };
    throw error;
  }
}

/** The warning for an environment that gates nothing or too little; undefined when it holds. */
export function protectionWarning(name: string, found: EnvironmentProtection): string | undefined {
  const fix = `give it deployment branches "main" only and required reviewers (README, quick start; docs/threat-model.md)`;
  if (!found.readable) {
    return `Cannot read the protection rules of environment "${name}" with github-token (${found.why}); they are not checked. Check them by hand: ${fix}.`;
  }
  if (found.rules.length === 0) {
    return `Environment "${name}" has no protection rules: any branch may deploy through it and nobody approves. ${fix[0]!.toUpperCase()}${fix.slice(1)}.`;
  }
  if (found.anyBranch) {
    return `Environment "${name}" accepts deployments from any branch (no deployment branch policy): ${fix}.`;
  }
  return undefined;
}
