/** kubectl argument arrays. Manifests that hold secrets go on standard input, never in argv. */
import { createHash } from 'node:crypto';

/** Annotation on the IAP OAuth Secret: a digest of the client it holds, to apply only on change. */
export const OAUTH_DIGEST_ANNOTATION = 'flyte-gke-action/oauth-client-digest';

/**
 * Applies the manifest given on standard input, server-side: client-side apply would copy the
 * whole object, secret data included, into the last-applied-configuration annotation, which
 * `kubectl describe` and the console show.
 */
export function applyStdinArgs(): string[] {
  return ['apply', '--server-side', '--field-manager=flyte-gke-action', '--filename', '-'];
}

/** The Ingress as JSON: its annotations name the backend services GKE made for it. */
export function getIngressArgs(name: string, namespace: string): string[] {
  return ['get', 'ingress', name, '--namespace', namespace, '--output', 'json'];
}

export function getManagedCertificateArgs(name: string, namespace: string): string[] {
  return ['get', 'managedcertificate', name, '--namespace', namespace, '--output', 'json'];
}

/**
 * Prints one annotation of a Secret, and nothing when the Secret does not exist. Only the
 * annotation is asked for, so the Secret's data never reaches standard output.
 */
export function getSecretAnnotationArgs(
  name: string,
  namespace: string,
  annotation: string
): string[] {
  // JSONPath needs the dots of a key escaped; slashes and dashes are fine.
  const key = annotation.replace(/\./g, '\\.');
  return [
    'get',
    'secret',
    name,
    '--namespace',
    namespace,
    '--ignore-not-found',
    '--output',
    `jsonpath={.metadata.annotations.${key}}`
  ];
}

/**
 * sha256 over the OAuth client; recorded on the Secret. The client secret is a long random
 * string, so its digest reveals nothing usable.
 */
export function oauthClientDigest(clientId: string, clientSecret: string): string {
  return createHash('sha256')
    .update(`flyte-gke-action/oauth-client\n${clientId}\n${clientSecret}`)
    .digest('hex');
}

/** The named Ingresses that exist, as `ingress.networking.k8s.io/NAME` lines; none is not an error. */
export function getIngressNamesArgs(names: readonly string[], namespace: string): string[] {
  return [
    'get',
    'ingress',
    ...names,
    '--namespace',
    namespace,
    '--ignore-not-found',
    '--output',
    'name'
  ];
}

export function deleteIngressArgs(names: readonly string[], namespace: string): string[] {
  return [
    'delete',
    'ingress',
    ...names,
    '--namespace',
    namespace,
    '--ignore-not-found',
    '--wait=true'
  ];
}

export function deleteSecretArgs(name: string, namespace: string): string[] {
  return ['delete', 'secret', name, '--namespace', namespace, '--ignore-not-found'];
}

/** For the job summary only: the command a user runs on their own machine. */
export function portForwardCommand(namespace: string, service: string, port: number): string {
  return `kubectl port-forward --namespace ${namespace} svc/${service} ${port}:${port}`;
}

/**
 * The IAP OAuth client as a Secret (keys client_id and client_secret, as the BackendConfig
 * expects, and the client's digest as an annotation), together with its namespace so the Secret
 * can be applied before Helm creates it.
 * JSON is YAML, so `kubectl apply -f -` reads it.
 */
export function oauthSecretManifest(o: {
  readonly name: string;
  readonly namespace: string;
  readonly clientId: string;
  readonly clientSecret: string;
}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: o.name,
          namespace: o.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'flyte-gke-action' },
          annotations: { [OAUTH_DIGEST_ANNOTATION]: oauthClientDigest(o.clientId, o.clientSecret) }
        },
        stringData: { client_id: o.clientId, client_secret: o.clientSecret }
      }
    ]
  });
}

export interface ManagedCertificateStatus {
  /** `Active`, `Provisioning`, `ProvisioningFailed`, ... ('' when not reported yet). */
  readonly status: string;
  /** Per-domain status, e.g. `flyte.example.com: FailedNotVisible`. */
  readonly domains: readonly string[];
  /** metadata.creationTimestamp (ISO), to tell a new certificate from one stuck for hours. */
  readonly createdAt?: string;
}

export function parseManagedCertificate(json: string): ManagedCertificateStatus {
  const data = JSON.parse(json) as {
    metadata?: { creationTimestamp?: string };
    status?: { certificateStatus?: string; domainStatus?: { domain?: string; status?: string }[] };
  };
  return {
    status: data.status?.certificateStatus ?? '',
    domains: (data.status?.domainStatus ?? []).map((d) => `${d.domain ?? '?'}: ${d.status ?? '?'}`),
    ...(data.metadata?.creationTimestamp ? { createdAt: data.metadata.creationTimestamp } : {})
  };
}
