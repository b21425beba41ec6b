/** Finds the fingerprint reviewed in the pull request comment of this cluster. */
import type { Inputs } from '../inputs.js';
import type { GitHubClient } from '../github/client.js';
import { findMarkedComment } from '../github/comments.js';
import type { EventContext } from '../github/event.js';
import { commentMarker } from '../report/marker.js';
import { targetPullRequest } from '../report/pr-comment.js';
import { readFingerprintMarker, type PlanFingerprint } from './fingerprint.js';

export type ReviewedPlanLookup =
  | { readonly pullNumber: number; readonly fingerprint: PlanFingerprint | undefined }
  | { readonly reason: string };

export async function lookUpReviewedPlan(
  client: GitHubClient,
  event: EventContext,
  inputs: Inputs
): Promise<ReviewedPlanLookup> {
  const target = await targetPullRequest(client, event, inputs);
  if ('reason' in target) return target;
  const comment = await findMarkedComment(
    client,
    target.repo,
    target.pullNumber,
    commentMarker(inputs)
  );
  return {
    pullNumber: target.pullNumber,
    fingerprint: comment ? readFingerprintMarker(comment.body) : undefined
  };
}
