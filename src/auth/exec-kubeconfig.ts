/**
 * The kubeconfig the action writes for a GKE cluster: the endpoint and CA from the GKE API, and a
 * user whose token comes from an `exec` credential plugin this action ships
 * (dist/credential/index.js, run by the same node that runs the action). kubectl and Helm run the
 * plugin whenever they need a token and again once the one they hold passes its
 * expirationTimestamp, so a Helm wait longer than a token's hour keeps working without
 * gke-gcloud-auth-plugin (a gcloud component) on the runner.
 * Format: kubernetes.io/docs/reference/config-api/kubeconfig.v1 and client-authentication.v1.
 */
import path from 'node:path';
import { stringify } from 'yaml';
import type { ClusterAccess } from '../gcp/gke-cluster.js';
import type { ClusterRef } from '../gcp/cluster-ref.js';

export const EXEC_CREDENTIAL_API = 'client.authentication.k8s.io/v1';

/** How kubectl starts the plugin: a program, its arguments, extra environment. */
export interface CredentialPlugin {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** The bundled plugin (built by ncc like dist/post) in the action's folder. */
export function bundledPluginScript(actionRoot: string): string {
  return path.join(actionRoot, 'dist', 'credential', 'index.js');
}

/**
 * The plugin's command line: the credentials file it mints tokens from, and the 0600 file beside
 * the kubeconfig where it keeps its token between the many kubectl processes of a run.
 */
export function credentialPlugin(options: {
  readonly node: string;
  readonly script: readonly string[];
  readonly credentialsFile: string;
  readonly tokenCache: string;
  readonly endpointTemplate?: string;
}): CredentialPlugin {
  return {
    command: options.node,
    args: [
      ...options.script,
      '--credentials',
      options.credentialsFile,
      '--token-cache',
      options.tokenCache
    ],
    // Private Service Connect (or a test's loopback Google) reaches the plugin the same way.
    env: options.endpointTemplate ? { FLYTE_GKE_GOOGLE_API_ENDPOINT: options.endpointTemplate } : {}
  };
}

/** Same context name gcloud writes, so scripts that select it keep working. */
export function contextName(cluster: ClusterRef): string {
  return `gke_${cluster.project}_${cluster.location}_${cluster.name}`;
}

export function execKubeconfig(
  cluster: ClusterRef,
  access: ClusterAccess,
  plugin: CredentialPlugin
): string {
  const name = contextName(cluster);
  const server = /^https?:\/\//.test(access.endpoint)
    ? access.endpoint
    : `https://${access.endpoint}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': access.caCertificate } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: EXEC_CREDENTIAL_API,
            command: plugin.command,
            args: [...plugin.args],
            ...(Object.keys(plugin.env).length > 0
              ? { env: Object.entries(plugin.env).map(([n, value]) => ({ name: n, value })) }
              : {}),
            // Never prompts: a CI job has no terminal.
            interactiveMode: 'Never',
            provideClusterInfo: false
          }
        }
      }
    ]
  });
}
