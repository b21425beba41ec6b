/**
 * Helm argument arrays. Helm 3 and 4 differ in one flag we use: `--atomic` became
 * `--rollback-on-failure` in Helm 4; the installed version picks the form (Helm 3 by default).
 */

export const FLYTE_REPO = { name: 'flyteorg', url: 'https://flyteorg.github.io/flyte' } as const;
export const FLYTE_CHART = `${FLYTE_REPO.name}/flyte-binary`;

/** The major version of an installed Helm (`3.19.0`, `v4.1.4`); 3 when unknown. */
export function helmMajor(version: string | undefined): number {
  const match = /^v?([0-9]+)\./.exec(version ?? '');
  return match ? Number(match[1]) : 3;
}

/** Renders a chart archive locally with a values file; nothing reaches a cluster. */
export function templateArgs(
  release: string,
  chart: string,
  namespace: string,
  valuesFile: string
): string[] {
  return ['template', release, chart, '--namespace', namespace, '--values', valuesFile];
}

export interface UpgradeOptions {
  readonly release: string;
  /** A repository chart (`flyteorg/flyte-binary`) or a local chart folder. */
  readonly chart: string;
  /** Omitted for a local chart, whose folder fixes the version. */
  readonly version?: string;
  readonly namespace: string;
  readonly valuesFiles?: readonly string[];
  /** `--set-string` pairs; never secrets (they would be in argv). */
  readonly setString?: Readonly<Record<string, string>>;
  /** `--set` pairs for booleans and numbers. */
  readonly set?: Readonly<Record<string, string | number | boolean>>;
  readonly timeoutSeconds: number;
  readonly helmVersion?: string;
}

export function upgradeInstallArgs(o: UpgradeOptions): string[] {
  const args = ['upgrade', '--install', o.release, o.chart];
  if (o.version) args.push('--version', o.version);
  args.push('--namespace', o.namespace, '--create-namespace');
  for (const file of o.valuesFiles ?? []) args.push('--values', file);
  for (const [key, value] of Object.entries(o.set ?? {})) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(o.setString ?? {}))
    args.push('--set-string', `${key}=${value}`);
  args.push(
    '--wait',
    helmMajor(o.helmVersion) >= 4 ? '--rollback-on-failure' : '--atomic',
    '--timeout',
    `${o.timeoutSeconds}s`
  );
  return args;
}

export function getMetadataArgs(release: string, namespace: string): string[] {
  return ['get', 'metadata', release, '--namespace', namespace, '--output', 'json'];
}

/** User-supplied values of the release; they hold the database password, so run it quiet. */
export function getValuesArgs(release: string, namespace: string): string[] {
  return ['get', 'values', release, '--namespace', namespace, '--output', 'json'];
}

/** `--ignore-not-found` is not in every Helm 3, so "not found" is judged from the output. */
export function uninstallArgs(
  release: string,
  namespace: string,
  timeoutSeconds: number
): string[] {
  return [
    'uninstall',
    release,
    '--namespace',
    namespace,
    '--wait',
    '--timeout',
    `${timeoutSeconds}s`
  ];
}

/** Helm's answer when a release does not exist (`release: not found`). */
export function isReleaseNotFound(output: string): boolean {
  return /release: not found/i.test(output);
}
