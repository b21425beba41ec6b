/**
 * Flyte 2 runs every task pod in one namespace (flyte-core-components.actions.kubernetes.namespace)
 * and the v2 chart renders co-pilot's storage Secret there, so the namespace must exist before
 * `helm upgrade --install` (the chart's values.yaml says so). Its `default` service account, which
 * task pods use when a task names none (flytek8s pod_helper.go), acts as the tasks' Google account.
 * The namespace's NetworkPolicy comes in the same apply (task-network-policy.ts).
 */
import type { Inputs } from '../inputs.js';
import type { RunState, TerraformOutputs } from '../engine/state.js';
import type { ExecStep } from '../engine/types.js';
import { StepError } from '../errors.js';
import { applyStdinArgs } from '../tools/kubectl/args.js';
import { WORKLOAD_IDENTITY_ANNOTATION } from '../values/patch.js';
import { flyte2Names } from './names.js';
import { flyte2TasksNetworkPolicy } from './task-network-policy.js';

const STEP = 'flyte2-task-namespace';

/**
 * The Google account the task pods act as: the module's Flyte 2 tasks account, else a custom
 * module's shared `tasks_service_account`. Never the manager's own account, which writes every
 * object and signs upload URLs; with neither, task pods get no Google access (fails closed).
 */
export function flyte2TasksAccount(outputs: TerraformOutputs): string | undefined {
  const account = outputs.flyte2TasksServiceAccount ?? outputs.tasksServiceAccount;
  if (account !== undefined && account === outputs.serviceAccount) {
    throw new StepError(
      STEP,
      `Terraform gives ${account}, the Flyte manager's own Google account, as the Flyte 2 tasks' account. Task pods run user code and must not act as the manager: give flyte2_tasks_service_account an account of its own (the bundled module does when flyte2_task_namespace is set).`
    );
  }
  return account;
}

export function taskNamespaceManifest(
  namespace: string,
  tasksAccount: string | undefined,
  networkPolicy: Record<string, unknown>
): string {
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
          // No account: no annotation, so workload identity gives the pods nothing.
          ...(tasksAccount ? { annotations: { [WORKLOAD_IDENTITY_ANNOTATION]: tasksAccount } } : {})
        }
      },
      networkPolicy
    ]
  });
}

/** Server-side apply: a second run with the same account changes nothing. */
export function taskNamespaceStep(inputs: Inputs, state: RunState): ExecStep {
  const { taskNamespace } = flyte2Names(inputs);
  const account = state.tfOutputs
    ? flyte2TasksAccount(state.tfOutputs)
    : '<flyte2_tasks_service_account>';
  const acting = account
    ? `its default service account acts as ${account}`
    : 'no Google account: Terraform gives no flyte2_tasks_service_account, so task pods get no Google access';
  const policy = flyte2TasksNetworkPolicy(inputs, state.tfOutputs?.podsCidr);
  // Flyte 2 tasks start child actions through the manager's API (the chart's _U_EP_OVERRIDE).
  const api = inputs.tasksReachFlyteApi
    ? 'task pods may call the Flyte API on 8090 (tasks-reach-flyte-api), not the webhook'
    : 'task pods cannot reach the Flyte manager, so tasks cannot start child actions (tasks-reach-flyte-api: false)';
  return {
    kind: 'exec',
    id: STEP,
    title: `Create namespace ${taskNamespace} for Flyte 2 task pods (${acting}) and its NetworkPolicy (${api})`,
    mutates: true,
    tool: 'kubectl',
    args: applyStdinArgs(),
    stdin: taskNamespaceManifest(taskNamespace, account, policy)
  };
}
