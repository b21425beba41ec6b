/**
 * The Terraform state bucket through Cloud Storage's JSON API instead of `gcloud storage`:
 * - `GET storage.googleapis.com/storage/v1/b/BUCKET` (buckets.get, storage.buckets.get): the
 *   Bucket, or 404 when there is none;
 * - `POST storage/v1/b?project=P` (buckets.insert, storage.buckets.create) with uniform
 *   bucket-level access, public access prevention enforced and versioning on, in one call; 409
 *   when the name is taken: "you already own it" when it is ours (another run made it first),
 *   "not available" when someone else holds the global name.
 * Reference: cloud.google.com/storage/docs/json_api/v1/buckets (get, insert; resource fields
 * versioning.enabled, iamConfiguration.uniformBucketLevelAccess.enabled,
 * iamConfiguration.publicAccessPrevention).
 */
import { GoogleApiError, type GoogleApi } from './google-api.js';

export interface BucketFound {
  readonly exists: boolean;
  /** False only when Google said so. */
  readonly versioning?: boolean;
}

interface BucketResource {
  versioning?: { enabled?: boolean };
}

const bucketPath = (bucket: string) => `/storage/v1/b/${encodeURIComponent(bucket)}`;

export function describeBucketRead(bucket: string): string {
  return `GET https://storage.googleapis.com${bucketPath(bucket)}`;
}

export function describeBucketInsert(bucket: string, project: string, region: string): string {
  return `POST https://storage.googleapis.com/storage/v1/b?project=${project} {name: ${bucket}, location: ${region}, uniform bucket-level access, public access prevention enforced, versioning on}`;
}

export async function readBucket(api: GoogleApi, bucket: string): Promise<BucketFound> {
  try {
    const found = await api.request<BucketResource>({
      service: 'storage',
      path: bucketPath(bucket)
    });
    const enabled = found.versioning?.enabled;
    // Google leaves `versioning` out of a bucket that never had it turned on.
    return { exists: true, versioning: enabled === true };
  } catch (error) {
    if (error instanceof GoogleApiError && error.httpStatus === 404) return { exists: false };
    throw error;
  }
}

/** 'created', or 'existed' when this identity already owns a bucket of that name. */
export async function insertBucket(
  api: GoogleApi,
  bucket: string,
  project: string,
  region: string
): Promise<'created' | 'existed'> {
  try {
    await api.request({
      service: 'storage',
      method: 'POST',
      path: '/storage/v1/b',
      query: { project },
      body: {
        name: bucket,
        location: region,
        iamConfiguration: {
          uniformBucketLevelAccess: { enabled: true },
          publicAccessPrevention: 'enforced'
        },
        versioning: { enabled: true }
      }
    });
    return 'created';
  } catch (error) {
    if (
      error instanceof GoogleApiError &&
      error.httpStatus === 409 &&
      /already own/i.test(error.googleMessage)
    ) {
      return 'existed';
    }
    throw error;
  }
}
