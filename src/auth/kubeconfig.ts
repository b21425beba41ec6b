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
  const cluster = clusterRef(ctx.inputs, ctx.state);
  const env = { KUBECONFIG: kubeconfig, USE_GKE_GCLOUD_AUTH_PLUGIN: 'True' };
  const args = getCredentialsArgs(cluster);
  await runChecked(ctx, {
    stepId: 'cluster-credentials',
    title: 'Getting cluster credentials',
    tool: 'gcloud',
    args,
    env,
    explainFailure: (result) =>
      `Could not get credentials for cluster ${cluster.name} in ${cluster.location} (project ${cluster.project}): gcloud exited with ${result.exitCode}. Check that the cluster exists and that the identity has roles/container.developer or container.clusterViewer.`
  });
  for (const [name, value] of Object.entries(env)) ctx.exportVariable(name, value);
  ctx.state.kubeconfigPath = kubeconfig;
}
