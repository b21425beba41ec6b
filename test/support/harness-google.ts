/**
 * The harness's Google APIs that follow the stand-in tools' world.json, added to the one loopback
 * Google (google-server.ts) beside the preflight's project (google-project.ts): GKE's
 * clusters.get finds the cluster once the stand-in terraform has applied (as the stand-in gcloud's
 * get-credentials did), and Cloud Storage's buckets.get and buckets.insert work on the stand-in
 * gcloud's buckets, so a bucket the action creates through the JSON API is the one gcloud sees.
 * Compute's backendServices.list and IAP's get/setIamPolicy answer from the backend services the
 * stand-in gcloud models (standins/backend-services.mjs: made by the Ingress of each release, IAP
 * on once the BackendConfig asks), their policies kept in the same world.json keys. The NEG
 * aggregatedList answers world.gcloud.negs (none unless a test puts some), the forwarding rules'
 * the internal rule of each live gce-internal Ingress (standins/forwarding-rules.mjs). Secret
 * Manager's versions.access answers the versions the stand-in terraform wrote. Cloud Storage's
 * objects get, insert and delete work on the objects the stand-in tools keep
 * (standins/state-objects.mjs): the stand-in terraform's lock is the default.tflock they read, and
 * deleting it releases it. Compute's networks.get / removePeering work on the peerings the
 * stand-in terraform's apply made (world.gcloud.peerings, by network), so its destroy sees the
 * peering gone. Cloud SQL's backupRuns.insert / list / get and operations.get work on the backups
 * of world.gcloud.sqlBackups, of the instance the stand-in terraform made (standins/cloud-sql.mjs),
 * failing as world.gcloud.sqlBackupError says.
 * The routes themselves, and the shapes they answer, are google-routes.ts's,
 * google-iap-routes.ts's, google-compute-routes.ts's, google-secret-routes.ts's,
 * google-object-routes.ts's, google-network-routes.ts's and google-sql-routes.ts's.
 */
import type { GoogleServer } from './google-server.js';
import { serveBuckets, serveGkeClusters, type StandinBucket } from './google-routes.js';
import { serveBackendServicesAndIap } from './google-iap-routes.js';
import { backendServices } from './standins/backend-services.mjs';
import { serveAggregated } from './google-compute-routes.js';
import { serveSecretVersions } from './google-secret-routes.js';
import { serveNetworks } from './google-network-routes.js';
import { serveSqlBackups, type BackupTrouble, type StandinBackupRun } from './google-sql-routes.js';
import { liveInstance } from './standins/cloud-sql.mjs';
import { internalForwardingRules } from './standins/forwarding-rules.mjs';
import { serveObjects } from './google-object-routes.js';
import { objectAt, putObject, removeObject } from './standins/state-objects.mjs';
import { commitWorld, readWorld, updateWorld } from './standins/world-store.mjs';

/** Any base64 PEM: the stand-in kubectl never dials the endpoint. */
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64'
);

/** A bucket as the stand-in gcloud keeps it in world.json. */
interface WorldBucket {
  location?: string;
  versioning?: boolean;
  uniform?: boolean;
  pap?: string;
}

interface World {
  terraform?: {
    applied?: unknown;
    backend?: { bucket?: string };
    vars?: { project_id?: string };
  };
  gcloud?: {
    buckets?: Record<string, WorldBucket>;
    peerings?: Record<string, string[]>;
    sqlBackups?: StandinBackupRun[];
    /** How the next backups go wrong (kept until a test removes it). */
    sqlBackupError?: BackupTrouble;
    sqlBackupStatus?: string;
  };
}

export function serveStandinWorld(server: GoogleServer, standinDir: string): void {
  const read = (): World => readWorld<World>(standinDir);
  // The world the last backend services read came from: a policy write commits its changes to it.
  let world: World = {};
  let seen: World = {};
  serveBackendServicesAndIap(server, {
    services: () => {
      world = read();
      seen = structuredClone(world);
      const services = backendServices(world);
      for (const service of Object.values(services)) {
        service.description = JSON.stringify({
          'kubernetes.io/service-name': service.serviceName,
          'kubernetes.io/service-port': service.port,
          'x-features': ['NEG']
        });
      }
      return services;
    },
    changed: () => {
      commitWorld(standinDir, seen, world);
      seen = structuredClone(world);
    }
  });

  serveAggregated(server, 'networkEndpointGroups', {
    items: () => (read().gcloud as { negs?: Record<string, unknown>[] } | undefined)?.negs ?? []
  });
  serveAggregated(server, 'forwardingRules', { items: () => internalForwardingRules(read()) });
  // The versions the stand-in terraform's apply wrote (terraform-values.mjs).
  serveSecretVersions(server, {
    versions: () =>
      (read().gcloud as { secretVersions?: Record<string, string> } | undefined)?.secretVersions ??
      {}
  });

  // The network exists once Terraform has applied (or while a peering names it).
  serveNetworks(server, {
    peerings: (_project, network) => {
      const world = read();
      const peerings = world.gcloud?.peerings?.[network];
      return peerings ?? (world.terraform?.applied ? [] : undefined);
    },
    remove: (_project, network, peering) =>
      updateWorld(standinDir, (world: World) => {
        const peerings = ((world.gcloud ??= {}).peerings ??= {});
        peerings[network] = (peerings[network] ?? []).filter((p) => p !== peering);
      })
  });

  // Cloud SQL's backups of the instance the stand-in terraform made, while it lives.
  serveSqlBackups(server, {
    instanceExists: (project, instance) => {
      const world = read();
      const owner = world.terraform?.vars?.project_id;
      return instance === liveInstance(world) && (!owner || project === owner);
    },
    runs: (_project, instance) =>
      (read().gcloud?.sqlBackups ?? []).filter((b) => b.instance === instance),
    add: (_project, run) =>
      updateWorld(standinDir, (world: World) => {
        ((world.gcloud ??= {}).sqlBackups ??= []).push(run);
      }),
    trouble: () => read().gcloud?.sqlBackupError,
    finalStatus: () => read().gcloud?.sqlBackupStatus
  });

  // Whichever cluster the action asks for exists once Terraform has applied.
  serveGkeClusters(server, (asked) =>
    read().terraform?.applied ? [{ ...asked, endpoint: '34.1.2.3', caCertificate: CA }] : []
  );
  serveBuckets(server, {
    get: (name): StandinBucket | undefined => {
      const found = read().gcloud?.buckets?.[name];
      return found
        ? {
            location: found.location ?? 'US',
            ...(found.versioning === undefined ? {} : { versioning: found.versioning }),
            uniform: found.uniform ?? false,
            publicAccessPrevention: found.pap ?? 'inherited'
          }
        : undefined;
    },
    put: (name, bucket) =>
      updateWorld(standinDir, (world: World) => {
        ((world.gcloud ??= {}).buckets ??= {})[name] = {
          location: bucket.location,
          versioning: bucket.versioning === true,
          uniform: bucket.uniform === true,
          pap: bucket.publicAccessPrevention ?? 'inherited'
        };
      })
  });

  const url = (bucket: string, name: string) => `gs://${bucket}/${name}`;
  serveObjects(server, {
    bucketExists: (bucket) => {
      const world = read();
      return (
        Boolean(world.gcloud?.buckets?.[bucket]) || world.terraform?.backend?.bucket === bucket
      );
    },
    get: (bucket, name) => objectAt(read(), url(bucket, name)),
    put: (bucket, name, content, contentType) =>
      updateWorld(standinDir, (world: World) =>
        putObject(world, url(bucket, name), content, contentType)
      ),
    remove: (bucket, name) =>
      updateWorld(standinDir, (world: World) => removeObject(world, url(bucket, name)))
  });
}
