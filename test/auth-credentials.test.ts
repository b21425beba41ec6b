import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { authPhase } from '../src/phases/auth.js';
import { cleanupFiles } from '../src/post-run.js';
import { CLEANUP_STATE } from '../src/cleanup-state.js';
import { testContext, testInputs, type TestContext } from './support/task-context.js';

const PROVIDER =
  'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo';
const SA = 'flyte-deployer@acme-flyte.iam.gserviceaccount.com';
const OIDC_URL = 'https://pipelines.actions.githubusercontent.example/abc/idtoken?api-version=2.0';
const OIDC_TOKEN = 'oidc-request-token-canary-0123456789';

const wifInputs = (serviceAccount = true) =>
  testInputs({
    'workload-identity-provider': PROVIDER,
    ...(serviceAccount ? { 'service-account': SA } : {})
  });

function authStep(ctx: TestContext): TaskStep {
  const [step] = authPhase(ctx.inputs).steps(new RunState(false));
  if (step?.kind !== 'task') throw new Error('expected a task step');
  return step;
}

function wifContext(serviceAccount = true): TestContext {
  return testContext({
    inputs: wifInputs(serviceAccount),
    env: { ACTIONS_ID_TOKEN_REQUEST_URL: OIDC_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_TOKEN }
  });
}

describe('workload identity federation', () => {
  it('writes the external_account file field by field as FACTS.md describes', async () => {
    const ctx = wifContext();
    await authStep(ctx).run(ctx);
    const file = ctx.exported.GOOGLE_APPLICATION_CREDENTIALS ?? '';
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

    expect(Object.keys(json).sort()).toEqual([
      'audience',
      'credential_source',
      'service_account_impersonation_url',
      'subject_token_type',
      'token_url',
      'type'
    ]);
    expect(json.type).toBe('external_account');
    expect(json.audience).toBe(`//iam.googleapis.com/${PROVIDER}`);
    expect(json.subject_token_type).toBe('urn:ietf:params:oauth:token-type:jwt');
    expect(json.token_url).toBe('https://sts.googleapis.com/v1/token');
    expect(json.service_account_impersonation_url).toBe(
      `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`
    );
    const source = json.credential_source as Record<string, unknown>;
    expect(Object.keys(source).sort()).toEqual(['format', 'headers', 'url']);
    const url = new URL(source.url as string);
    expect(`${url.origin}${url.pathname}`).toBe(
      'https://pipelines.actions.githubusercontent.example/abc/idtoken'
    );
    expect(url.searchParams.get('api-version')).toBe('2.0');
    expect(url.searchParams.get('audience')).toBe(`https://iam.googleapis.com/${PROVIDER}`);
    expect(source.headers).toEqual({ Authorization: `Bearer ${OIDC_TOKEN}` });
    expect(source.format).toEqual({ type: 'json', subject_token_field_name: 'value' });
  });

  it('leaves out impersonation when no service account is given', async () => {
    const ctx = wifContext(false);
    await authStep(ctx).run(ctx);
    const json = JSON.parse(readFileSync(ctx.state.credentialsFile ?? '', 'utf8')) as object;
    expect(json).not.toHaveProperty('service_account_impersonation_url');
  });

  it('makes the file private, randomly named under RUNNER_TEMP, masked and registered for cleanup', async () => {
    const ctx = wifContext();
    const other = wifContext();
    await authStep(ctx).run(ctx);
    await authStep(other).run(other);
    const file = ctx.state.credentialsFile ?? '';

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(path.dirname(file)).toBe(ctx.env.RUNNER_TEMP);
    expect(path.basename(file)).toMatch(/^flyte-gke-credentials-[0-9a-f-]{36}$/);
    expect(path.basename(file)).not.toBe(path.basename(other.state.credentialsFile ?? ''));
    expect(ctx.cleanups).toEqual([file]);
    expect(ctx.log.secrets).toContain(OIDC_TOKEN);
    expect(ctx.log.lines.join('\n')).not.toContain(OIDC_TOKEN);
  });

  it('exports the credential and project variables gcloud, Terraform and client libraries read', async () => {
    const ctx = wifContext();
    await authStep(ctx).run(ctx);
    const file = ctx.state.credentialsFile;
    expect(ctx.exported).toEqual({
      GOOGLE_APPLICATION_CREDENTIALS: file,
      CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: file,
      GOOGLE_GHA_CREDS_PATH: file,
      CLOUDSDK_CORE_PROJECT: 'acme-flyte',
      CLOUDSDK_PROJECT: 'acme-flyte',
      GCLOUD_PROJECT: 'acme-flyte',
      GCP_PROJECT: 'acme-flyte',
      GOOGLE_CLOUD_PROJECT: 'acme-flyte',
      GOOGLE_PROJECT: 'acme-flyte'
    });
  });

  it.each([
    ['both missing', {}],
    ['the token missing', { ACTIONS_ID_TOKEN_REQUEST_URL: OIDC_URL }],
    ['the URL missing', { ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC_TOKEN }]
  ])('explains id-token: write and forks when OIDC variables are missing (%s)', async (_, env) => {
    const ctx = testContext({ inputs: wifInputs(), env });
    const run = authStep(ctx).run(ctx);
    await expect(run).rejects.toThrow(/permissions:\n {4}id-token: write/);
    await expect(run).rejects.toThrow(/Pull requests from forks get no OIDC token/);
    expect(ctx.exported).toEqual({});
    expect(ctx.cleanups).toEqual([]);
  });

  it('is removed by the post step, which removes nothing else', async () => {
    const ctx = wifContext();
    await authStep(ctx).run(ctx);
    const file = ctx.state.credentialsFile ?? '';
    const neighbour = path.join(ctx.env.RUNNER_TEMP ?? '', 'someone-elses-file');
    writeFileSync(neighbour, 'keep me');
    const removed: string[] = [];
    cleanupFiles({
      getState: (name) => (name === CLEANUP_STATE ? JSON.stringify(ctx.cleanups) : ''),
      remove: (f) => {
        removed.push(f);
        rmSync(f, { force: true });
      },
      info: () => undefined,
      warning: () => undefined
    });
    expect(removed).toEqual([file]);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(neighbour)).toBe(true);
  });
});

describe('reusing credentials from google-github-actions/auth', () => {
  it('reuses GOOGLE_GHA_CREDS_PATH, exports the other variables and does not delete it', async () => {
    const probe = testContext();
    const existing = path.join(probe.dir, 'gha-creds-abc.json');
    writeFileSync(existing, '{"type":"external_account"}');
    const ctx = testContext({ env: { GOOGLE_GHA_CREDS_PATH: existing } });
    await authStep(ctx).run(ctx);
    expect(ctx.state.credentialsFile).toBe(existing);
    expect(ctx.exported.GOOGLE_APPLICATION_CREDENTIALS).toBe(existing);
    expect(ctx.exported.CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE).toBe(existing);
    expect(ctx.exported.CLOUDSDK_CORE_PROJECT).toBe('acme-flyte');
    expect(ctx.cleanups).toEqual([]);
    expect(ctx.log.lines.join('\n')).toContain(
      'Reusing Google Cloud credentials from GOOGLE_GHA_CREDS_PATH'
    );
  });

  it('reuses GOOGLE_APPLICATION_CREDENTIALS alone', async () => {
    const probe = testContext();
    const existing = path.join(probe.dir, 'adc.json');
    writeFileSync(existing, '{}');
    const ctx = testContext({ env: { GOOGLE_APPLICATION_CREDENTIALS: existing } });
    await authStep(ctx).run(ctx);
    expect(ctx.exported.GOOGLE_GHA_CREDS_PATH).toBe(existing);
  });

  it('fails showing both ways to authenticate when there is nothing to reuse', async () => {
    const ctx = testContext();
    const run = authStep(ctx).run(ctx);
    await expect(run).rejects.toThrow(/No Google Cloud credentials/);
    await expect(run).rejects.toThrow(/1\. Workload identity federation through this action/);
    await expect(run).rejects.toThrow(/2\. An earlier google-github-actions\/auth step/);
  });

  it('fails clearly when the exported file no longer exists', async () => {
    const ctx = testContext({ env: { GOOGLE_GHA_CREDS_PATH: '/nonexistent/gha-creds.json' } });
    await expect(authStep(ctx).run(ctx)).rejects.toThrow(
      'GOOGLE_GHA_CREDS_PATH points at /nonexistent/gha-creds.json, which does not exist'
    );
  });
});
