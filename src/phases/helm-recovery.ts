/**
 * Frees a Helm release an interrupted run left pending (a cancelled job, a lost runner), so the
 * upgrade after it can run: roll back to the last deployed revision, or uninstall a first install
 * that never finished. Only when no other Helm operation can still be running on it:
 *
 * - Through the reusable workflows (deploy, upgrade, destroy) the job runs in the concurrency group
 *   `flyte-gke-PROJECT-CLUSTER` with `cancel-in-progress: false`, so while this run holds it no other
 *   mutating run of this cluster is running: a pending revision belongs to a run that has ended.
 *   The workflows say so with FLYTE_GKE_CONCURRENCY_GROUP, which must name this cluster's group.
 * - Run directly (not in that group), another job or a person may be upgrading right now. Then
 *   only a revision pending for longer than any such operation can last counts as abandoned: six
 *   hours (a GitHub-hosted job's limit) or twice this run's Helm timeout, whichever is longer.
 *   A younger one stops the run with the commands to check and free it by hand.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { TaskStep, TaskContext } from '../engine/types.js';
import { uninstallArgs } from '../tools/helm/args.js';
import {
  historyArgs,
  parseHistory,
  recoveryFor,
  rollbackArgs,
  type HelmRevision
} from '../tools/helm/history.js';
import { runChecked } from '../engine/run-checked.js';

/** Set by the reusable workflows to the job's concurrency group. */
export const CONCURRENCY_GROUP_VARIABLE = 'FLYTE_GKE_CONCURRENCY_GROUP';
/** A GitHub-hosted job runs at most six hours. */
export const DIRECT_RUN_STALE_MS = 6 * 60 * 60 * 1000;

export function clusterGroup(inputs: Pick<Inputs, 'projectId' | 'clusterName'>): string {
  return `flyte-gke-${inputs.projectId}-${inputs.clusterName}`;
}

/** True when the job declares it runs in this cluster's concurrency group. */
export function holdsClusterGroup(inputs: Inputs, env: NodeJS.ProcessEnv): boolean {
  return env[CONCURRENCY_GROUP_VARIABLE] === clusterGroup(inputs);
}

export function staleAfterMs(inputs: Pick<Inputs, 'timeoutSeconds'>): number {
  return Math.max(DIRECT_RUN_STALE_MS, 2 * inputs.timeoutSeconds * 1000);
}

const hours = (ms: number) => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

export function recoveryStep(id: string, release: string, inputs: Inputs): TaskStep {
  const ns = inputs.namespace;
  const history = historyArgs(release, ns);
  return {
    kind: 'task',
    id,
    title: `Recover Helm release ${release} if an interrupted run left it pending`,
    mutates: true,
    describe: () =>
      [
        `$ helm ${history.join(' ')}`,
        `If the last revision is pending-install, pending-upgrade or pending-rollback, and this job holds the concurrency group ${clusterGroup(inputs)} (${CONCURRENCY_GROUP_VARIABLE}, set by the reusable workflows) or the revision is older than ${hours(staleAfterMs(inputs))}:`,
        `  with a deployed revision: $ helm ${rollbackArgs(release, '<last deployed revision>', ns, inputs.timeoutSeconds).join(' ')}`,
        `  never deployed (pending-install only): $ helm ${uninstallArgs(release, ns, inputs.timeoutSeconds).join(' ')}`,
        'Otherwise stop and say how to free it by hand. A deployed release is left alone.'
      ].join('\n'),
    run: (ctx) => recover(ctx, id, release, inputs)
  };
}

async function recover(
  ctx: TaskContext,
  id: string,
  release: string,
  inputs: Inputs
): Promise<'unchanged' | void> {
  const ns = inputs.namespace;
  const read = await runChecked(ctx, {
    stepId: id,
    title: `Reading the history of ${release}`,
    tool: 'helm',
    args: historyArgs(release, ns),
    okExitCodes: [0, 1],
    quiet: true
  });
  const plan = recoveryFor(parseHistory(id, read));
  if (plan.kind === 'none') return 'unchanged';
  const pending = plan.pending;
  const why = mayRecover(ctx, inputs, pending);
  const manual = `Check with \`helm history ${release} -n ${ns}\`; when no Helm command is running on it, free it with \`helm rollback ${release} REVISION -n ${ns} --wait\` (the last deployed revision) or, for a first install that never finished, \`helm uninstall ${release} -n ${ns}\`, then run the action again.`;
  if (!why.ok) {
    throw new StepError(
      id,
      `Helm release ${release} is ${pending.status} (revision ${pending.revision}${pending.updated ? `, since ${new Date(pending.updated).toISOString()}` : ''}): an operation that did not finish, or one still running. ${why.reason} ${manual}`
    );
  }
  if (plan.kind === 'manual') {
    throw new StepError(
      id,
      `Helm release ${release} is ${pending.status} (revision ${pending.revision}) and has no deployed revision to roll back to. ${manual}`
    );
  }
  const args =
    plan.kind === 'rollback'
      ? rollbackArgs(release, plan.to.revision, ns, inputs.timeoutSeconds)
      : uninstallArgs(release, ns, inputs.timeoutSeconds);
  const done =
    plan.kind === 'rollback'
      ? `rolled it back to revision ${plan.to.revision}, the last deployed one`
      : 'uninstalled it (it was never deployed)';
  ctx.log.warning(
    `Helm release ${release} was ${pending.status} (revision ${pending.revision}), left by an interrupted run; ${why.reason} Recovering: ${plan.kind === 'rollback' ? `rollback to revision ${plan.to.revision}` : 'uninstall'}.`
  );
  await runChecked(ctx, {
    stepId: id,
    title: plan.kind === 'rollback' ? `Rolling back ${release}` : `Uninstalling ${release}`,
    tool: 'helm',
    args
  });
  ctx.state.notes.push(
    `Recovered Helm release ${release}: it was ${pending.status} (revision ${pending.revision}) after an interrupted run; ${done} before the upgrade.`
  );
}

function mayRecover(
  ctx: TaskContext,
  inputs: Inputs,
  pending: HelmRevision
): { ok: boolean; reason: string } {
  const group = clusterGroup(inputs);
  if (holdsClusterGroup(inputs, ctx.env)) {
    return {
      ok: true,
      reason: `This job holds the concurrency group ${group} (cancel-in-progress false), so no other run of this cluster is running.`
    };
  }
  const bound = staleAfterMs(inputs);
  const age = pending.updated === undefined ? undefined : ctx.clock.now() - pending.updated;
  if (age !== undefined && age > bound) {
    return {
      ok: true,
      reason: `This job is not in the concurrency group ${group}, but the revision is ${hours(age)} old, longer than any Helm operation of a job lasts (${hours(bound)}).`
    };
  }
  return {
    ok: false,
    reason: `This job does not run in the concurrency group ${group} (${CONCURRENCY_GROUP_VARIABLE} is not set to it, as the reusable workflows do), so another run may still be working on it; the action frees it by itself only after ${hours(bound)}.`
  };
}
