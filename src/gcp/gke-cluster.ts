/**
 * How to reach a GKE cluster's control plane, read from the GKE API instead of through
 * `gcloud container clusters get-credentials`: `GET container.googleapis.com/v1/projects/P/
 * locations/L/clusters/C` (projects.locations.clusters.get, needs container.clusters.get) answers a
 * Cluster whose `endpoint` is the control plane's IP and `masterAuth.clusterCaCertificate` its CA
 * (base64 PEM). Reference: cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.
 */
import type { ClusterRef } from './cluster-ref.js';
import { GoogleApiError, type GoogleApi } from './google-api.js';

export interface ClusterAccess {
  /** The control plane's address as GKE reports it (an IP, no scheme). */
  readonly endpoint: string;
  /** Base64 of the PEM CA certificate, as kubeconfig's certificate-authority-data wants it. */
  readonly caCertificate: string;
}

/** The fields of Google's Cluster resource this action reads. */
interface ClusterResource {
  endpoint?: string;
  masterAuth?: { clusterCaCertificate?: string };
  status?: string;
}

export function clusterPath(cluster: ClusterRef): string {
  const part = (value: string) => encodeURIComponent(value);
  return `/v1/projects/${part(cluster.project)}/locations/${part(cluster.location)}/clusters/${part(cluster.name)}`;
}

/** The cluster's endpoint and CA; undefined when GKE has no such cluster (404). */
export async function readClusterAccess(
  api: GoogleApi,
  cluster: ClusterRef
): Promise<ClusterAccess | undefined> {
  let found: ClusterResource;
  try {
    found = await api.request<ClusterResource>({
      service: 'container',
      path: clusterPath(cluster)
    });
  } catch (error) {
    if (error instanceof GoogleApiError && error.httpStatus === 404) return undefined;
    throw error;
  }
  const endpoint = found.endpoint;
  const caCertificate = found.masterAuth?.clusterCaCertificate;
  // A cluster still PROVISIONING has neither yet: treat it like gcloud does, as not ready.
  if (!endpoint || !caCertificate) {
    throw new Error(
      `GKE reports cluster ${cluster.name} (status ${found.status ?? 'unknown'}) without an endpoint or CA certificate yet; it is still being created.`
    );
  }
  return { endpoint, caCertificate };
}
