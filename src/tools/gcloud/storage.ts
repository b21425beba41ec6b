/**
 * The Terraform state bucket through `gcloud storage`: argument builders and the parsers that
 * read their answers. Creating is idempotent: an existing bucket is never changed.
 */
import { StepError } from '../../errors.js';
import type { ExecResult } from '../../engine/types.js';

const url = (bucket: string) => `gs://${bucket}`;

export function describeBucketArgs(bucket: string, projectId: string): string[] {
  return ['storage', 'buckets', 'describe', url(bucket), `--project=${projectId}`, '--format=json'];
}

export function createBucketArgs(bucket: string, projectId: string, region: string): string[] {
  return [
    'storage',
    'buckets',
    'create',
    url(bucket),
    `--project=${projectId}`,
    `--location=${region}`,
    '--uniform-bucket-level-access',
    '--public-access-prevention'
  ];
}

/** Versioning keeps every earlier state file, so a bad apply can be rolled back by hand. */
export function enableVersioningArgs(bucket: string, projectId: string): string[] {
  return ['storage', 'buckets', 'update', url(bucket), `--project=${projectId}`, '--versioning'];
}

const NOT_FOUND = /not found|404|does not exist|NotFoundException/i;
// "you already own it" is ours; "name is not available" (also 409) belongs to someone else.
const ALREADY_EXISTS = /already own|already exists/i;

export interface BucketDescription {
  readonly exists: boolean;
  /** False only when gcloud said so; undefined when the answer did not tell. */
  readonly versioning?: boolean;
}

/** Reads `gcloud storage buckets describe`: found, missing, or an error worth stopping for. */
export function parseBucketDescribe(result: ExecResult, bucket: string): BucketDescription {
  if (result.exitCode === 0) {
    let versioning: boolean | undefined;
    try {
      const json = JSON.parse(result.stdout) as Record<string, unknown>;
      if (typeof json.versioning_enabled === 'boolean') versioning = json.versioning_enabled;
    } catch {
      // The bucket exists; its description is only used for a hint.
    }
    return versioning === undefined ? { exists: true } : { exists: true, versioning };
  }
  if (NOT_FOUND.test(result.stderr)) return { exists: false };
  throw new StepError(
    'state-bucket-describe',
    `Could not look up the state bucket ${url(bucket)}: gcloud exited with ${result.exitCode}. ` +
      'If it says 403, the deploying identity needs storage.buckets.get on it (roles/storage.admin on the project, ' +
      'or create the bucket yourself and grant roles/storage.objectAdmin).\n' +
      result.stderr.trim()
  );
}

/** True when the bucket was created, or another run created it first (409). */
export function parseBucketCreate(result: ExecResult, bucket: string): 'created' | 'existed' {
  if (result.exitCode === 0) return 'created';
  if (ALREADY_EXISTS.test(result.stderr)) return 'existed';
  throw new StepError(
    'state-bucket-create',
    `Could not create the state bucket ${url(bucket)}: gcloud exited with ${result.exitCode}. ` +
      'Bucket names are global: if another project owns it, set state-bucket to another name.\n' +
      result.stderr.trim()
  );
}
