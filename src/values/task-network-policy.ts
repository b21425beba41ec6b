/**
 * The NetworkPolicy Flyte creates in every PROJECT-DOMAIN namespace, as a cluster resource
 * template (filled per namespace by flyteadmin's cluster resource controller, which also updates
 * it when the template changes). Task pods run user code; flyte-binary answers on its HTTP (8088)
 * and gRPC (8089) ports, the TLS proxy (8443) and the webhook (9443) without asking who calls
 * inside the cluster. So task pods may send anywhere except to the flyte-binary pod.
 *
 * Egress from the task namespaces, not ingress to flyte-binary: what must reach flyte-binary (the
 * load balancer's health checks and proxied requests, the API server calling the webhook, the
 * kubelet's probes, flytepropeller in the same pod) is untouched, so the policy cannot take the
 * deployment down. GKE enforces NetworkPolicy with Dataplane V2 (Autopilot always; Standard
 * clusters the module creates) — docs/network-policy.md.
 */
import { stringify } from 'yaml';

export const TASKS_POLICY_NAME = 'flyte-gke-action-tasks-egress';
export const TASKS_POLICY_TEMPLATE = '003_networkpolicy.yaml';

/** Set by Kubernetes on every namespace (1.22+), immutable: a namespace selected by its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** The flyte-binary chart's selector label for the server pod (connectors are `connector`). */
const COMPONENT_LABEL = 'app.kubernetes.io/component';
const FLYTE_BINARY_COMPONENT = 'flyte-binary';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** flyte-binary's API ports, opened to task pods only by `tasks-reach-flyte-api`. */
export const FLYTE_API_PORTS = [8088, 8089] as const;

/**
 * Private ranges, left out of "anywhere outside the cluster" when the module does not say which
 * range pods use (ipBlock matching pod addresses is left to the implementation).
 */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

export interface TasksPolicyOptions {
  /** Where flyte-binary runs (`namespace` input). */
  readonly flyteNamespace: string;
  /** The flyte-binary release (`release-name` input). */
  readonly release: string;
  /** Pod address range of the cluster (Terraform output pods_cidr), if known. */
  readonly podsCidr: string | undefined;
  /** `tasks-reach-flyte-api`: task pods may call flyteadmin (FlyteRemote, eager workflows). */
  readonly allowFlyteApi: boolean;
  /** The ports that opens (Flyte 1's FLYTE_API_PORTS unless given: Flyte 2 has one). */
  readonly apiPorts?: readonly number[];
  /** The policy's namespace: Flyte 1's template placeholder unless given (Flyte 2 names it). */
  readonly namespace?: string;
}

export function tasksNetworkPolicy(options: TasksPolicyOptions): Record<string, unknown> {
  const inFlyteNamespace = {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: options.flyteNamespace } }
  };
  const egress: Record<string, unknown>[] = [
    {
      to: [
        // Outside the cluster: Google APIs (the bucket), the metadata server, the internet.
        {
          ipBlock: {
            cidr: '0.0.0.0/0',
            except: options.podsCidr ? [options.podsCidr] : PRIVATE_RANGES
          }
        },
        // Every pod of every other namespace (kube-dns among them).
        {
          namespaceSelector: {
            matchExpressions: [
              { key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [options.flyteNamespace] }
            ]
          }
        },
        // The flyte namespace's other pods (connectors, a user's own services).
        {
          ...inFlyteNamespace,
          podSelector: {
            matchExpressions: [
              { key: COMPONENT_LABEL, operator: 'NotIn', values: [FLYTE_BINARY_COMPONENT] }
            ]
          }
        }
      ]
    }
  ];
  if (options.allowFlyteApi) {
    egress.push({
      to: [
        {
          ...inFlyteNamespace,
          podSelector: {
            matchLabels: {
              [COMPONENT_LABEL]: FLYTE_BINARY_COMPONENT,
              [INSTANCE_LABEL]: options.release
            }
          }
        }
      ],
      ports: (options.apiPorts ?? FLYTE_API_PORTS).map((port) => ({ protocol: 'TCP', port }))
    });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: TASKS_POLICY_NAME,
      // Filled in by Flyte per namespace, like the other templates (Flyte 1).
      namespace: options.namespace ?? '{{ namespace }}',
      labels: { 'app.kubernetes.io/managed-by': 'flyte-gke-action' }
    },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress }
  };
}

/** The template text as the chart stores it in its cluster resource templates ConfigMap. */
export function tasksNetworkPolicyTemplate(options: TasksPolicyOptions): string {
  return stringify(tasksNetworkPolicy(options));
}
