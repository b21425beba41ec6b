/**
 * The harness's Google APIs that follow the stand-in tools' world.json, added to the one loopback
 * Google (google-server.ts) beside the preflight's project (google-project.ts): GKE's
 * clusters.get finds a cluster once the stand-in terraform has applied (as the stand-in gcloud's
 * get-credentials did), and Cloud Storage's buckets.get and buckets.insert work on the stand-in
 * gcloud's buckets, so a bucket the action creates through the JSON API is the one gcloud sees.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { googleError, type GoogleAnswer, type GoogleServer } from './google-server.js';

/** Any base64 PEM: the stand-in kubectl never dials the endpoint. */
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64'
);

interface World {
  terraform?: { applied?: unknown };
  gcloud?: { buckets?: Record<string, Record<string, unknown>> };
}

interface BucketInsert {
  name?: string;
  location?: string;
  versioning?: { enabled?: boolean };
  iamConfiguration?: {
    uniformBucketLevelAccess?: { enabled?: boolean };
    publicAccessPrevention?: string;
  };
}

export function serveStandinWorld(server: GoogleServer, standinDir: string): void {
  const file = path.join(standinDir, 'world.json');
  const read = (): World => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
  const clusterPath = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/clusters\/([^/]+)$/;

  server.on('GET', 'container', clusterPath, (call): GoogleAnswer => {
    const [, project, location, name] = clusterPath.exec(call.path)!;
    if (!read().terraform?.applied) {
      return googleError(
        404,
        'NOT_FOUND',
        `Not found: projects/${project}/locations/${location}/clusters/${name}.`
      );
    }
    return {
      body: {
        name,
        location,
        status: 'RUNNING',
        endpoint: '34.1.2.3',
        masterAuth: { clusterCaCertificate: CA }
      }
    };
  });

  server.on('GET', 'storage', /^\/storage\/v1\/b\/[^/]+$/, (call): GoogleAnswer => {
    const name = decodeURIComponent(call.path.split('/').pop()!);
    const found = read().gcloud?.buckets?.[name];
    if (!found) return googleError(404, 'NOT_FOUND', 'The specified bucket does not exist.');
    return {
      body: {
        kind: 'storage#bucket',
        name,
        location: String(found.location ?? 'US').toUpperCase(),
        ...(found.versioning === undefined ? {} : { versioning: { enabled: found.versioning } })
      }
    };
  });

  server.on('POST', 'storage', '/storage/v1/b', (call): GoogleAnswer => {
    const body = (call.body ?? {}) as BucketInsert;
    if (!body.name) return googleError(400, 'INVALID_ARGUMENT', 'Required: name');
    if (call.query.get('project') === null) {
      return googleError(400, 'INVALID_ARGUMENT', 'Required parameter: project');
    }
    const world = read();
    const buckets = ((world.gcloud ??= {}).buckets ??= {});
    if (buckets[body.name]) {
      return googleError(
        409,
        'ALREADY_EXISTS',
        'Your previous request to create the named bucket succeeded and you already own it.'
      );
    }
    buckets[body.name] = {
      location: body.location ?? 'US',
      versioning: body.versioning?.enabled === true,
      uniform: body.iamConfiguration?.uniformBucketLevelAccess?.enabled === true,
      pap: body.iamConfiguration?.publicAccessPrevention ?? 'inherited'
    };
    writeFileSync(file, JSON.stringify(world, null, 2));
    return { body: { kind: 'storage#bucket', name: body.name } };
  });
}
