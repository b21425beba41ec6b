/** The variables gcloud, Terraform, kubectl's auth plugin and Google's client libraries read. */
import type { TaskContext } from '../engine/types.js';

/**
 * Where each tool looks for credentials: client libraries and Terraform read
 * GOOGLE_APPLICATION_CREDENTIALS, gcloud (and so gke-gcloud-auth-plugin)
 * CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE, and google-github-actions' other actions
 * GOOGLE_GHA_CREDS_PATH.
 */
export const CREDENTIAL_VARIABLES = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE',
  'GOOGLE_GHA_CREDS_PATH'
] as const;

/** Project for gcloud (CLOUDSDK_*), client libraries and the Terraform provider (the rest). */
export const PROJECT_VARIABLES = [
  'CLOUDSDK_CORE_PROJECT',
  'CLOUDSDK_PROJECT',
  'GCLOUD_PROJECT',
  'GCP_PROJECT',
  'GOOGLE_CLOUD_PROJECT',
  'GOOGLE_PROJECT'
] as const;

export function exportCredentials(ctx: TaskContext, file: string, project: string): void {
  for (const name of CREDENTIAL_VARIABLES) ctx.exportVariable(name, file);
  for (const name of PROJECT_VARIABLES) ctx.exportVariable(name, project);
  ctx.state.credentialsFile = file;
}
