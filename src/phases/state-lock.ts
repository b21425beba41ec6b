/**
 * Before the first command that locks the Terraform state (a deploy's plan, a destroy's first
 * change): a lock left by an interrupted run (a cancelled job, a lost runner) would block this
 * run and every later one. The step reads the lock object, and releases it only when GitHub proves
 * that the run named by the holder record has ended, as `terraform force-unlock -force ID` does on
 * this backend: a delete of the lock object on condition that its generation is still ID. Through
 * gcloud, so it needs no `terraform init` and runs before it, before any read starts ahead; then
 * it writes this run's own holder record (see terraform/lock-holder.ts for the format and why it
 * is trusted). A lock it cannot release is explained and left: Terraform then waits its
 * -lock-timeout and fails with that explanation.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import type { TaskContext, TaskStep } from '../engine/types.js';
import { runChecked } from '../engine/run-checked.js';
import { displayCommand } from '../engine/redact.js';
import {
  catObjectArgs,
  copyToObjectArgs,
  describeObjectArgs,
  isObjectMissing,
  removeGenerationArgs
} from '../tools/gcloud/objects.js';
import {
  HOLDER_OBJECT,
  LOCK_OBJECT,
  holderRecordOf,
  judgeRun,
  matchRecord,
  parseHolderRecord,
  parseStateLock,
  stateObjectUrl,
  terraformWho,
  type StateLock
} from '../terraform/lock-holder.js';

export interface StateLockFiles {
  /** The run's Terraform scratch folder (exists after the work-folder step). */
  readonly dir: string;
}

/** The manual form, for a person at a terminal with the module initialised. */
export const forceUnlockArgs = (id: string): string[] => ['force-unlock', '-force', id];

export function stateLockStep(inputs: Inputs, files: StateLockFiles): TaskStep {
  const lockUrl = stateObjectUrl(inputs.stateBucket, inputs.statePrefix, LOCK_OBJECT);
  const holderUrl = stateObjectUrl(inputs.stateBucket, inputs.statePrefix, HOLDER_OBJECT);
  return {
    kind: 'task',
    id: 'terraform-state-lock',
    title: 'Release a state lock an ended run left, and record this run as the next holder',
    mutates: true,
    describe: () =>
      [
        `$ ${displayCommand('gcloud', catObjectArgs(holderUrl), [])}   (the last holder record)`,
        `$ ${displayCommand('gcloud', describeObjectArgs(lockUrl), [])}   (the lock, if held; its generation is the lock ID)`,
        `If the lock is held, its Who and Created match the holder record of a run of this repository, and GitHub (GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt}) reports that run completed after it took the lock:`,
        `  $ ${displayCommand('gcloud', removeGenerationArgs(lockUrl, '<lock ID>'), [])}   (what terraform force-unlock -force <lock ID> does on this backend)`,
        'If it is held otherwise: explain who holds it and leave it (Terraform waits for it, then fails).',
        `When no lock is left: $ ${displayCommand('gcloud', copyToObjectArgs('<record>', holderUrl), [])}   (repository, run, attempt, job, user@host; no secret)`
      ].join('\n'),
    run: (ctx) => releaseAndRecord(ctx, files, lockUrl, holderUrl)
  };
}

async function gcloudRead(ctx: TaskContext, args: string[]) {
  return runChecked(ctx, {
    stepId: 'terraform-state-lock',
    title: `gcloud ${args.slice(0, 3).join(' ')}`,
    tool: 'gcloud',
    args,
    okExitCodes: 'any',
    quiet: true
  });
}

async function releaseAndRecord(
  ctx: TaskContext,
  files: StateLockFiles,
  lockUrl: string,
  holderUrl: string
): Promise<'unchanged' | void> {
  const previous = await gcloudRead(ctx, catObjectArgs(holderUrl));
  const record = previous.exitCode === 0 ? parseHolderRecord(previous.stdout) : undefined;
  const described = await gcloudRead(ctx, describeObjectArgs(lockUrl));
  let released = false;
  if (described.exitCode !== 0 && !isObjectMissing(described)) {
    ctx.log.warning(
      `Could not look for a state lock at ${lockUrl} (gcloud exited with ${described.exitCode}); Terraform checks it itself.`
    );
    return 'unchanged';
  }
  if (described.exitCode === 0) {
    const content = await gcloudRead(ctx, catObjectArgs(lockUrl));
    const lock =
      content.exitCode === 0 ? parseStateLock(described.stdout, content.stdout) : undefined;
    if (!lock) {
      explain(ctx, `The Terraform state is locked (${lockUrl}), but the lock could not be read.`);
      return 'unchanged';
    }
    const verdict = await prove(ctx, lock, record);
    if (verdict.kind !== 'ended') {
      explain(ctx, verdict.text);
      return 'unchanged';
    }
    ctx.log.warning(verdict.text);
    await runChecked(ctx, {
      stepId: 'terraform-state-lock',
      title: `Releasing state lock ${lock.id}`,
      tool: 'gcloud',
      args: removeGenerationArgs(lockUrl, lock.id)
    });
    ctx.state.notes.push(`Released Terraform state lock ${lock.id}: ${verdict.text}`);
    released = true;
  }
  const mine = holderRecordOf(ctx.env, terraformWho(), ctx.clock.now());
  if (mine) {
    const file = path.join(files.dir, HOLDER_OBJECT);
    writeFileSync(file, `${JSON.stringify(mine, null, 2)}\n`, { mode: 0o600 });
    await runChecked(ctx, {
      stepId: 'terraform-state-lock',
      title: 'Writing the state lock holder record',
      tool: 'gcloud',
      args: copyToObjectArgs(file, holderUrl),
      quiet: true
    });
  }
  return released ? undefined : 'unchanged';
}

function explain(ctx: TaskContext, text: string): void {
  ctx.state.stateLockReport = text;
  ctx.log.warning(text);
}

const describeLock = (lock: StateLock) =>
  `lock ID ${lock.id}, ${lock.operation.replace(/^OperationType/, '').toLowerCase() || 'an operation'} by ${lock.who || 'an unnamed user'} since ${new Date(lock.created).toISOString()}`;

async function prove(
  ctx: TaskContext,
  lock: StateLock,
  record: ReturnType<typeof parseHolderRecord>
): Promise<{ kind: 'ended' | 'kept'; text: string }> {
  const unlock = `If no Terraform runs on this state any more, release it from the module folder, after terraform init with the same backend: ${displayCommand('terraform', forceUnlockArgs(lock.id), [])}`;
  const unproven = (why: string) => ({
    kind: 'kept' as const,
    text: `The Terraform state is locked (${describeLock(lock)}); the action leaves it, as it cannot prove that its holder has ended: ${why}. ${unlock}`
  });
  const here = ctx.env.GITHUB_REPOSITORY
    ? {
        fullName: ctx.env.GITHUB_REPOSITORY,
        ...(ctx.env.GITHUB_REPOSITORY_ID ? { id: ctx.env.GITHUB_REPOSITORY_ID } : {})
      }
    : undefined;
  const matched = matchRecord(lock, record, here);
  if (matched.kind === 'unproven') return unproven(matched.why);
  if (!here || !ctx.workflowRunAttempt) return unproven('there is no github-token to ask GitHub');
  const { runId, runAttempt } = matched.record;
  let answer;
  try {
    answer = await ctx.workflowRunAttempt(runId, runAttempt);
  } catch (error) {
    return unproven(`GitHub did not say (${(error as Error).message.split('\n')[0]})`);
  }
  const verdict = judgeRun(lock, matched.record, answer, here);
  if (verdict.kind === 'unproven') return unproven(verdict.why);
  const run = `run ${runId} attempt ${runAttempt} of ${here.fullName} (${verdict.run.htmlUrl})`;
  if (verdict.kind === 'running') {
    return {
      kind: 'kept',
      text: `The Terraform state is locked (${describeLock(lock)}) by ${run}, which is still ${verdict.run.status}. Wait for it to end, or cancel it there; the next run releases a lock its ended holder left.`
    };
  }
  return {
    kind: 'ended',
    text: `the lock (${describeLock(lock)}) was held by ${run}, which GitHub reports ${verdict.run.conclusion ?? 'completed'} after taking it.`
  };
}
