/** Argument arrays for the gcloud commands the tools and auth phases run. */

/** The components the action needs: kubectl, and the plugin kubectl uses to get GKE tokens. */
export const GCLOUD_COMPONENTS = ['kubectl', 'gke-gcloud-auth-plugin'] as const;

export function componentsInstallArgs(components: readonly string[]): string[] {
  return ['components', 'install', ...components, '--quiet'];
}

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
