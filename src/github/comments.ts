/** One comment per marker on an issue or pull request: found, then updated in place or created. */
import type { GitHubClient } from './client.js';
import type { RepoRef } from './event.js';

export type CommentOutcome = {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
};

export async function findMarkedComment(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string
): Promise<{ id: number; body: string; url: string } | undefined> {
  // Paginated: on a busy pull request the comment may be far past the first page.
  for await (const page of client.paginate.iterator(client.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100
  })) {
    const found = page.data.find((comment) => comment.body?.includes(marker));
    if (found) return { id: found.id, body: found.body ?? '', url: found.html_url };
  }
  return undefined;
}

export async function upsertMarkedComment(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  body: string
): Promise<CommentOutcome> {
  const existing = await findMarkedComment(client, repo, issueNumber, marker);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.url };
    const { data } = await client.rest.issues.updateComment({
      ...repo,
      comment_id: existing.id,
      body
    });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await client.rest.issues.createComment({
    ...repo,
    issue_number: issueNumber,
    body
  });
  return { action: 'created', id: data.id, url: data.html_url };
}

/** Pull requests that contain a commit: how a push after a merge finds the pull request. */
export async function pullRequestsForCommit(
  client: GitHubClient,
  repo: RepoRef,
  sha: string
): Promise<number[]> {
  const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha
  });
  // Prefer merged pull requests: they are the ones this push deployed.
  const ordered = [...data].sort(
    (a, b) => Number(Boolean(b.merged_at)) - Number(Boolean(a.merged_at))
  );
  return ordered.map((pull) => pull.number);
}
