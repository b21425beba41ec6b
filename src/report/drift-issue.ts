/**
 * One open issue per cluster while drift lasts: labelled `flyte-drift`, found by a hidden marker,
 * opened or updated when a drift check finds differences, closed with a comment when they are gone.
 */
import type { Inputs } from '../inputs.js';
import { redact } from '../engine/redact.js';
import type { RunState } from '../engine/state.js';
import type { GitHubClient } from '../github/client.js';
import { httpStatus } from '../github/errors.js';
import type { RepoRef } from '../github/event.js';
import { DRIFT_LABEL, driftMarker } from './marker.js';
import { inlineCode } from './markdown.js';
import { driftList } from './sections.js';

export type DriftIssueOutcome =
  | { readonly action: 'opened' | 'updated' | 'unchanged' | 'closed'; readonly number: number }
  | { readonly action: 'none' };

export interface DriftIssueArgs {
  readonly client: GitHubClient;
  readonly repo: RepoRef;
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly secrets: readonly string[];
  readonly runUrl: string | undefined;
  /** The run's own failure, if any: a check that did not finish proves no absence of drift. */
  readonly failure?: Error | undefined;
}

export async function syncDriftIssue(args: DriftIssueArgs): Promise<DriftIssueOutcome> {
  const { client, repo, inputs, state } = args;
  // Undefined means the check did not finish: neither open nor close anything on a guess.
  if (state.driftDetected === undefined) return { action: 'none' };
  if (args.failure && !state.driftDetected) return { action: 'none' };
  const existing = await findDriftIssue(client, repo, driftMarker(inputs));
  const runLink = args.runUrl ? `[this run](${args.runUrl})` : 'this run';

  if (!state.driftDetected) {
    if (!existing) return { action: 'none' };
    await client.rest.issues.createComment({
      ...repo,
      issue_number: existing.number,
      body: `✅ No drift any more: ${runLink} found the cluster matching its configuration. Closing.`
    });
    await client.rest.issues.update({
      ...repo,
      issue_number: existing.number,
      state: 'closed',
      state_reason: 'completed'
    });
    return { action: 'closed', number: existing.number };
  }

  const body = redact(renderDriftBody(inputs, state, runLink), args.secrets);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', number: existing.number };
    await client.rest.issues.update({ ...repo, issue_number: existing.number, body });
    return { action: 'updated', number: existing.number };
  }
  await ensureLabel(client, repo);
  const { data } = await client.rest.issues.create({
    ...repo,
    title: `Drift in Flyte on GKE: ${inputs.projectId}/${inputs.clusterName}`,
    body,
    labels: [DRIFT_LABEL]
  });
  return { action: 'opened', number: data.number };
}

export function renderDriftBody(inputs: Inputs, state: RunState, runLink: string): string {
  const details = state.driftDetails.length > 0 ? driftList(state) : '- (no details recorded)';
  return [
    driftMarker(inputs),
    `The drift check of ${inlineCode(`${inputs.projectId}/${inputs.clusterName}`)} (region ${inputs.region}) found differences between the configuration and what runs:`,
    '',
    details,
    '',
    `Checked by ${runLink}. To bring the cluster back to its configuration, run the deploy workflow by hand ("Run workflow"): it plans, shows that plan in its job summary and applies exactly it once the environment's reviewers approve (docs/workflows.md, "Manual deploy"). Or change the configuration to match, through a pull request. This issue is updated by every drift check and closed when the drift is gone.`
  ].join('\n');
}

async function findDriftIssue(client: GitHubClient, repo: RepoRef, marker: string) {
  for await (const page of client.paginate.iterator(client.rest.issues.listForRepo, {
    ...repo,
    state: 'open',
    labels: DRIFT_LABEL,
    per_page: 100
  })) {
    const found = page.data.find((issue) => !issue.pull_request && issue.body?.includes(marker));
    if (found) return { number: found.number, body: found.body ?? '' };
  }
  return undefined;
}

async function ensureLabel(client: GitHubClient, repo: RepoRef): Promise<void> {
  try {
    await client.rest.issues.getLabel({ ...repo, name: DRIFT_LABEL });
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
    try {
      await client.rest.issues.createLabel({
        ...repo,
        name: DRIFT_LABEL,
        color: 'd93f0b',
        description: 'Flyte on GKE differs from its configuration'
      });
    } catch (createError) {
      // 422: another run created it meanwhile.
      if (httpStatus(createError) !== 422) throw createError;
    }
  }
}
