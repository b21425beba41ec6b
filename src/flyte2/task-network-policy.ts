/**
 * The Flyte 2 task namespace's NetworkPolicy. Flyte 2 has no cluster resource controller to fill
 * Flyte 1's template, and runs every task pod in one namespace, so the policy is applied with
 * that namespace (task-namespace.ts). The same rule as Flyte 1 (values/task-network-policy.ts):
 * task pods may send anywhere but to the manager pod, which serves the API on 8090 and the
 * webhook on 9443 and 9444 without asking who calls from inside the cluster. Its pods carry the
 * chart's labels `app.kubernetes.io/component: flyte-binary` and `instance: RELEASE`, checked
 * against the rendered v2.0.42 chart (test/flyte2-task-network-policy.test.ts).
 */
import type { Inputs } from '../inputs.js';
import { tasksNetworkPolicy } from '../values/task-network-policy.js';
import { FLYTE2_HTTP_PORT, flyte2Names } from './names.js';

export function flyte2TasksNetworkPolicy(
  inputs: Pick<Inputs, 'namespace' | 'releaseName' | 'tasksReachFlyteApi'>,
  podsCidr: string | undefined
): Record<string, unknown> {
  return tasksNetworkPolicy({
    flyteNamespace: inputs.namespace,
    release: inputs.releaseName,
    podsCidr,
    // tasks-reach-flyte-api opens the API port only, never the webhook's.
    allowFlyteApi: inputs.tasksReachFlyteApi,
    apiPorts: [FLYTE2_HTTP_PORT],
    namespace: flyte2Names(inputs).taskNamespace
  });
}
