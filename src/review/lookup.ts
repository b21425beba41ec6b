/**
 * Finds the reviewed plan of the commit a deploy runs on: the pull request merged as this commit
 * into the default branch, approved at its head, and the plan comment this token's own identity
 * wrote there. Only GitHub is asked, so the deploy can stop before any tool runs as the deployer.
 */
import type { Inputs } from '../inputs.js';
import type { GitHubClient } from '../github/client.js';
import { listMarkedComments } from '../github/comments.js';
import type { EventContext } from '../github/event.js';
import { describeAuthor, tokenAuthor, writtenBy } from '../github/identity.js';
import { commentMarker } from '../report/marker.js';
import { approvalAtHead, type PullReview } from './approval.js';
import { readFingerprintMarker } from './fingerprint.js';
import { defaultBranchOf, mergedPullRequest } from './merged-pull.js';
import type { ReviewedPlanLookup } from './lookup-result.js';

export type { ReviewedPlanLookup };

export async function lookUpReviewedPlan(
  client: GitHubClient,
  event: EventContext,
  inputs: Inputs
): Promise<ReviewedPlanLookup> {
  const repo = event.repo;
  if (!repo) return { reason: 'GITHUB_REPOSITORY is not set' };
  if (event.eventName !== 'push' || !event.sha) {
    return {
      reason: `a ${event.eventName || 'manual'} run has no merged pull request (the reviewed plan belongs to the push that merged it)`
    };
  }
  const branch = await defaultBranchOf(client, repo, event.defaultBranch);
  const pull = await mergedPullRequest(client, repo, event.sha, branch);
  if ('reason' in pull) return pull;

  const reviews = await client.paginate(client.rest.pulls.listReviews, {
    ...repo,
    pull_number: pull.number,
    per_page: 100
  });
  const verdict = approvalAtHead(reviews as PullReview[], pull.headSha, pull.author);
  if (!verdict.approved) {
    return { reason: `pull request #${pull.number} was merged unapproved: ${verdict.reason}` };
  }

  const marked = await listMarkedComments(client, repo, pull.number, commentMarker(inputs));
  const base = { pullNumber: pull.number, approvers: verdict.approvers };
  if (marked.length === 0) return { ...base, fingerprint: undefined };
  const own = await tokenAuthor(client);
  const ours = marked.filter((comment) => writtenBy(comment, own));
  if (ours.length === 0) {
    return {
      reason: `the plan comments on pull request #${pull.number} were written by ${[...new Set(marked.map(describeAuthor))].join(', ')}, not by ${own.login}, the identity of github-token; only the action's own comment counts`
    };
  }
  if (ours.length > 1) {
    // The action keeps one comment per cluster; a second one by the same identity was written by
    // another workflow with this repository's token, and which one was reviewed is unknown.
    return {
      reason: `pull request #${pull.number} has ${ours.length} plan comments for ${inputs.projectId}/${inputs.clusterName} by ${own.login}; the action writes one, so another workflow wrote the rest`
    };
  }
  return { ...base, fingerprint: readFingerprintMarker(ours[0]!.body) };
}
