/**
 * Stand-in routes for the GKE and Cloud Storage calls the action makes, on the loopback
 * GoogleServer, answering the shapes Google documents:
 * - container v1 projects.locations.clusters.get → Cluster {name, location, status, endpoint,
 *   masterAuth.clusterCaCertificate, ...}; 404 NOT_FOUND "Not found: projects/P/locations/L/clusters/C."
 *   (cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster)
 * - storage v1 buckets.get / buckets.insert (see serveBuckets)
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

type ClusterAsked = Pick<StandinCluster, 'project' | 'location' | 'name'>;

/**
 * Answers clusters.get for the clusters in `clusters` (read on every call, so a test can add one),
 * or those a function gives for the cluster asked (clusters that follow a world).
 */
export function serveGkeClusters(
  google: GoogleServer,
  clusters: StandinCluster[] | ((asked: ClusterAsked) => StandinCluster[])
): void {
  google.on('GET', 'container', CLUSTER_PATH, (call) => {
    const [, project = '', location = '', name = ''] = CLUSTER_PATH.exec(call.path) ?? [];
    const known = typeof clusters === 'function' ? clusters({ project, location, name }) : clusters;
    const found = known.find(
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

/** A stand-in bucket: what buckets.get answers about it. */
export interface StandinBucket {
  location: string;
  versioning?: boolean;
  uniform?: boolean;
  publicAccessPrevention?: string;
  /** Held by another project: insert answers "not available". */
  foreign?: boolean;
}

/** Where the bucket routes keep their buckets: a plain record, or one kept elsewhere (a world file). */
export interface BucketStore {
  get(name: string): StandinBucket | undefined;
  put(name: string, bucket: StandinBucket): void;
}

const recordStore = (buckets: Record<string, StandinBucket>): BucketStore => ({
  get: (name) => buckets[name],
  put: (name, bucket) => {
    buckets[name] = bucket;
  }
});

/**
 * Cloud Storage JSON API buckets.get and buckets.insert over `buckets` (changed in place):
 * get answers a Bucket resource (`versioning` only when it was ever set, as Google does) or 404;
 * insert needs ?project=, a name and a location, and answers 409 for a name in use.
 * (cloud.google.com/storage/docs/json_api/v1/buckets/get, /insert)
 */
export function serveBuckets(
  google: GoogleServer,
  buckets: Record<string, StandinBucket> | BucketStore
): void {
  const store =
    typeof buckets.get === 'function' && typeof buckets.put === 'function'
      ? (buckets as BucketStore)
      : recordStore(buckets as Record<string, StandinBucket>);
  google.on('GET', 'storage', /^\/storage\/v1\/b\/[^/]+$/, (call) => {
    const name = decodeURIComponent(call.path.split('/').at(-1)!);
    const found = store.get(name);
    if (!found || found.foreign) {
      return found
        ? googleError(
            403,
            'PERMISSION_DENIED',
            `caller does not have storage.buckets.get access to the Google Cloud Storage bucket.`
          )
        : googleError(404, 'NOT_FOUND', 'The specified bucket does not exist.');
    }
    return {
      body: {
        kind: 'storage#bucket',
        name,
        location: found.location.toUpperCase(),
        storageClass: 'STANDARD',
        ...(found.versioning === undefined ? {} : { versioning: { enabled: found.versioning } }),
        iamConfiguration: {
          uniformBucketLevelAccess: { enabled: found.uniform ?? false },
          publicAccessPrevention: found.publicAccessPrevention ?? 'inherited'
        }
      }
    };
  });
  google.on('POST', 'storage', '/storage/v1/b', (call) => {
    const body = call.body as {
      name?: string;
      location?: string;
      versioning?: { enabled?: boolean };
      iamConfiguration?: {
        uniformBucketLevelAccess?: { enabled?: boolean };
        publicAccessPrevention?: string;
      };
    };
    if (!call.query.get('project')) {
      return googleError(400, 'INVALID_ARGUMENT', 'Required parameter: project');
    }
    if (!body?.name) return googleError(400, 'INVALID_ARGUMENT', 'Required: name');
    const existing = store.get(body.name);
    if (existing) {
      return googleError(
        409,
        'ALREADY_EXISTS',
        existing.foreign
          ? 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.'
          : 'Your previous request to create the named bucket succeeded and you already own it.'
      );
    }
    store.put(body.name, {
      location: body.location ?? 'US',
      ...(body.versioning?.enabled === undefined ? {} : { versioning: body.versioning.enabled }),
      uniform: body.iamConfiguration?.uniformBucketLevelAccess?.enabled ?? false,
      publicAccessPrevention: body.iamConfiguration?.publicAccessPrevention ?? 'inherited'
    });
    return { body: { kind: 'storage#bucket', name: body.name } };
  });
}
