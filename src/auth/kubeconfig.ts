/**
 * Cluster credentials in a private kubeconfig (never ~/.kube/config): a new 0600 file in a new
 * 0700 folder under RUNNER_TEMP, the folder removed by the post step (the credential plugin keeps
 * its token in a file beside the kubeconfig, so it goes too), exported as KUBECONFIG for this
 * action's tools and the job's later steps. The endpoint and CA come from the GKE API, the user is
 * the action's own exec credential plugin (exec-kubeconfig.ts), so no gcloud and no
 * gke-gcloud-auth-plugin is needed, and tokens still refresh through waits longer than an hour.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { TaskContext } from '../engine/types.js';
import { ENDPOINT_VARIABLE } from '../gcp/endpoints.js';
import { clusterPath, readClusterAccess } from '../gcp/gke-cluster.js';
import type { ClusterRef } from '../gcp/cluster-ref.js';
import { bundledPluginScript, credentialPlugin, execKubeconfig } from './exec-kubeconfig.js';
import { writePrivateFile } from './external-account.js';

/** The token file the plugin keeps beside the kubeconfig. */
export const TOKEN_CACHE_FILE = 'token-cache.json';

/** The cluster Terraform reported, else the one the inputs name. */
export function clusterRef(inputs: Inputs, state: RunState): ClusterRef {
  return {
    name: state.tfOutputs?.clusterName ?? inputs.clusterName,
    location: state.tfOutputs?.clusterLocation ?? inputs.region,
    project: state.tfOutputs?.projectId ?? inputs.projectId
  };
}

export async function fetchClusterCredentials(ctx: TaskContext): Promise<void> {
  await writeKubeconfig(ctx, clusterRef(ctx.inputs, ctx.state), 'required');
}

/**
 * Credentials for the cluster the inputs name, before Terraform has said anything: false (and
 * nothing exported) when gcloud cannot get them, as when the first deploy has not made it yet.
 */
export async function fetchCredentialsIfClusterExists(ctx: TaskContext): Promise<boolean> {
  const cluster = clusterRef(ctx.inputs, ctx.state);
  const fetched = await writeKubeconfig(ctx, cluster, 'optional');
  if (fetched) ctx.state.readAheadCluster = cluster;
  return fetched;
}

/** Same cluster: name, location and project. */
export function sameCluster(a: ClusterRef, b: ClusterRef): boolean {
  return a.name === b.name && a.location === b.location && a.project === b.project;
}

/** The GET the credentials step makes, for the dry run. */
export function describeClusterRead(cluster: ClusterRef): string {
  return `GET https://container.googleapis.com${clusterPath(cluster)} (endpoint, masterAuth.clusterCaCertificate)`;
}

/** What fetchClusterCredentials does, for a dry run and the summary. */
export function describeClusterCredentials(cluster: ClusterRef): string {
  return [
    describeClusterRead(cluster),
    'then KUBECONFIG = a new 0600 file under RUNNER_TEMP (removed by the post step), exported as KUBECONFIG;',
    "its user is the action's exec credential plugin (dist/credential), so tokens refresh through long waits without gcloud."
  ].join('\n');
}

async function writeKubeconfig(
  ctx: TaskContext,
  cluster: ClusterRef,
  need: 'required' | 'optional'
): Promise<boolean> {
  const dir = ctx.env.RUNNER_TEMP;
  if (!dir)
    throw new StepError(
      'cluster-credentials',
      'RUNNER_TEMP is not set; this action runs on GitHub Actions runners, which set it.'
    );
  const credentialsFile = ctx.state.credentialsFile;
  if (!ctx.google || !credentialsFile) {
    throw new StepError(
      'cluster-credentials',
      'Cluster credentials were asked for before the auth phase wrote the Google credentials.'
    );
  }
  const where = `cluster ${cluster.name} in ${cluster.location} (project ${cluster.project})`;
  let access;
  try {
    access = await readClusterAccess(ctx.google(), cluster);
  } catch (error) {
    if (need === 'optional') {
      ctx.log.info(
        `No credentials for ${where} yet (${(error as Error).message}); the cluster is read after the apply.`
      );
      return false;
    }
    throw new StepError(
      'cluster-credentials',
      `Could not get credentials for ${where}: ${sentence(error)} Check that the identity has roles/container.clusterViewer (container.clusters.get) or roles/container.developer.`
    );
  }
  if (!access) {
    if (need === 'optional') {
      ctx.log.info(
        `No cluster ${cluster.name} in ${cluster.location} yet; it is read after the apply.`
      );
      return false;
    }
    throw new StepError(
      'cluster-credentials',
      `Could not get credentials for ${where}: GKE answered 404, no such cluster. Check cluster-name, region and project-id, or run deploy first.`
    );
  }
  mkdirSync(dir, { recursive: true });
  const folder = mkdtempSync(path.join(dir, 'flyte-gke-kube-'));
  ctx.registerCleanup(folder);
  const endpointTemplate = ctx.env[ENDPOINT_VARIABLE]?.trim();
  const plugin = credentialPlugin({
    node: process.execPath,
    script: [bundledPluginScript(ctx.state.actionRoot ?? process.cwd())],
    credentialsFile,
    tokenCache: path.join(folder, TOKEN_CACHE_FILE),
    ...(endpointTemplate ? { endpointTemplate } : {})
  });
  const kubeconfig = writePrivateFile(
    folder,
    'kubeconfig',
    execKubeconfig(cluster, access, plugin)
  );
  ctx.log.info(`Wrote a kubeconfig for ${where} (endpoint ${access.endpoint}).`);
  ctx.exportVariable('KUBECONFIG', kubeconfig);
  ctx.state.kubeconfigPath = kubeconfig;
  return true;
}

/** An error's message as one sentence ending in a single full stop. */
function sentence(error: unknown): string {
  return `${(error as Error).message.trim().replace(/\.+$/, '')}.`;
}
