/**
 * While Terraform plans a deploy, read what the later phases will read: the Terraform outputs,
 * and, when the cluster already exists, its credentials, the Helm releases and their histories,
 * the Secrets' digests, the release record and the certificate. (The IAP phase's backend service
 * list and policy read are one REST round trip each, with no tool to start, so they are not read
 * ahead.) Nothing here depends on the plan, and
 * nothing changes anything; the answers wait for the steps that ask (engine/read-ahead.ts), which
 * read again for themselves whenever something changed in between.
 */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { Phase, ReadCall, TaskContext } from '../engine/types.js';
import {
  clusterRef,
  describeClusterRead,
  fetchCredentialsIfClusterExists,
  sameCluster
} from '../auth/kubeconfig.js';
import { getMetadataArgs, getValuesArgs } from '../tools/helm/args.js';
import { historyArgs } from '../tools/helm/history.js';
import { outputJsonArgs } from '../tools/terraform/args.js';
import { flyteNames } from '../values/names.js';
import { certificateReadArgs } from './flyte-ingress.js';
import { oauthSecretReadArgs } from './flyte-oauth-secret.js';
import { proxyTlsReadArgs } from './flyte-proxy-tls.js';
import { legacyIngressReadArgs } from './legacy-ingress.js';
import { liveReleaseReadSteps, recordReadArgs } from './release-record.js';
import { terraformEnv } from './terraform.js';

/** The step of the deploy's plan phase after which the reads start (they need the backend). */
export const READ_AHEAD_AFTER = 'terraform-init';

/** The Terraform outputs as the outputs step reads them. */
export function outputsRead(inputs: Inputs, state: RunState): ReadCall {
  return {
    tool: 'terraform',
    args: outputJsonArgs(),
    cwd: inputs.terraformDir,
    env: terraformEnv(state)
  };
}

/** What the install, ingress and IAP phases read from the cluster, in the form they read it. */
export function clusterReads(inputs: Inputs): ReadCall[] {
  const names = flyteNames(inputs);
  const ns = inputs.namespace;
  const reads: ReadCall[] = [
    { tool: 'helm', args: getMetadataArgs(inputs.releaseName, ns) },
    { tool: 'helm', args: getValuesArgs(inputs.releaseName, ns) },
    { tool: 'helm', args: getMetadataArgs(names.gkeRelease, ns) },
    { tool: 'kubectl', args: recordReadArgs(inputs) },
    // The pending-release checks before the upgrades (helm-recovery.ts).
    { tool: 'helm', args: historyArgs(inputs.releaseName, ns) },
    { tool: 'helm', args: historyArgs(names.gkeRelease, ns) }
  ];
  if (inputs.ingress) {
    reads.push(
      { tool: 'helm', args: getValuesArgs(names.gkeRelease, ns) },
      { tool: 'kubectl', args: proxyTlsReadArgs(inputs) },
      { tool: 'kubectl', args: legacyIngressReadArgs(inputs) },
      { tool: 'kubectl', args: certificateReadArgs(inputs) }
    );
  }
  if (inputs.iap) {
    reads.push({ tool: 'kubectl', args: oauthSecretReadArgs(inputs, names.oauthSecret) });
  }
  return reads;
}

/**
 * Whether credentials fetched while Terraform planned still serve: same cluster as the outputs
 * name, and (for a deploy) the plan neither creates, replaces nor destroys it (a new cluster has a
 * new endpoint).
 */
export function readAheadCredentialsHold(inputs: Inputs, state: RunState): boolean {
  if (!state.readAheadCluster || !state.kubeconfigPath) return false;
  if (!sameCluster(state.readAheadCluster, clusterRef(inputs, state))) return false;
  // A plan applies nothing: the cluster it read is the one there is.
  if (inputs.command === 'plan') return true;
  // Without a plan summary nothing says the cluster stays.
  return (
    state.planSummary?.resources.every(
      (r) => r.type !== 'google_container_cluster' || r.action === 'update'
    ) ?? false
  );
}

async function readAhead(inputs: Inputs, ctx: TaskContext): Promise<void> {
  const store = ctx.readAhead;
  if (!store) return;
  const outputs = store.start(ctx.exec, outputsRead(inputs, ctx.state));
  if (!(await fetchCredentialsIfClusterExists(ctx))) {
    await outputs;
    return;
  }
  const reads = clusterReads(inputs).map((call) => store.start(ctx.exec, call));
  const answers = await Promise.all([outputs, ...reads]);
  ctx.log.info(
    `Read ahead: ${answers.filter((a) => a?.exitCode === 0).length} of ${answers.length} reads answered; the steps that need them take these answers unless something changes first.`
  );
}

/** Runs beside the deploy's Terraform plan phase, from its init on. */
export function readAheadPhase(inputs: Inputs): Phase {
  return {
    name: 'Read the cluster while Terraform plans',
    steps: (state) => [
      {
        kind: 'task',
        id: 'read-ahead',
        title: 'Read the Terraform outputs and the cluster ahead',
        mutates: false,
        describe: () =>
          [
            `$ terraform ${outputJsonArgs().join(' ')}`,
            `${describeClusterRead(clusterRef(inputs, state))}   (the cluster the inputs name; when it does not exist yet, the reads wait for the apply)`,
            ...clusterReads(inputs).map((r) => `$ ${r.tool} ${r.args.join(' ')}`),
            'Each answer is used by the later step that runs the same command, unless a change comes first.'
          ].join('\n'),
        run: (ctx) => readAhead(inputs, ctx)
      }
    ]
  };
}

/** What a plan (and a drift check) reads of the live release: the Deployment and the record. */
export function liveReleaseReads(inputs: Inputs): ReadCall[] {
  return liveReleaseReadSteps(inputs).map((step) => ({ tool: step.tool, args: step.args }));
}

async function readAheadForPlan(inputs: Inputs, ctx: TaskContext): Promise<void> {
  const store = ctx.readAhead;
  if (!store) return;
  const outputs = store.start(ctx.exec, outputsRead(inputs, ctx.state));
  const reads = (await fetchCredentialsIfClusterExists(ctx))
    ? liveReleaseReads(inputs).map((call) => store.start(ctx.exec, call))
    : [];
  const answers = await Promise.all([outputs, ...reads]);
  ctx.log.info(
    `Read ahead: ${answers.filter((a) => a?.exitCode === 0).length} of ${answers.length} reads answered while Terraform planned.`
  );
}

/**
 * Beside a pull request's Terraform plan: the outputs (a plan writes no state, so they are the
 * same after it) and what is deployed, so the comment waits for the plan and nothing else.
 */
export function planReadAheadPhase(inputs: Inputs): Phase {
  return {
    name: 'Read the deployment while Terraform plans',
    steps: (state) => [
      {
        kind: 'task',
        id: 'read-ahead',
        title: 'Read the Terraform outputs and the live release ahead',
        mutates: false,
        describe: () =>
          [
            `$ terraform ${outputJsonArgs().join(' ')}`,
            `${describeClusterRead(clusterRef(inputs, state))}   (when the cluster exists)`,
            ...liveReleaseReads(inputs).map((r) => `$ ${r.tool} ${r.args.join(' ')}`),
            'Each answer is used by the later step that runs the same command.'
          ].join('\n'),
        run: (ctx) => readAheadForPlan(inputs, ctx)
      }
    ]
  };
}
