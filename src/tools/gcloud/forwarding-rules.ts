/**
 * Forwarding rules of internal (regional managed proxy) load balancers. GKE's ingress controller
 * writes the Ingress it serves into a rule's description as JSON (`kubernetes.io/ingress-name`).
 */
export function listInternalForwardingRulesArgs(projectId: string): string[] {
  return [
    'compute',
    'forwarding-rules',
    'list',
    `--project=${projectId}`,
    '--filter=loadBalancingScheme=INTERNAL_MANAGED',
    '--format=json(name,region,description)'
  ];
}

/** Names of the rules that serve NAMESPACE/INGRESS. */
export function forwardingRulesOf(stdout: string, namespace: string, ingress: string): string[] {
  const text = stdout.trim();
  if (text === '') return [];
  const list = JSON.parse(text) as { name?: string; description?: string }[];
  if (!Array.isArray(list)) return [];
  return list
    .filter((rule) => {
      try {
        const d = JSON.parse(rule.description ?? '') as Record<string, unknown>;
        return d['kubernetes.io/ingress-name'] === `${namespace}/${ingress}`;
      } catch {
        return false;
      }
    })
    .map((rule) => String(rule.name ?? ''))
    .filter(Boolean);
}
