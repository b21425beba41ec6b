/**
 * Network endpoint groups the GKE NEG controller creates for the Flyte Services (the values turn
 * on container-native load balancing). The controller deletes them some time after the Services
 * go; a subnet that still holds one cannot be destroyed.
 *
 * GKE names a NEG k8s1-HASH-NAMESPACE-SERVICE-PORT-HASH with namespace, service and port trimmed
 * together to 38 characters, so a name says little for longer names (`flyte-prod`, a long
 * release). Its description is JSON holding the full namespace and service name
 * (ingress-gce StandardNEGDescription: cluster-uid, namespace, service-name, port): match on that.
 */

/** Every GKE-made NEG of the project, with its description. */
export function listGkeNegsArgs(projectId: string): string[] {
  return [
    'compute',
    'network-endpoint-groups',
    'list',
    `--project=${projectId}`,
    '--filter=name~^k8s1-',
    '--format=json(name,zone,description)'
  ];
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
  stdout: string,
  namespace: string,
  services: readonly string[]
): string[] {
  const text = stdout.trim();
  if (text === '') return [];
  const list = JSON.parse(text) as { name?: string; description?: string }[];
  if (!Array.isArray(list)) return [];
  return list
    .filter((neg) => {
      const desc = description(neg.description);
      return desc.namespace === namespace && services.includes(desc['service-name'] ?? '');
    })
    .map((neg) => String(neg.name ?? ''))
    .filter(Boolean);
}
