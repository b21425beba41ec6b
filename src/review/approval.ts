/**
 * Whether a pull request was approved at the commit that was merged. Reviews are read as GitHub
 * lists them (oldest first): each reviewer's latest deciding review counts (APPROVED,
 * CHANGES_REQUESTED or DISMISSED; a later COMMENTED review does not withdraw an approval), and an
 * approval counts only when it was given at the pull request's head commit, so a push after the
 * approval is not approved by it.
 */

export interface PullReview {
  readonly user?: { readonly id?: number; readonly login?: string } | null;
  readonly state?: string;
  readonly commit_id?: string | null;
}

export type ApprovalVerdict =
  | { readonly approved: true; readonly approvers: readonly string[] }
  | { readonly approved: false; readonly reason: string };

const DECIDING = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

export function approvalAtHead(
  reviews: readonly PullReview[],
  headSha: string,
  authorLogin: string | undefined
): ApprovalVerdict {
  const latest = new Map<string, PullReview>();
  for (const review of reviews) {
    const who = review.user?.login ?? String(review.user?.id ?? '');
    if (!who || who === authorLogin || !DECIDING.has(review.state ?? '')) continue;
    latest.set(who, review);
  }
  const blocking = [...latest].filter(([, r]) => r.state === 'CHANGES_REQUESTED');
  if (blocking.length > 0) {
    return {
      approved: false,
      reason: `changes were requested by ${blocking.map(([who]) => who).join(', ')}`
    };
  }
  const approvers = [...latest]
    .filter(([, r]) => r.state === 'APPROVED' && r.commit_id === headSha)
    .map(([who]) => who);
  if (approvers.length > 0) return { approved: true, approvers };
  const stale = [...latest].filter(([, r]) => r.state === 'APPROVED').map(([who]) => who);
  return {
    approved: false,
    reason:
      stale.length > 0
        ? `the approval of ${stale.join(', ')} was given at an older commit than the head ${headSha.slice(0, 7)} that was merged`
        : `no approving review at its head commit ${headSha.slice(0, 7)}`
  };
}
