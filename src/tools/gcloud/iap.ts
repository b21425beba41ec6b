/**
 * gcloud arguments for Identity-Aware Proxy on the backend service GKE creates for the HTTP
 * Service. The BackendConfig (with its OAuth Secret) turns IAP on; the action only reads the
 * backend service and its IAM policy and adds members, so no secret ever reaches argv.
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
    '--format=json(name,description,iap.enabled)'
  ];
}

export interface BackendService {
  readonly name: string;
  /** IAP is already on (`iap.enabled` in the backend service). */
  readonly iapEnabled: boolean;
}

/**
 * Picks the backend service of NAMESPACE/SERVICE:PORT. GKE writes that in the description as
 * JSON (`kubernetes.io/service-name`, `kubernetes.io/service-port`); the name
 * `k8s1-…-NAMESPACE-SERVICE-PORT-…` is the fallback, since GKE shortens long names.
 */
export function findBackendService(
  listJson: string,
  target: { readonly namespace: string; readonly service: string; readonly port: number }
): BackendService | undefined {
  let list: unknown;
  try {
    list = JSON.parse(listJson.trim() || '[]');
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const services = list.filter(
    (s): s is { name: string; description?: string; iap?: { enabled?: unknown } } =>
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
  const infix = `-${target.namespace}-${target.service}-${target.port}-`;
  const found = byDescription ?? services.find((s) => s.name.includes(infix));
  return found ? { name: found.name, iapEnabled: found.iap?.enabled === true } : undefined;
}

/** `gcloud iap web VERB` on a backend service, with the verb's own flags before the project. */
function iapWebArgs(
  verb: string,
  projectId: string,
  backendService: string,
  ...flags: string[]
): string[] {
  return [
    'iap',
    'web',
    verb,
    '--resource-type=backend-services',
    `--service=${backendService}`,
    ...flags,
    `--project=${projectId}`
  ];
}

/** The backend service's IAM policy, to add only the members that are not bound yet. */
export function iapGetPolicyArgs(projectId: string, backendService: string): string[] {
  return iapWebArgs('get-iam-policy', projectId, backendService, '--format=json');
}

/**
 * Members that hold the IAP accessor role without a condition, from `get-iam-policy --format=json`
 * (`{"bindings":[{"role":…,"members":[…]}],"etag":…}`; an empty policy has no bindings).
 * Lowercased, as IAM compares emails without case.
 */
export function parseIapAccessors(policyJson: string): string[] {
  let policy: unknown;
  try {
    policy = JSON.parse(policyJson.trim() || '{}');
  } catch {
    throw new Error('gcloud iap web get-iam-policy did not print JSON.');
  }
  const bindings = (policy as { bindings?: unknown }).bindings;
  if (!Array.isArray(bindings)) return [];
  return bindings
    .filter(
      (b): b is { role: string; members?: unknown; condition?: unknown } =>
        typeof b === 'object' && b !== null && (b as { role?: unknown }).role === IAP_ACCESSOR_ROLE
    )
    .filter((b) => b.condition === undefined || b.condition === null)
    .flatMap((b) => (Array.isArray(b.members) ? b.members : []))
    .filter((m): m is string => typeof m === 'string')
    .map((m) => m.toLowerCase());
}

/** Adding a binding that exists already changes nothing; the phase still adds only new members. */
export function iapAddBindingArgs(
  projectId: string,
  backendService: string,
  member: string
): string[] {
  return iapWebArgs(
    'add-iam-policy-binding',
    projectId,
    backendService,
    `--member=${member}`,
    `--role=${IAP_ACCESSOR_ROLE}`,
    '--condition=None'
  );
}
