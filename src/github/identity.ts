/**
 * Who the token writes as, so that only comments this action could have written are trusted.
 *
 * A personal or user token answers `GET /user` with its login. An installation token (the job's
 * GITHUB_TOKEN, or a GitHub App's) gets 403 there; GITHUB_TOKEN's comments are authored by the
 * GitHub Actions app's bot user, `github-actions[bot]` (type `Bot`), and carry
 * `performed_via_github_app.slug` `github-actions` when GitHub reports it. Another app's token
 * is not recognised: its comments do not count, and the deploy says whose comment it found.
 */
import type { GitHubClient } from './client.js';
import { httpStatus } from './errors.js';

export interface CommentAuthor {
  readonly login: string;
  /** `Bot` for an app's bot user, `User` for a person. */
  readonly type: 'Bot' | 'User';
  /** The app a bot comment must be performed through. */
  readonly appSlug?: string;
}

export const ACTIONS_BOT: CommentAuthor = {
  login: 'github-actions[bot]',
  type: 'Bot',
  appSlug: 'github-actions'
};

/** The author fields of a comment as the REST API returns them. */
export interface AuthoredComment {
  readonly user?: { readonly login?: string; readonly type?: string } | null;
  readonly performed_via_github_app?: { readonly slug?: string } | null;
}

export async function tokenAuthor(client: GitHubClient): Promise<CommentAuthor> {
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return { login: data.login, type: data.type === 'Bot' ? 'Bot' : 'User' };
  } catch (error) {
    // 403 "Resource not accessible by integration": an installation token.
    if (httpStatus(error) === 403) return ACTIONS_BOT;
    throw error;
  }
}

export function writtenBy(comment: AuthoredComment, author: CommentAuthor): boolean {
  if (comment.user?.login !== author.login || comment.user.type !== author.type) return false;
  const app = comment.performed_via_github_app?.slug;
  // An app slug, when GitHub reports one, must be the expected app's.
  return app === undefined || author.appSlug === undefined || app === author.appSlug;
}

/** `login (type)` for messages. */
export function describeAuthor(comment: AuthoredComment): string {
  return `${comment.user?.login ?? 'an unknown user'}${comment.user?.type ? ` (${comment.user.type})` : ''}`;
}
