/** Argument arrays for the gcloud commands the action runs (only its install check now). */

export function versionArgs(): string[] {
  return ['version', '--format=json'];
}
