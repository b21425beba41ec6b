/**
 * Health of every backend of the Ingress as Google's load balancer sees it. The GKE ingress
 * controller lists the backend services it made (`k8s1-…`) in the Ingress annotation
 * `ingress.kubernetes.io/backends` (ingress-gce pkg/loadbalancers/l7.go GetLBAnnotations); each
 * backend service names its groups (NEG self links) in `backends[].group`, and
 * `backendServices.getHealth` with `{group}` answers `healthStatus[].healthState` per endpoint.
 * Like the controller (pkg/backends/backends.go Health), one HEALTHY endpoint makes it healthy.
 */
import type { GoogleApi } from './google-api.js';

export const BACKENDS_ANNOTATION = 'ingress.kubernetes.io/backends';

export interface BackendHealth {
  readonly name: string;
  readonly healthy: number;
  readonly endpoints: number;
  /** Every state seen, e.g. `UNHEALTHY 10.0.0.7:8443`. */
  readonly states: readonly string[];
}

/** Backend service names from the Ingress (kubectl get ingress -o json); [] before the controller wrote them. */
export function ingressBackendNames(ingressJson: string): string[] {
  const ingress = JSON.parse(ingressJson) as {
    metadata?: { annotations?: Record<string, string> };
  };
  const text = ingress.metadata?.annotations?.[BACKENDS_ANNOTATION];
  if (!text) return [];
  try {
    const map = JSON.parse(text) as unknown;
    return map && typeof map === 'object' ? Object.keys(map) : [];
  } catch {
    return [];
  }
}

interface BackendService {
  readonly backends?: readonly { readonly group?: string }[];
}

interface GroupHealth {
  readonly healthStatus?: readonly {
    readonly healthState?: string;
    readonly ipAddress?: string;
    readonly port?: number;
  }[];
}

export async function backendHealth(
  google: GoogleApi,
  projectId: string,
  name: string
): Promise<BackendHealth> {
  const base = `/compute/v1/projects/${projectId}/global/backendServices/${name}`;
  const service = await google.request<BackendService>({ service: 'compute', path: base });
  const states: string[] = [];
  for (const { group } of service.backends ?? []) {
    if (!group) continue;
    const health = await google.request<GroupHealth>({
      service: 'compute',
      method: 'POST',
      path: `${base}/getHealth`,
      body: { group }
    });
    for (const status of health.healthStatus ?? []) {
      const where = status.ipAddress ? ` ${status.ipAddress}:${status.port ?? '?'}` : '';
      states.push(`${status.healthState ?? 'UNKNOWN'}${where}`);
    }
  }
  return {
    name,
    healthy: states.filter((s) => s.startsWith('HEALTHY')).length,
    endpoints: states.length,
    states
  };
}
