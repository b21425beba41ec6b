/**
 * Stand-in routes for the GKE and Cloud Storage calls the action makes, on the loopback
 * GoogleServer, answering the shapes Google documents:
 * - container v1 projects.locations.clusters.get → Cluster {name, location, status, endpoint,
 *   masterAuth.clusterCaCertificate, ...}; 404 NOT_FOUND "Not found: projects/P/locations/L/clusters/C."
 *   (cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster)
 */
import { googleError, type GoogleServer } from './google-server.js';

export interface StandinCluster {
  readonly project: string;
  readonly location: string;
  readonly name: string;
  readonly endpoint: string;
  /** Base64 of the CA's PEM, as GKE answers it. */
  readonly caCertificate: string;
  readonly status?: 'PROVISIONING' | 'RUNNING';
}

const CLUSTER_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/:]+)$/;

/** Answers clusters.get for the clusters in `clusters` (read on every call, so a test can add one). */
export function serveGkeClusters(google: GoogleServer, clusters: StandinCluster[]): void {
  google.on('GET', 'container', CLUSTER_PATH, (call) => {
    const [, project, location, name] = CLUSTER_PATH.exec(call.path) ?? [];
    const found = clusters.find(
      (c) => c.project === project && c.location === location && c.name === name
    );
    if (!found) {
      return googleError(
        404,
        'NOT_FOUND',
        `Not found: projects/${project}/locations/${location}/clusters/${name}.`
      );
    }
    const provisioning = found.status === 'PROVISIONING';
    return {
      body: {
        name: found.name,
        location: found.location,
        status: found.status ?? 'RUNNING',
        selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${name}`,
        ...(provisioning
          ? {}
          : {
              endpoint: found.endpoint,
              masterAuth: { clusterCaCertificate: found.caCertificate }
            })
      }
    };
  });
}
