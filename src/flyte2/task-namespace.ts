/**
 * Flyte 2 runs every task pod in one namespace (flyte-core-components.actions.kubernetes.namespace)
 * and the v2 chart renders co-pilot's storage Secret there, so the namespace must exist before
 * `helm upgrade --install` (the chart's values.yaml says so). Its `default` service account, which
 * task pods use when a task names none (flytek8s pod_helper.go), acts as the tasks' Google account.
 */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { ExecStep } from '../engine/types.js';
import { applyStdinArgs } from '../tools/kubectl/args.js';
import { WORKLOAD_IDENTITY_ANNOTATION } from '../values/patch.js';
import { flyte2Names } from './names.js';

export function taskNamespaceManifest(namespace: string, tasksAccount: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: namespace,
          labels: { 'app.kubernetes.io/managed-by': 'flyte-gke-action' }
        }
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'default',
          namespace,
          annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: tasksAccount }
        }
      }
    ]
  });
}

/** Server-side apply: a second run with the same account changes nothing. */
export function taskNamespaceStep(inputs: Inputs, state: RunState): ExecStep {
  const { taskNamespace } = flyte2Names(inputs);
  const outputs = state.tfOutputs;
  const account =
    outputs?.tasksServiceAccount ?? outputs?.serviceAccount ?? '<tasks-service-account>';
  return {
    kind: 'exec',
    id: 'flyte2-task-namespace',
    title: `Create namespace ${taskNamespace} for Flyte 2 task pods (its default service account acts as ${account})`,
    mutates: true,
    tool: 'kubectl',
    args: applyStdinArgs(),
    stdin: taskNamespaceManifest(taskNamespace, account)
  };
}
