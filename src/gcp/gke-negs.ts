/**
 * Network endpoint groups the GKE NEG controller creates for the Flyte Services (the values turn
 * on container-native load balancing), read through Compute's networkEndpointGroups.aggregatedList
 * (compute.networkEndpointGroups.list) instead of `gcloud compute network-endpoint-groups list`.
 * The controller deletes them some time after the Services go; a subnet that still holds one
 * cannot be destroyed.
 *
 * GKE names a NEG k8s1-HASH-NAMESPACE-SERVICE-PORT-HASH with namespace, service and port trimmed
 * together to 38 characters, so a name says little for longer names (`flyte-prod`, a long
 * release). Its description is JSON holding the full namespace and service name
 * (ingress-gce StandardNEGDescription: cluster-uid, namespace, service-name, port): match on that.
 */
import { aggregatedList, aggregatedPath } from './compute-aggregated.js';
import type { GoogleApi } from './google-api.js';

export const NEG_FILTER = 'name eq "k8s1-.*"';

export interface NegResource {
  readonly name: string;
  readonly zone?: string;
  readonly description?: string;
}

export function describeNegList(project: string): string {
  return `GET https://compute.googleapis.com${aggregatedPath(project, 'networkEndpointGroups')}?filter=${NEG_FILTER} (every page; compute.networkEndpointGroups.list)`;
}

export function listGkeNegs(api: GoogleApi, project: string) {
  return aggregatedList<NegResource>(api, project, 'networkEndpointGroups', NEG_FILTER);
}

interface NegDescription {
  readonly namespace?: string;
  readonly 'service-name'?: string;
}

const description = (text: unknown): NegDescription => {
  if (typeof text !== 'string') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as NegDescription) : {};
  } catch {
    return {};
  }
};

/** Names of the NEGs that belong to one of these Services of the namespace. */
export function flyteNegNames(
  negs: readonly NegResource[],
  namespace: string,
  services: readonly string[]
): string[] {
  return negs
    .filter((neg) => {
      const desc = description(neg.description);
      return desc.namespace === namespace && services.includes(desc['service-name'] ?? '');
    })
    .map((neg) => neg.name);
}
