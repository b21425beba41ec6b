/** Parsers for what Helm says about a deployed release. */
import { StepError } from '../../errors.js';
import type { HelmRelease } from '../../engine/state.js';
import { isReleaseNotFound } from './args.js';

/**
 * `helm get metadata -o json`: the deployed chart and app versions. Undefined when the release
 * does not exist yet (a first deploy); any other failure is an error.
 */
export function parseReleaseMetadata(
  stepId: string,
  result: { exitCode: number; stdout: string; stderr: string }
): Pick<HelmRelease, 'chartVersion' | 'appVersion'> | undefined {
  if (result.exitCode !== 0) {
    if (isReleaseNotFound(`${result.stderr}\n${result.stdout}`)) return undefined;
    throw new StepError(
      stepId,
      `Could not read the Helm release: ${lastLine(result.stderr || result.stdout)}. Check that the cluster credentials work (kubectl get ns).`,
      result.exitCode
    );
  }
  const data = parseJson(stepId, result.stdout) as Record<string, unknown>;
  const chartVersion = typeof data.version === 'string' ? data.version : '';
  const appVersion = typeof data.appVersion === 'string' ? data.appVersion : '';
  if (!chartVersion) throw new StepError(stepId, 'helm get metadata returned no chart version.');
  return { chartVersion, appVersion };
}

export function parseJson(stepId: string, text: string): unknown {
  try {
    return JSON.parse(text.trim() || 'null') as unknown;
  } catch {
    // The text may hold values with secrets: never quote it.
    throw new StepError(stepId, 'Helm did not print valid JSON.');
  }
}

/** Chart versions compare without a leading `v` (`v1.16.8` equals `1.16.8`). */
export function sameChartVersion(a: string | undefined, b: string | undefined): boolean {
  const norm = (v: string | undefined) => (v ?? '').replace(/^v/, '');
  return a !== undefined && b !== undefined && norm(a) === norm(b);
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-1)[0] ?? '';
}
