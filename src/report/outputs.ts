/** Maps what the run learned to the action's outputs. */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import { valuesDiff } from './sections.js';

const strip = (version: string) => version.replace(/^v/, '');

/**
 * Whether applying a saved plan would change anything: Terraform changes, or flyte-binary not
 * installed, on another chart, or with other values than its record shows. A plan cannot compare
 * value digests (it never reads the database password), so a change only in a masked value goes
 * unseen here; `upgrade` deploys it.
 */
export function deployNeeded(inputs: Inputs, state: RunState): boolean {
  if (state.planHasChanges !== false) return true;
  const previous = state.previousRelease;
  if (!previous || strip(previous.chartVersion) !== strip(inputs.chartVersion)) return true;
  if (!previous.values) return true;
  return valuesDiff(state, []) !== '';
}

export function actionOutputs(inputs: Inputs, state: RunState): Record<string, string> {
  const tf = state.tfOutputs;
  const outputs: Record<string, string> = {
    'cluster-name': tf?.clusterName ?? inputs.clusterName,
    'cluster-location': tf?.clusterLocation ?? inputs.region
  };
  if (state.consoleUrl) outputs['console-url'] = state.consoleUrl;
  if (state.clientConfig) outputs['client-config'] = state.clientConfig;
  if (state.domain) outputs.domain = state.domain;
  if (state.ingressIp) outputs['ingress-ip'] = state.ingressIp;
  if (tf?.bucketName) outputs['bucket-name'] = tf.bucketName;
  if (tf?.serviceAccount) outputs['service-account'] = tf.serviceAccount;
  if (state.planHasChanges !== undefined)
    outputs['plan-has-changes'] = String(state.planHasChanges);
  if (state.driftDetected !== undefined) outputs['drift-detected'] = String(state.driftDetected);
  if (state.savedPlanDigest) {
    outputs['saved-plan-digest'] = state.savedPlanDigest;
    outputs['deploy-needed'] = String(deployNeeded(inputs, state));
  }
  return outputs;
}

export function setActionOutputs(
  inputs: Inputs,
  state: RunState,
  set: (name: string, value: string) => void
): void {
  for (const [name, value] of Object.entries(actionOutputs(inputs, state))) set(name, value);
}
