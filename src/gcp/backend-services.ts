/**
 * The backend services the GKE Ingress controller made, read through Compute Engine's API instead
 * of `gcloud compute backend-services list`: `GET compute.googleapis.com/compute/v1/projects/P/
 * global/backendServices` (backendServices.list, needs compute.backendServices.list) answers
 * {items: [BackendService], nextPageToken}. The filter `name eq "k8s1-.*"` is the list filter's
 * `field eq literal` form, the literal an RE2 expression that must match the whole name, so only
 * the controller's own (`k8s1-` names) come back. Each BackendService carries `description` (GKE
 * writes the Service and port in it as JSON) and `iap.enabled`.
 * Reference: cloud.google.com/compute/docs/reference/rest/v1/backendServices/list, and for the
 * `iap` fields cloud.google.com/iap/docs/reference/compute-engine-apis.
 */
import type { GoogleApi } from './google-api.js';

export const BACKEND_SERVICES_FILTER = 'name eq "k8s1-.*"';

/** The fields of Google's BackendService resource this action reads. */
export interface BackendServiceResource {
  readonly name: string;
  readonly description?: string;
  readonly iap?: { readonly enabled?: boolean };
}

interface BackendServiceList {
  items?: unknown[];
  nextPageToken?: string;
}

export interface BackendService {
  readonly name: string;
  /** IAP is already on (`iap.enabled` in the backend service). */
  readonly iapEnabled: boolean;
}

export interface BackendTarget {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
}

const listPath = (project: string) =>
  `/compute/v1/projects/${encodeURIComponent(project)}/global/backendServices`;

/** The request the list makes, for the dry run. */
export function describeBackendServicesList(project: string): string {
  return `GET https://compute.googleapis.com${listPath(project)}?filter=${BACKEND_SERVICES_FILTER} (compute.backendServices.list)`;
}

/** Every page of the controller's backend services. */
export async function listBackendServices(
  api: GoogleApi,
  project: string
): Promise<BackendServiceResource[]> {
  const found: BackendServiceResource[] = [];
  let pageToken: string | undefined;
  do {
    const page = await api.request<BackendServiceList>({
      service: 'compute',
      path: listPath(project),
      query: { filter: BACKEND_SERVICES_FILTER, ...(pageToken ? { pageToken } : {}) }
    });
    found.push(
      ...(page.items ?? []).filter(
        (s): s is BackendServiceResource =>
          typeof s === 'object' && s !== null && typeof (s as { name?: unknown }).name === 'string'
      )
    );
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return found;
}

/**
 * Picks the backend service of NAMESPACE/SERVICE:PORT. GKE writes that in the description as
 * JSON (`kubernetes.io/service-name`, `kubernetes.io/service-port`); the name
 * `k8s1-…-NAMESPACE-SERVICE-PORT-…` is the fallback, since GKE shortens long names.
 */
export function findBackendService(
  services: readonly BackendServiceResource[],
  target: BackendTarget
): BackendService | undefined {
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
