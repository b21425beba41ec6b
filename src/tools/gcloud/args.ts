/** Argument arrays for the gcloud commands the tools and auth phases run. */

export function versionArgs(): string[] {
  return ['version', '--format=json'];
}

export interface ClusterRef {
  readonly name: string;
  readonly location: string;
  readonly project: string;
}

export function getCredentialsArgs(cluster: ClusterRef): string[] {
  return [
    'container',
    'clusters',
    'get-credentials',
    cluster.name,
    '--location',
    cluster.location,
    '--project',
    cluster.project
  ];
}
