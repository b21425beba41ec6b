import { describe, expect, it } from '@jest/globals';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { RunState, type TerraformOutputs } from '../src/engine/state.js';
import type { Exec, ExecOptions, TaskStep } from '../src/engine/types.js';
import { clusterCredentialsPhase } from '../src/phases/auth.js';
import { cleanupFiles } from '../src/post-run.js';
import { testContext, testInputs } from './support/task-context.js';

interface Call {
  tool: string;
  args: readonly string[];
  options: ExecOptions | undefined;
}

/** Answers like gcloud get-credentials: writes a kubeconfig entry into $KUBECONFIG. */
function fakeGcloud(exitCode = 0): Exec & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    run: async (tool, args, options) => {
      calls.push({ tool, args, options });
      if (exitCode !== 0)
        return {
          exitCode,
          stdout: '',
          stderr: 'ERROR: (gcloud.container.clusters.get-credentials) NOT_FOUND: cluster missing'
        };
      appendFileSync(
        options?.env?.KUBECONFIG ?? '',
        'users:\n- user:\n    exec:\n      command: gke-gcloud-auth-plugin\n'
      );
      return { exitCode: 0, stdout: '', stderr: 'kubeconfig entry generated for flyte.' };
    }
  };
}

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

describe('clusterCredentialsPhase', () => {
  it('writes the kubeconfig to a private temp file, never ~/.kube/config, and exports it', async () => {
    const exec = fakeGcloud();
    const ctx = testContext({ exec });
    await step(ctx.state).run(ctx);

    const kubeconfig = ctx.state.kubeconfigPath ?? '';
    const folder = path.dirname(kubeconfig);
    expect(path.dirname(folder)).toBe(ctx.env.RUNNER_TEMP);
    expect(kubeconfig.startsWith(path.join(homedir(), '.kube'))).toBe(false);
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readFileSync(kubeconfig, 'utf8')).toContain('gke-gcloud-auth-plugin');
    // The folder goes, so the auth plugin's token cache beside the kubeconfig goes with it.
    expect(ctx.cleanups).toEqual([folder]);
    expect(ctx.exported).toEqual({ KUBECONFIG: kubeconfig, USE_GKE_GCLOUD_AUTH_PLUGIN: 'True' });
    expect(exec.calls).toEqual([
      {
        tool: 'gcloud',
        args: [
          'container',
          'clusters',
          'get-credentials',
          'flyte',
          '--location',
          'us-central1',
          '--project',
          'acme-flyte'
        ],
        options: {
          env: { KUBECONFIG: kubeconfig, USE_GKE_GCLOUD_AUTH_PLUGIN: 'True' },
          quiet: false
        }
      }
    ]);
  });

  it('the post step removes the auth plugin token cache written beside the kubeconfig', async () => {
    const ctx = testContext({ exec: fakeGcloud() });
    await step(ctx.state).run(ctx);
    const cache = path.join(
      path.dirname(ctx.state.kubeconfigPath!),
      'gke_gcloud_auth_plugin_cache'
    );
    // What gke-gcloud-auth-plugin writes on its first token.
    writeFileSync(cache, '{"access_token":"ya29.canary"}');
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
    const exec = fakeGcloud();
    const ctx = testContext({ exec });
    ctx.state.tfOutputs = outputs;
    await step(ctx.state).run(ctx);
    expect(exec.calls[0]?.args).toEqual([
      'container',
      'clusters',
      'get-credentials',
      'flyte-from-tf',
      '--location',
      'europe-west4',
      '--project',
      'acme-flyte-prod'
    ]);
  });

  it('fails with the cluster named and gcloud’s own error, exporting nothing', async () => {
    const ctx = testContext({ exec: fakeGcloud(1) });
    await expect(step(ctx.state).run(ctx)).rejects.toThrow(
      /Could not get credentials for cluster flyte in us-central1 \(project acme-flyte\): gcloud exited with 1\.[\s\S]*NOT_FOUND/
    );
    expect(ctx.exported).toEqual({});
    expect(ctx.cleanups).toHaveLength(1); // the empty file is still removed by the post step
  });

  it('prints the exact command in a dry run', () => {
    const state = new RunState(true);
    state.tfOutputs = outputs;
    expect(step(state).describe(state)).toContain(
      '$ gcloud container clusters get-credentials flyte-from-tf --location europe-west4 --project acme-flyte-prod'
    );
  });
});
