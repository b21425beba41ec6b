/**
 * Publishes a run's results: the job summary always; the pull request comment and the drift
 * issue when there is a token and a repository. A publishing error never hides the run's own
 * result: it becomes a warning (or a notice, for missing permissions) and the run goes on.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { redact } from '../engine/redact.js';
import type { RunState } from '../engine/state.js';
import type { PhaseReport, TaskContext } from '../engine/types.js';
import { createGitHubClient, type GitHubTimings } from '../github/client.js';
import { describeGitHubError, isPermissionDenied } from '../github/errors.js';
import { readEventContext, type EventContext } from '../github/event.js';
import type { ActionIO } from '../action-io.js';
import { renderComment } from './comment.js';
import { renderDriftBody, syncDriftIssue } from './drift-issue.js';
import { codeBlock } from './markdown.js';
import { publishPrComment } from './pr-comment.js';
import { renderSummary } from './summary.js';

export interface PublishArgs {
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly reports: readonly PhaseReport[];
  readonly failure: Error | undefined;
  readonly ctx: TaskContext;
  readonly io: ActionIO;
  readonly secrets: readonly string[];
  /** Retry and rate-limit waits; tests pass tiny ones. */
  readonly githubTimings?: GitHubTimings;
  /** Reads the event payload file; tests may pass their own. */
  readonly readText?: (file: string) => string;
}

export { renderSummary };

export async function publishResults(args: PublishArgs): Promise<void> {
  const { inputs, state, ctx, secrets } = args;
  const log = ctx.log;
  const event = readEventContext(ctx.env, args.readText);

  await attempt(log, 'write the job summary', () =>
    args.io.appendSummary(renderSummary({ ...args, runUrl: event.runUrl }))
  );
  await publishToGitHub(args, event);

  if (inputs.command === 'drift' && state.driftDetected && inputs.failOnDrift && !args.failure) {
    throw new StepError(
      'drift',
      redact(
        `Drift detected on ${inputs.projectId}/${inputs.clusterName} and fail-on-drift is true:\n${state.driftDetails.map((d) => `- ${d}`).join('\n')}`,
        secrets
      )
    );
  }
}

async function publishToGitHub(args: PublishArgs, event: EventContext): Promise<void> {
  const { inputs, state, ctx, secrets } = args;
  const log = ctx.log;
  const wantsComment = inputs.commentOnPr && inputs.command !== 'drift';
  const wantsIssue = inputs.command === 'drift';
  if (!wantsComment && !wantsIssue) return;
  if (!inputs.githubToken) {
    log.info('No github-token: skipping the pull request comment and drift issue.');
    return;
  }
  const client = createGitHubClient({
    token: inputs.githubToken,
    apiUrl: event.apiUrl,
    log,
    ...(args.githubTimings ? { timings: args.githubTimings } : {})
  });

  if (wantsComment) {
    await attempt(log, 'comment on the pull request', async () => {
      const result = await publishPrComment({
        client,
        event,
        inputs,
        state,
        failure: args.failure,
        secrets
      });
      if (result.action === 'skipped') log.debug(`No pull request comment: ${result.reason}.`);
      else
        log.info(`Pull request #${result.pullNumber}: comment ${result.action} (${result.url}).`);
    });
  }
  if (wantsIssue && event.repo) {
    const repo = event.repo;
    await attempt(log, 'update the drift issue', async () => {
      const result = await syncDriftIssue({
        client,
        repo,
        inputs,
        state,
        secrets,
        runUrl: event.runUrl,
        failure: args.failure
      });
      if (result.action !== 'none') log.info(`Drift issue #${result.number}: ${result.action}.`);
    });
  }
}

/** Runs one publishing task; its failure is reported and swallowed. */
async function attempt(log: TaskContext['log'], what: string, task: () => Promise<void>) {
  try {
    await task();
  } catch (error) {
    if (isPermissionDenied(error)) {
      log.notice(
        `Could not ${what} (${describeGitHubError(error)}). The token may not write here: pull requests from forks get a read-only token, and the workflow needs pull-requests: write (comments) or issues: write (drift). The results are in the job summary.`
      );
    } else {
      log.warning(`Could not ${what}: ${describeGitHubError(error)}. The run goes on.`);
    }
  }
}

/** What the dry run prints: the summary and the posts a real run would make, from placeholders. */
export function renderPostsPreview(inputs: Inputs, state: RunState): string {
  const lines = [
    '## What would be posted',
    '',
    '### Job summary',
    '',
    renderSummary({ inputs, state, reports: [], failure: undefined, secrets: [] })
  ];
  if (inputs.command === 'drift') {
    lines.push(
      `### Drift issue (label flyte-drift), when drift is found${inputs.failOnDrift ? '; the job then fails (fail-on-drift)' : ''}`,
      '',
      codeBlock(renderDriftBody(inputs, state, 'this run'), 'markdown')
    );
  } else if (inputs.commentOnPr) {
    lines.push(
      '### Pull request comment (on pull_request events; on a push, the merged pull request)',
      '',
      codeBlock(
        renderComment({
          inputs,
          state,
          failure: undefined,
          secrets: [],
          runUrl: undefined,
          trigger: 'dry run'
        }),
        'markdown'
      )
    );
  } else {
    lines.push('No pull request comment (comment-on-pr is false).');
  }
  return lines.join('\n');
}
