/**
 * Network endpoint groups the GKE NEG controller creates for the Flyte Services (the values turn
 * on container-native load balancing). The controller deletes them some time after the Services
 * go; a subnet that still holds one cannot be destroyed.
 */

/** NEGs of NAMESPACE/RELEASE-flyte-binary-*: GKE names them k8s1-HASH-NAMESPACE-SERVICE-PORT-HASH. */
export function listFlyteNegsArgs(projectId: string, namespace: string, release: string): string[] {
  return [
    'compute',
    'network-endpoint-groups',
    'list',
    `--project=${projectId}`,
    `--filter=name~^k8s1-.*-${namespace}-${release}-flyte-binary-`,
    '--format=json(name,zone)'
  ];
}

/** Names in the JSON list gcloud prints; an empty answer is an empty list. */
export function parseNegNames(stdout: string): string[] {
  const text = stdout.trim();
  if (text === '') return [];
  const list = JSON.parse(text) as { name?: string }[];
  return Array.isArray(list) ? list.map((n) => String(n.name ?? '')).filter(Boolean) : [];
}
