/** Shared inputs and Terraform outputs for the Flyte tests (values, phases, chart). */
import { parseInputs, type Inputs } from '../../src/inputs.js';
import type { TerraformOutputs } from '../../src/engine/state.js';
import { PROJECT_ROOT } from './project.js';

export const CANARY_PASSWORD = 'canary-db-pass-7Qx9Lm2';
/** The Secret Manager version the outputs name; CANARY_PASSWORD is what it holds. */
export const PASSWORD_SECRET = 'projects/acme-flyte/secrets/flyte-flyte-db-password/versions/1';
export const CANARY_OAUTH_SECRET = 'GOCSPX-canary-oauth-4Rt8Zp';

export function flyteInputs(values: Record<string, string> = {}): Inputs {
  const all: Record<string, string> = { 'project-id': 'acme-flyte', ...values };
  return parseInputs((name) => all[name] ?? '', {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
}

export const IAP_INPUTS = {
  ingress: 'true',
  iap: 'true',
  'iap-oauth-client-id': '123456789012-abc.apps.googleusercontent.com',
  'iap-oauth-client-secret': CANARY_OAUTH_SECRET,
  'iap-members': 'user:alice@example.com, group:flyte@example.com'
} as const;

export function tfOutputs(overrides: Partial<TerraformOutputs> = {}): TerraformOutputs {
  return {
    cloudsqlIp: '10.59.0.3',
    cloudsqlPasswordSecret: PASSWORD_SECRET,
    cloudsqlUser: 'flytepg',
    cloudsqlDatabase: 'flyte',
    cloudsqlInstance: 'flyte-pg-0a1b',
    clusterLocation: 'us-central1',
    clusterName: 'flyte',
    bucketName: 'acme-flyte-data',
    projectId: 'acme-flyte',
    serviceAccount: 'flyte-gsa@acme-flyte.iam.gserviceaccount.com',
    staticIpAddress: '203.0.113.7',
    staticIpName: 'flyte-flyte',
    ...overrides
  };
}
