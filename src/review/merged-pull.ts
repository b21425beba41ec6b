/**
 * The pull request a deployed commit was merged through. Only a pull request that GitHub reports
 * merged (`merged_at`), whose merge commit (`merge_commit_sha`: the merge, squash or last rebased
 * commit) is the deployed commit, into the default branch, counts: an open pull request whose head
 * happens to be the pushed commit was never merged, and its plan comment was never a merge gate.
 */
import type { GitHubClient } from '../github/client.js';
import type { RepoRef } from '../github/event.js';

export interface MergedPull {
  readonly number: number;
  /** The head commit the pull request had when it was merged: the one reviews must approve. */
  readonly headSha: string;
  readonly author: string | undefined;
}

export async function defaultBranchOf(
  client: GitHubClient,
  repo: RepoRef,
  fromPayload: string | undefined
): Promise<string> {
  if (fromPayload) return fromPayload;
  const { data } = await client.rest.repos.get({ ...repo });
  return data.default_branch;
}

export async function mergedPullRequest(
  client: GitHubClient,
  repo: RepoRef,
  sha: string,
  defaultBranch: string
): Promise<MergedPull | { readonly reason: string }> {
  const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha
  });
  const short = sha.slice(0, 7);
  if (data.length === 0) return { reason: `commit ${short} belongs to no pull request` };
  const merged = data.find(
    (pull) =>
      Boolean(pull.merged_at) && pull.merge_commit_sha === sha && pull.base.ref === defaultBranch
  );
  if (merged) {
    return { number: merged.number, headSha: merged.head.sha, author: merged.user?.login };
  }
  const why = data.map((pull) => {
    if (!pull.merged_at) return `#${pull.number} is not merged`;
    if (pull.base.ref !== defaultBranch) {
      return `#${pull.number} was merged into ${pull.base.ref}, not ${defaultBranch}`;
    }
    return `#${pull.number} was merged as ${(pull.merge_commit_sha ?? 'another commit').slice(0, 7)}, not as ${short}`;
  });
  return {
    reason: `commit ${short} is not the merge commit of a pull request merged into ${defaultBranch} (${why.join('; ')})`
  };
}
