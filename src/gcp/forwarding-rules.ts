/**
 * Forwarding rules of internal (regional managed proxy) load balancers, read through Compute's
 * forwardingRules.aggregatedList (compute.forwardingRules.list) instead of `gcloud compute
 * forwarding-rules list`. The filter keeps loadBalancingScheme INTERNAL_MANAGED. GKE's ingress
 * controller writes the Ingress it serves into a rule's description as JSON
 * (`kubernetes.io/ingress-name`).
 */
import { aggregatedList, aggregatedPath } from './compute-aggregated.js';
import type { GoogleApi } from './google-api.js';

export const INTERNAL_RULES_FILTER = 'loadBalancingScheme eq "INTERNAL_MANAGED"';

export interface ForwardingRuleResource {
  readonly name: string;
  readonly region?: string;
  readonly description?: string;
  readonly loadBalancingScheme?: string;
}

export function describeInternalRulesList(project: string): string {
  return `GET https://compute.googleapis.com${aggregatedPath(project, 'forwardingRules')}?filter=${INTERNAL_RULES_FILTER} (every page; compute.forwardingRules.list)`;
}

export function listInternalForwardingRules(api: GoogleApi, project: string) {
  return aggregatedList<ForwardingRuleResource>(
    api,
    project,
    'forwardingRules',
    INTERNAL_RULES_FILTER
  );
}

/** Names of the rules that serve NAMESPACE/INGRESS. */
export function forwardingRulesOf(
  rules: readonly ForwardingRuleResource[],
  namespace: string,
  ingress: string
): string[] {
  return rules
    .filter((rule) => {
      try {
        const d = JSON.parse(rule.description ?? '') as Record<string, unknown>;
        return d['kubernetes.io/ingress-name'] === `${namespace}/${ingress}`;
      } catch {
        return false;
      }
    })
    .map((rule) => rule.name);
}
