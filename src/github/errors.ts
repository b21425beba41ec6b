/** Classifies GitHub API failures so publishing can say what went wrong and go on. */

export function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** 403/404: the token may not write here (pull requests from forks get a read-only token). */
export function isPermissionDenied(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 403 || status === 404;
}

export function describeGitHubError(error: unknown): string {
  const status = httpStatus(error);
  const message = error instanceof Error ? error.message : String(error);
  return status ? `HTTP ${status}: ${message}` : message;
}
