/**
 * One attempt of a workflow run, `GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{n}`:
 * its status (`completed` once it has ended, whatever its conclusion), start and last update. A
 * token without `actions: read` gets 403 or 404 on a private repository: the caller then cannot
 * prove anything and says so.
 */
import type { GitHubClient } from './client.js';
import { httpStatus } from './errors.js';
import type { RepoRef } from './event.js';
import type { RunAttempt } from '../terraform/lock-holder.js';

const time = (value: string | null | undefined) => {
  const ms = value ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

export async function workflowRunAttempt(
  client: GitHubClient,
  repo: RepoRef,
  runId: number,
  attempt: number
): Promise<RunAttempt | undefined> {
  try {
    const { data } = await client.rest.actions.getWorkflowRunAttempt({
      ...repo,
      run_id: runId,
      attempt_number: attempt
    });
    const startedAt = time(data.run_started_at);
    const updatedAt = time(data.updated_at);
    return {
      id: data.id,
      attempt: data.run_attempt ?? 1,
      status: data.status ?? '',
      ...(data.conclusion ? { conclusion: data.conclusion } : {}),
      htmlUrl: data.html_url,
      repository: data.repository.full_name,
      repositoryId: String(data.repository.id),
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(updatedAt !== undefined ? { updatedAt } : {})
    };
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}
