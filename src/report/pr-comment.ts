/**
 * Decides which pull request a run comments on, and posts or updates its comment there:
 * the pull request itself on pull_request events; on a push (a merge), the pull request that
 * brought the commit, so its comment gains the console URL after the deploy.
 */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { GitHubClient } from '../github/client.js';
import {
  upsertMarkedComment,
  pullRequestsForCommit,
  type CommentOutcome
} from '../github/comments.js';
import type { EventContext, RepoRef } from '../github/event.js';
import { renderComment } from './comment.js';
import { commentMarker } from './marker.js';

/** Commands whose result a push updates on the merged pull request. */
const PUSH_COMMANDS: readonly Inputs['command'][] = ['deploy', 'upgrade'];

export interface PrCommentArgs {
  readonly client: GitHubClient;
  readonly event: EventContext;
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly failure: Error | undefined;
  readonly secrets: readonly string[];
}

export type PrCommentResult =
  | (CommentOutcome & { readonly pullNumber: number })
  | { readonly action: 'skipped'; readonly reason: string };

/** Which pull request this run reports to, or why none. */
export async function targetPullRequest(
  client: GitHubClient,
  event: EventContext,
  inputs: Inputs
): Promise<{ repo: RepoRef; pullNumber: number } | { reason: string }> {
  if (!event.repo) return { reason: 'GITHUB_REPOSITORY is not set' };
  if (event.pullNumber !== undefined) return { repo: event.repo, pullNumber: event.pullNumber };
  if (event.eventName === 'push' && PUSH_COMMANDS.includes(inputs.command) && event.sha) {
    const pulls = await pullRequestsForCommit(client, event.repo, event.sha);
    if (pulls[0] !== undefined) return { repo: event.repo, pullNumber: pulls[0] };
    return { reason: `commit ${event.sha.slice(0, 7)} belongs to no pull request` };
  }
  return { reason: `a ${event.eventName || 'manual'} run has no pull request` };
}

export async function publishPrComment(args: PrCommentArgs): Promise<PrCommentResult> {
  const { client, event, inputs } = args;
  const target = await targetPullRequest(client, event, inputs);
  if ('reason' in target) return { action: 'skipped', reason: target.reason };
  const trigger = event.sha ? `${event.eventName} ${event.sha.slice(0, 7)}` : event.eventName;
  const body = renderComment({ ...args, runUrl: event.runUrl, trigger });
  const outcome = await upsertMarkedComment(
    client,
    target.repo,
    target.pullNumber,
    commentMarker(inputs),
    body
  );
  return { ...outcome, pullNumber: target.pullNumber };
}
