/**
 * `helm history -o json` and what it says about a release an interrupted run left behind.
 * Helm 3.18 and 4.1 print the same fields per revision (`revision`, `updated`, `status`, `chart`,
 * `app_version`, `description`; pkg/cmd/history.go `releaseInfo`). An upgrade refuses a release
 * whose last revision is pending (`another operation (install/upgrade/rollback) is in progress`,
 * pkg/action/upgrade.go), while `helm rollback` does not check: it writes a new revision copying
 * the target and supersedes the deployed ones (pkg/action/rollback.go), which is how a stuck
 * release is freed.
 */
import { StepError } from '../../errors.js';
import { isReleaseNotFound } from './args.js';
import { parseJson } from './release.js';

export interface HelmRevision {
  readonly revision: number;
  readonly status: string;
  /** Epoch milliseconds; undefined when Helm printed no time. */
  readonly updated?: number;
  readonly chart: string;
}

export const PENDING_STATUSES = ['pending-install', 'pending-upgrade', 'pending-rollback'] as const;

export function historyArgs(release: string, namespace: string): string[] {
  return ['history', release, '--namespace', namespace, '--output', 'json', '--max', '20'];
}

/**
 * Bare `--wait` is Helm 3's boolean and Helm 4's `--wait` with its default strategy (`watcher`);
 * `--wait=watcher` would fail on Helm 3. Both take `--timeout` and `--cleanup-on-fail`.
 */
export function rollbackArgs(
  release: string,
  revision: number | string,
  namespace: string,
  timeoutSeconds: number
): string[] {
  return [
    'rollback',
    release,
    String(revision),
    '--namespace',
    namespace,
    '--wait',
    '--timeout',
    `${timeoutSeconds}s`,
    '--cleanup-on-fail'
  ];
}

/** The revisions, oldest first; empty when the release does not exist. */
export function parseHistory(
  stepId: string,
  result: { exitCode: number; stdout: string; stderr: string }
): HelmRevision[] {
  if (result.exitCode !== 0) {
    if (isReleaseNotFound(`${result.stderr}\n${result.stdout}`)) return [];
    throw new StepError(
      stepId,
      `Could not read the Helm release history: ${(result.stderr || result.stdout).trim().split('\n').slice(-1)[0] ?? ''}`,
      result.exitCode
    );
  }
  const data = parseJson(stepId, result.stdout);
  if (!Array.isArray(data)) throw new StepError(stepId, 'helm history did not print a JSON list.');
  return data
    .map((entry: Record<string, unknown>) => {
      const updated = typeof entry.updated === 'string' ? Date.parse(entry.updated) : NaN;
      return {
        revision: Number(entry.revision),
        status: String(entry.status ?? ''),
        chart: String(entry.chart ?? ''),
        ...(Number.isFinite(updated) ? { updated } : {})
      };
    })
    .filter((r) => Number.isInteger(r.revision))
    .sort((a, b) => a.revision - b.revision);
}

export type Recovery =
  | { readonly kind: 'none' }
  | { readonly kind: 'rollback'; readonly pending: HelmRevision; readonly to: HelmRevision }
  | { readonly kind: 'uninstall'; readonly pending: HelmRevision }
  /** Pending, but nothing to go back to that the action may choose by itself. */
  | { readonly kind: 'manual'; readonly pending: HelmRevision };

/** What to do with a release, judged from its history alone (who may act is decided elsewhere). */
export function recoveryFor(history: readonly HelmRevision[]): Recovery {
  const last = history.at(-1);
  if (!last || !(PENDING_STATUSES as readonly string[]).includes(last.status)) {
    return { kind: 'none' };
  }
  const deployed = history.filter((r) => r.status === 'deployed').at(-1);
  if (deployed) return { kind: 'rollback', pending: last, to: deployed };
  // Never deployed: only a first install that never finished may be removed.
  if (last.status === 'pending-install' && history.length === 1) {
    return { kind: 'uninstall', pending: last };
  }
  return { kind: 'manual', pending: last };
}
