/**
 * Cluster credentials in a private kubeconfig (never ~/.kube/config): a new 0600 file in a new
 * 0700 folder under RUNNER_TEMP, the folder removed by the post step (gke-gcloud-auth-plugin
 * caches its token in gke_gcloud_auth_plugin_cache beside the kubeconfig, so it goes too), exported as KUBECONFIG for this action's tools and the
 * job's later steps. The entry gcloud writes runs gke-gcloud-auth-plugin, which mints a fresh
 * token whenever the old one expires, so kubectl and Helm keep working through waits longer
 * than a token's hour.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { runChecked } from '../engine/run-checked.js';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { TaskContext } from '../engine/types.js';
import { getCredentialsArgs, type ClusterRef } from '../tools/gcloud/args.js';
import { writePrivateFile } from './external-account.js';

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
  mkdirSync(dir, { recursive: true });
  const folder = mkdtempSync(path.join(dir, 'flyte-gke-kube-'));
  ctx.registerCleanup(folder);
  const kubeconfig = writePrivateFile(folder, 'kubeconfig', '');
  const env = { KUBECONFIG: kubeconfig, USE_GKE_GCLOUD_AUTH_PLUGIN: 'True' };
  const args = getCredentialsArgs(cluster);
  const result = await runChecked(ctx, {
    stepId: 'cluster-credentials',
    title: 'Getting cluster credentials',
    tool: 'gcloud',
    args,
    env,
    ...(need === 'optional' ? { okExitCodes: 'any' as const } : {}),
    explainFailure: (failed) =>
      `Could not get credentials for cluster ${cluster.name} in ${cluster.location} (project ${cluster.project}): gcloud exited with ${failed.exitCode}. Check that the cluster exists and that the identity has roles/container.developer or container.clusterViewer.`
  });
  if (result.exitCode !== 0) {
    ctx.log.info(
      `No credentials for cluster ${cluster.name} in ${cluster.location} yet (${result.stderr.trim().split('\n').at(-1) || `exit ${result.exitCode}`}); the cluster is read after the apply.`
    );
    return false;
  }
  for (const [name, value] of Object.entries(env)) ctx.exportVariable(name, value);
  ctx.state.kubeconfigPath = kubeconfig;
  return true;
}
