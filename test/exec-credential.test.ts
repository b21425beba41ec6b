/**
 * Cluster credentials without gcloud: the credentials step reads the cluster's endpoint and CA
 * from a loopback GKE API, writes a kubeconfig whose user is the action's own exec credential
 * plugin, and real kubectl (1.34) runs that plugin, which exchanges the job's OIDC token at the
 * loopback STS, impersonates the deployer and hands kubectl the account's token, which kubectl
 * sends to a loopback HTTPS API server that checks it. Without the plugin (or with a planted
 * credentials file) kubectl gets no token and the API server refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { fetchClusterCredentials, TOKEN_CACHE_FILE } from '../src/auth/kubeconfig.js';
import { googleApiFor } from '../src/gcp/client.js';
import { GoogleServer } from './support/google-server.js';
import { serveGkeClusters, type StandinCluster } from './support/google-routes.js';
import { LoopbackApiServer } from './support/loopback-apiserver.js';
import { PROJECT_ROOT } from './support/project.js';
import { realToolPath } from './support/real-tools.js';
import { testContext } from './support/task-context.js';

const run = promisify(execFile);
const ACCOUNT_TOKEN = 'ya29.service-account-token';
const TSX = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const PLUGIN_SOURCE = path.join(PROJECT_ROOT, 'src', 'credential', 'index.ts');

let google: GoogleServer;
let apiserver: LoopbackApiServer;
const clusters: StandinCluster[] = [];

beforeAll(async () => {
  google = await new GoogleServer().start();
  apiserver = await new LoopbackApiServer(ACCOUNT_TOKEN).start();
  serveGkeClusters(google, clusters);
  clusters.push({
    project: 'acme-flyte',
    location: 'us-central1',
    name: 'flyte',
    endpoint: apiserver.endpoint,
    caCertificate: Buffer.from(apiserver.caPem).toString('base64')
  });
});
afterAll(async () => {
  await google.stop();
  await apiserver.stop();
});

/** The credentials step as a run makes it, with the job's credentials file and loopback Google. */
async function credentialsStep() {
  const { file, env } = google.credentials();
  const ctx = testContext({ env, google: googleApiFor(file, env) });
  ctx.state.credentialsFile = file;
  ctx.state.actionRoot = PROJECT_ROOT;
  await fetchClusterCredentials(ctx);
  return { ctx, credentialsFile: file };
}

/** The kubeconfig the step wrote, its plugin run from source (tsx) instead of the ncc bundle. */
function fromSource(kubeconfig: string): string {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as {
    users: { user: { exec: { command: string; args: string[] } } }[];
  };
  const exec = config.users[0]!.user.exec;
  expect(exec.command).toBe(process.execPath);
  expect(exec.args[0]).toBe(path.join(PROJECT_ROOT, 'dist', 'credential', 'index.js'));
  exec.args.splice(0, 1, '--import', TSX, PLUGIN_SOURCE);
  const file = `${kubeconfig}.source`;
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

const kubectl = (kubeconfig: string, ...args: string[]) =>
  run(realToolPath('kubectl'), ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env.PATH, HOME: path.dirname(kubeconfig) }
  });

describe('cluster credentials through the action’s exec credential plugin', () => {
  it('real kubectl runs the plugin, and the API server gets the impersonated account’s token', async () => {
    const { ctx } = await credentialsStep();
    const kubeconfig = ctx.state.kubeconfigPath!;
    expect(ctx.exported).toEqual({ KUBECONFIG: kubeconfig });
    expect(readFileSync(kubeconfig, 'utf8')).not.toContain('gke-gcloud-auth-plugin');
    expect(google.calls.map((c) => `${c.method} ${c.service}${c.path}`)).toContain(
      'GET container/v1/projects/acme-flyte/locations/us-central1/clusters/flyte'
    );

    const config = fromSource(kubeconfig);
    const exchanges = google.exchanges;
    const before = apiserver.authorizations.length;
    const { stdout } = await kubectl(config, 'get', '--raw', '/api/v1/namespaces/flyte');
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'Namespace', metadata: { name: 'flyte' } });
    // The plugin ran: one token exchange, and the request carried the account's token.
    expect(google.exchanges - exchanges).toBe(1);
    expect(apiserver.authorizations.slice(before)).toEqual([`Bearer ${ACCOUNT_TOKEN}`]);

    // A second kubectl process takes the kept token: no second exchange. Kept 0600.
    await kubectl(config, 'get', '--raw', '/api/v1/namespaces/default');
    expect(google.exchanges - exchanges).toBe(1);
    const cache = path.join(path.dirname(kubeconfig), TOKEN_CACHE_FILE);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    // The folder (and with it the token) is what the post step removes.
    expect(ctx.cleanups).toEqual([path.dirname(kubeconfig)]);
  });

  it('a planted credentials file gets no token out: kubectl fails and the API server sees no token', async () => {
    const { ctx, credentialsFile } = await credentialsStep();
    const planted = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, unknown>;
    planted.token_url = 'https://attacker.example/v1/token';
    writeFileSync(credentialsFile, JSON.stringify(planted));
    const before = apiserver.authorizations.length;
    const failed = await kubectl(
      fromSource(ctx.state.kubeconfigPath!),
      'get',
      '--raw',
      '/api/v1/namespaces/flyte'
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /flyte-gke credential plugin: no token for the cluster: .*token_url points at attacker\.example/
    );
    expect(apiserver.authorizations.slice(before).filter(Boolean)).toEqual([]);
  });

  it('fails with the cluster named when GKE has no such cluster, writing and exporting nothing', async () => {
    const { file, env } = google.credentials();
    const ctx = testContext({ env, google: googleApiFor(file, env) });
    ctx.state.credentialsFile = file;
    ctx.state.tfOutputs = {
      clusterName: 'missing',
      clusterLocation: 'europe-west4',
      projectId: 'acme-flyte'
    } as typeof ctx.state.tfOutputs;
    await expect(fetchClusterCredentials(ctx)).rejects.toThrow(
      /cluster missing in europe-west4 \(project acme-flyte\): GKE answered 404/
    );
    expect(ctx.exported).toEqual({});
    expect(ctx.cleanups).toEqual([]);
  });
});
