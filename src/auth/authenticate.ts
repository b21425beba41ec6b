/**
 * Authenticates the job to Google Cloud: with workload-identity-provider, writes an
 * external_account credentials file; without it, reuses the file an earlier
 * google-github-actions/auth step left; otherwise fails, showing both ways.
 *
 * We do not request a GitHub OIDC token here. The environment check below catches the usual
 * mistakes (missing `id-token: write`, fork pull requests). Whoever needs a token gets it through
 * the file: the tools, the action's own Google client (src/gcp, tokens in memory only) and the
 * exec credential plugin (src/credential, its token cached in a 0600 file under RUNNER_TEMP that
 * the post step removes).
 */
import { existsSync } from 'node:fs';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { TaskContext } from '../engine/types.js';
import { CREDENTIAL_VARIABLES, exportCredentials } from './environment.js';
import { externalAccount, writePrivateFile, type OidcRequest } from './external-account.js';

const BOTH_WAYS = [
  'Authenticate in one of two ways:',
  '  1. Workload identity federation through this action:',
  '       permissions: { id-token: write, contents: read }',
  '       with: { workload-identity-provider: projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER,',
  '               service-account: deployer@PROJECT.iam.gserviceaccount.com }',
  '  2. An earlier google-github-actions/auth step, whose credentials this action reuses.'
].join('\n');

export async function authenticate(ctx: TaskContext): Promise<void> {
  const { inputs } = ctx;
  if (inputs.workloadIdentityProvider) {
    const oidc = oidcRequest(ctx.env);
    ctx.log.setSecret(oidc.token);
    const account = externalAccount(inputs.workloadIdentityProvider, inputs.serviceAccount, oidc);
    const file = writePrivateFile(
      runnerTemp(ctx),
      'flyte-gke-credentials',
      `${JSON.stringify(account, null, 2)}\n`
    );
    ctx.registerCleanup(file);
    exportCredentials(ctx, file, inputs.projectId);
    ctx.log.info(
      `Authenticated with workload identity federation (${inputs.workloadIdentityProvider}${inputs.serviceAccount ? `, as ${inputs.serviceAccount}` : ', direct access'}); credentials file ${file}.`
    );
    return;
  }

  const existing = existingCredentials(ctx.env);
  if (!existing) {
    throw new StepError(
      'auth',
      `No Google Cloud credentials: workload-identity-provider is empty and no earlier step set ${CREDENTIAL_VARIABLES.join(', ')}.\n${BOTH_WAYS}`
    );
  }
  if (!existsSync(existing.file)) {
    throw new StepError(
      'auth',
      `${existing.variable} points at ${existing.file}, which does not exist (was it removed, or written in another job?).\n${BOTH_WAYS}`
    );
  }
  // Not registered for cleanup: the step that wrote it removes it.
  exportCredentials(ctx, existing.file, inputs.projectId);
  ctx.log.info(`Reusing Google Cloud credentials from ${existing.variable} (${existing.file}).`);
}

function oidcRequest(env: NodeJS.ProcessEnv): OidcRequest {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !token) {
    throw new StepError(
      'auth',
      [
        'This job cannot get a GitHub OIDC token, which workload identity federation needs (ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set).',
        'Add to the workflow or job:',
        '  permissions:',
        '    id-token: write',
        '    contents: read',
        'A reusable workflow needs that grant in the calling workflow too.',
        'Pull requests from forks get no OIDC token at all: run deploys on pushes or pull requests from branches of this repository.'
      ].join('\n')
    );
  }
  return { url, token };
}

/** The credentials file an earlier google-github-actions/auth step exported, if any. */
function existingCredentials(
  env: NodeJS.ProcessEnv
): { variable: string; file: string } | undefined {
  for (const variable of ['GOOGLE_GHA_CREDS_PATH', ...CREDENTIAL_VARIABLES]) {
    const file = env[variable];
    if (file) return { variable, file };
  }
  return undefined;
}

function runnerTemp(ctx: TaskContext): string {
  const dir = ctx.env.RUNNER_TEMP;
  if (!dir)
    throw new StepError(
      'auth',
      'RUNNER_TEMP is not set; this action runs on GitHub Actions runners, which set it.'
    );
  return dir;
}

export function describeAuth(inputs: Inputs): string {
  const exported =
    'export GOOGLE_APPLICATION_CREDENTIALS, CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE, GOOGLE_GHA_CREDS_PATH and the project variables (CLOUDSDK_CORE_PROJECT, GOOGLE_CLOUD_PROJECT, …)';
  if (inputs.workloadIdentityProvider) {
    return [
      `Check that the job can get a GitHub OIDC token (needs permissions: id-token: write).`,
      `Write an external_account credentials file for ${inputs.workloadIdentityProvider}${inputs.serviceAccount ? `, impersonating ${inputs.serviceAccount}` : ' (direct resource access, no service account)'}`,
      `under RUNNER_TEMP with mode 0600 (the post step removes it); ${exported} = ${inputs.projectId}.`
    ].join('\n');
  }
  return `Reuse the credentials file of an earlier google-github-actions/auth step (GOOGLE_GHA_CREDS_PATH / GOOGLE_APPLICATION_CREDENTIALS); fail if there is none. ${exported} = ${inputs.projectId}.`;
}
