import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TOKEN_CACHE_FILE } from '../src/auth/kubeconfig.js';
import { RunState, type TerraformOutputs } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { googleApiFor } from '../src/gcp/client.js';
import { clusterCredentialsPhase } from '../src/phases/auth.js';
import { cleanupFiles } from '../src/post-run.js';
import { googleError, GoogleServer } from './support/google-server.js';
import { serveGkeClusters, type StandinCluster } from './support/google-routes.js';
import { testContext, testInputs } from './support/task-context.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString(
  'base64'
);
const clusters: StandinCluster[] = [
  {
    project: 'acme-flyte',
    location: 'us-central1',
    name: 'flyte',
    endpoint: '34.1.2.3',
    caCertificate: CA
  },
  {
    project: 'acme-flyte-prod',
    location: 'europe-west4',
    name: 'flyte-from-tf',
    endpoint: '35.9.8.7',
    caCertificate: CA
  },
  {
    project: 'acme-flyte',
    location: 'us-central1',
    name: 'new',
    endpoint: '',
    caCertificate: '',
    status: 'PROVISIONING'
  }
];
let google: GoogleServer;
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveGkeClusters(google, clusters);
});
afterAll(async () => google.stop());

const outputs: TerraformOutputs = {
  cloudsqlIp: '10.0.0.3',
  cloudsqlPasswordSecret: 'projects/acme-flyte-prod/secrets/flyte-db/versions/1',
  cloudsqlUser: 'flyte',
  cloudsqlDatabase: 'flyte',
  clusterLocation: 'europe-west4',
  clusterName: 'flyte-from-tf',
  bucketName: 'acme-flyte-data',
  projectId: 'acme-flyte-prod',
  serviceAccount: 'flyte@acme-flyte-prod.iam.gserviceaccount.com'
};

function step(state: RunState, inputs = testInputs()): TaskStep {
  const [only] = clusterCredentialsPhase(inputs).steps(state);
  if (only?.kind !== 'task') throw new Error('expected a task step');
  return only;
}

function context(inputs = testInputs()) {
  const { file, env } = google.credentials();
  const ctx = testContext({ inputs, env, google: googleApiFor(file, env) });
  ctx.state.credentialsFile = file;
  ctx.state.actionRoot = '/actions/flyte-gke-action';
  return ctx;
}

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  'current-context': string;
  users: {
    user: {
      exec: {
        apiVersion: string;
        command: string;
        args: string[];
        env?: { name: string; value: string }[];
        interactiveMode: string;
      };
    };
  }[];
}

describe('clusterCredentialsPhase', () => {
  it('writes the kubeconfig to a private temp file, never ~/.kube/config, and exports it', async () => {
    const ctx = context();
    await step(ctx.state).run(ctx);

    const kubeconfig = ctx.state.kubeconfigPath ?? '';
    const folder = path.dirname(kubeconfig);
    expect(path.dirname(folder)).toBe(ctx.env.RUNNER_TEMP);
    expect(kubeconfig.startsWith(path.join(homedir(), '.kube'))).toBe(false);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(ctx.cleanups).toEqual([folder]);
    // No USE_GKE_GCLOUD_AUTH_PLUGIN: nothing of gcloud's is used.
    expect(ctx.exported).toEqual({ KUBECONFIG: kubeconfig });

    const config = parse(readFileSync(kubeconfig, 'utf8')) as Kubeconfig;
    expect(config['current-context']).toBe('gke_acme-flyte_us-central1_flyte');
    expect(config.clusters[0]?.cluster).toEqual({
      server: 'https://34.1.2.3',
      'certificate-authority-data': CA
    });
    expect(config.users[0]?.user.exec).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [
        '/actions/flyte-gke-action/dist/credential/index.js',
        '--credentials',
        ctx.state.credentialsFile,
        '--token-cache',
        path.join(folder, TOKEN_CACHE_FILE)
      ],
      env: [{ name: 'FLYTE_GKE_GOOGLE_API_ENDPOINT', value: google.endpoint }],
      interactiveMode: 'Never',
      provideClusterInfo: false
    });
  });

  it('the post step removes the plugin’s token cache written beside the kubeconfig', async () => {
    const ctx = context();
    await step(ctx.state).run(ctx);
    const cache = path.join(path.dirname(ctx.state.kubeconfigPath!), TOKEN_CACHE_FILE);
    writeFileSync(cache, '{"token":"ya29.canary","expiresAt":0}', { mode: 0o600 });
    cleanupFiles({
      getState: () => JSON.stringify(ctx.cleanups),
      remove: (file) => rmSync(file, { force: true, recursive: true }),
      info: () => undefined,
      warning: (message) => {
        throw new Error(message);
      }
    });
    expect(existsSync(cache)).toBe(false);
    expect(existsSync(ctx.state.kubeconfigPath!)).toBe(false);
  });

  it('targets the cluster Terraform reported when there are outputs', async () => {
    const ctx = context();
    ctx.state.tfOutputs = outputs;
    await step(ctx.state).run(ctx);
    expect(google.calls.at(-1)?.path).toBe(
      '/v1/projects/acme-flyte-prod/locations/europe-west4/clusters/flyte-from-tf'
    );
    expect(readFileSync(ctx.state.kubeconfigPath!, 'utf8')).toContain('https://35.9.8.7');
  });

  it('fails with the cluster named and Google’s own error, exporting nothing', async () => {
    google.on(
      'GET',
      'container',
      '/v1/projects/acme-flyte/locations/us-central1/clusters/denied',
      () => googleError(403, 'PERMISSION_DENIED', "Required 'container.clusters.get' permission")
    );
    const ctx = context(testInputs({ 'cluster-name': 'denied' }));
    await expect(step(ctx.state).run(ctx)).rejects.toThrow(
      /Could not get credentials for cluster denied in us-central1 \(project acme-flyte\): .*403 PERMISSION_DENIED: Required 'container\.clusters\.get' permission/
    );
    expect(ctx.exported).toEqual({});
    expect(ctx.cleanups).toEqual([]);
  });

  it('a cluster still being created has no endpoint yet: a clear error, not a broken kubeconfig', async () => {
    const ctx = context(testInputs({ 'cluster-name': 'new' }));
    await expect(step(ctx.state).run(ctx)).rejects.toThrow(
      /status PROVISIONING.*still being created/
    );
    expect(ctx.exported).toEqual({});
  });

  it('prints the exact API call in a dry run', () => {
    const state = new RunState(true);
    state.tfOutputs = outputs;
    expect(step(state).describe(state)).toContain(
      'GET https://container.googleapis.com/v1/projects/acme-flyte-prod/locations/europe-west4/clusters/flyte-from-tf'
    );
  });
});
