/**
 * gcloud arguments for Identity-Aware Proxy on the backend service GKE creates for the HTTP
 * Service. The OAuth client is set through the BackendConfig (its Secret), so `iap web enable`
 * needs no client flags and no secret ever reaches argv.
 */

export const IAP_ACCESSOR_ROLE = 'roles/iap.httpsResourceAccessor';

/** Backend services the GKE Ingress controller created (their names start with `k8s1-`). */
export function listBackendServicesArgs(projectId: string): string[] {
  return [
    'compute',
    'backend-services',
    'list',
    `--project=${projectId}`,
    '--filter=name~^k8s1-',
    '--format=json(name,description)'
  ];
}

/**
 * Picks the backend service of NAMESPACE/SERVICE:PORT. GKE writes that in the description as
 * JSON (`kubernetes.io/service-name`, `kubernetes.io/service-port`); the name
 * `k8s1-…-NAMESPACE-SERVICE-PORT-…` is the fallback, since GKE shortens long names.
 */
export function findBackendService(
  listJson: string,
  target: { readonly namespace: string; readonly service: string; readonly port: number }
): string | undefined {
  let list: unknown;
  try {
    list = JSON.parse(listJson.trim() || '[]');
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const services = list.filter(
    (s): s is { name: string; description?: string } =>
      typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string'
  );
  const byDescription = services.find((s) => {
    try {
      const d = JSON.parse(s.description ?? '') as Record<string, unknown>;
      return (
        d['kubernetes.io/service-name'] === `${target.namespace}/${target.service}` &&
        String(d['kubernetes.io/service-port']) === String(target.port)
      );
    } catch {
      return false;
    }
  });
  if (byDescription) return byDescription.name;
  const infix = `-${target.namespace}-${target.service}-${target.port}-`;
  return services.find((s) => s.name.includes(infix))?.name;
}

export function iapEnableArgs(projectId: string, backendService: string): string[] {
  return [
    'iap',
    'web',
    'enable',
    '--resource-type=backend-services',
    `--service=${backendService}`,
    `--project=${projectId}`
  ];
}

/** Adding a binding that exists already changes nothing, so this is safe to repeat. */
export function iapAddBindingArgs(
  projectId: string,
  backendService: string,
  member: string
): string[] {
  return [
    'iap',
    'web',
    'add-iam-policy-binding',
    '--resource-type=backend-services',
    `--service=${backendService}`,
    `--member=${member}`,
    `--role=${IAP_ACCESSOR_ROLE}`,
    '--condition=None',
    `--project=${projectId}`
  ];
}
