/**
 * What one preflight check found. A check fails only for something that would make the run fail
 * later; whatever it could not read is `not-checked`, with the reason, and the run goes on.
 */
import { GoogleApiError } from './google-api.js';

export type PreflightStatus = 'pass' | 'fail' | 'not-checked';

export interface PreflightResult {
  /** The step id of the check, e.g. `preflight-permissions`. */
  readonly check: string;
  /** What was checked, in a few words (the summary's first column). */
  readonly subject: string;
  readonly status: PreflightStatus;
  /** One line: what was found. */
  readonly found: string;
  /** For a failure: what to run or grant, one line each. */
  readonly fixes?: readonly string[];
}

/** How a Google error reads for a preflight: the API is off, access is missing, or anything else. */
export type ReadProblem =
  | { readonly kind: 'api-disabled'; readonly service: string; readonly message: string }
  | { readonly kind: 'denied'; readonly message: string }
  | { readonly kind: 'other'; readonly message: string };

/**
 * Google answers a call to a disabled API with 403, status PERMISSION_DENIED and an ErrorInfo
 * reason SERVICE_DISABLED (and the text "... has not been used in project N before or it is
 * disabled"); missing IAM permissions with 403 and reason IAM_PERMISSION_DENIED or no reason.
 * Source: Google Cloud, "Troubleshoot API errors" / AIP-193 ErrorInfo reasons.
 */
export function readProblem(error: unknown, service: string): ReadProblem {
  if (error instanceof GoogleApiError) {
    const disabled =
      error.reason === 'SERVICE_DISABLED' ||
      /has not been used in project .* or it is disabled/i.test(error.googleMessage);
    if (error.httpStatus === 403 && disabled) {
      return { kind: 'api-disabled', service, message: error.message };
    }
    if (error.httpStatus === 403 || error.httpStatus === 401) {
      return { kind: 'denied', message: error.message };
    }
    return { kind: 'other', message: error.message };
  }
  return { kind: 'other', message: (error as Error)?.message ?? String(error) };
}

export const enableCommand = (service: string, project: string): string =>
  `gcloud services enable ${service} --project ${project}`;
