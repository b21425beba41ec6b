/** One comment per marker on an issue or pull request: found, then updated in place or created. */
import type { GitHubClient } from './client.js';
import type { RepoRef } from './event.js';
import { tokenAuthor, writtenBy, type AuthoredComment, type CommentAuthor } from './identity.js';

export type CommentOutcome = {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  readonly url: string;
};

export interface MarkedComment {
  readonly id: number;
  readonly body: string;
  readonly url: string;
}

/** Every comment that carries the marker, whoever wrote it, in the order GitHub lists them. */
export async function listMarkedComments(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string
): Promise<(MarkedComment & AuthoredComment)[]> {
  const found: (MarkedComment & AuthoredComment)[] = [];
  // Paginated: on a busy pull request the comment may be far past the first page.
  for await (const page of client.paginate.iterator(client.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100
  })) {
    for (const comment of page.data) {
      if (!comment.body?.includes(marker)) continue;
      found.push({
        id: comment.id,
        body: comment.body,
        url: comment.html_url,
        user: comment.user,
        performed_via_github_app: comment.performed_via_github_app
      });
    }
  }
  return found;
}

/**
 * The marked comment this token's identity wrote. Anyone can write the marker into a comment;
 * only the action's own comment is its own, so the others are passed over (and, when the author
 * is asked for, never edited either).
 */
export async function findMarkedComment(
  client: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  author?: CommentAuthor
): Promise<MarkedComment | undefined> {
  const marked = await listMarkedComments(client, repo, issueNumber, marker);
  if (marked.length === 0) return undefined;
  // The identity is asked for only when there is a comment to judge.
  const own = author ?? (await tokenAuthor(client));
  const found = marked.find((comment) => writtenBy(comment, own));
  return found ? { id: found.id, body: found.body, url: found.url } : undefined;
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
