/**
 * Before the first command that locks the Terraform state (a deploy's plan, a destroy's first
 * change): a lock left by an interrupted run (a cancelled job, a lost runner) would block this
 * run and every later one. The step reads the lock object, and releases it only when GitHub proves
 * that the run named by the holder record has ended, as `terraform force-unlock -force ID` does on
 * this backend: a delete of the lock object on condition that its generation is still ID. Through
 * Cloud Storage's JSON API (gcp/storage-objects.ts), so it needs neither `terraform init` nor
 * gcloud and runs before init, before any read starts ahead; then it writes this run's own holder
 * record (see terraform/lock-holder.ts for the format and why it is trusted). A lock it cannot
 * release is explained and left: Terraform then waits its -lock-timeout and fails with that
 * explanation.
 */
import type { Inputs } from '../inputs.js';
import type { TaskContext, TaskStep } from '../engine/types.js';
import { displayCommand } from '../engine/redact.js';
import type { GoogleApi } from '../gcp/google-api.js';
import {
  deleteObjectGeneration,
  describeObjectContentRead,
  describeObjectDelete,
  describeObjectInsert,
  describeObjectRead,
  insertObject,
  readObjectContent,
  readObjectGeneration
} from '../gcp/storage-objects.js';
import {
  HOLDER_OBJECT,
  LOCK_OBJECT,
  holderRecordOf,
  judgeRun,
  matchRecord,
  parseHolderRecord,
  parseStateLock,
  stateObjectName,
  stateObjectUrl,
  terraformWho,
  type StateLock
} from '../terraform/lock-holder.js';
import { googleCall, googleOf } from './google-call.js';

const STEP_ID = 'terraform-state-lock';

/** The two objects the step works on, by bucket and name and as gs:// URLs for messages. */
interface LockObjects {
  readonly bucket: string;
  readonly lock: string;
  readonly holder: string;
  readonly lockUrl: string;
  readonly holderUrl: string;
}

/** The manual form, for a person at a terminal with the module initialised. */
export const forceUnlockArgs = (id: string): string[] => ['force-unlock', '-force', id];

export function stateLockStep(inputs: Inputs): TaskStep {
  const objects: LockObjects = {
    bucket: inputs.stateBucket,
    lock: stateObjectName(inputs.statePrefix, LOCK_OBJECT),
    holder: stateObjectName(inputs.statePrefix, HOLDER_OBJECT),
    lockUrl: stateObjectUrl(inputs.stateBucket, inputs.statePrefix, LOCK_OBJECT),
    holderUrl: stateObjectUrl(inputs.stateBucket, inputs.statePrefix, HOLDER_OBJECT)
  };
  const { bucket, lock, holder } = objects;
  return {
    kind: 'task',
    id: STEP_ID,
    title: 'Release a state lock an ended run left, and record this run as the next holder',
    mutates: true,
    describe: () =>
      [
        `${describeObjectContentRead(bucket, holder)} (storage.objects.get)   (the last holder record)`,
        `${describeObjectRead(bucket, lock)} (storage.objects.get)   (the lock, if held; its generation is the lock ID)`,
        `  then ${describeObjectContentRead(bucket, lock, '<lock ID>')}   (the lock's Who and Created)`,
        `If the lock is held, its Who and Created match the holder record of a run of this repository, and GitHub (GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt}) reports that run completed after it took the lock:`,
        `  ${describeObjectDelete(bucket, lock, '<lock ID>')} (storage.objects.delete)   (what terraform force-unlock -force <lock ID> does on this backend)`,
        '  Google answers 412 when the lock was taken again since: say so and leave it.',
        'If it is held otherwise: explain who holds it and leave it (Terraform waits for it, then fails).',
        `When no lock is left: ${describeObjectInsert(bucket, holder)} <record> (storage.objects.create)   (repository, run, attempt, job, user@host; no secret)`
      ].join('\n'),
    run: (ctx) => releaseAndRecord(ctx, googleOf(ctx, STEP_ID), objects)
  };
}

/** The last holder record; none when there is none or it cannot be read (it only ever helps). */
async function readRecord(api: GoogleApi, objects: LockObjects) {
  try {
    const text = await readObjectContent(api, objects.bucket, objects.holder);
    return text === undefined ? undefined : parseHolderRecord(text);
  } catch {
    return undefined;
  }
}

/** The lock of that generation (its content read at it), or undefined when it does not read as one. */
async function readLock(
  api: GoogleApi,
  objects: LockObjects,
  generation: string
): Promise<StateLock | undefined> {
  try {
    // Of that generation only: a lock taken anew meanwhile is not judged by the old one's content.
    const content = await readObjectContent(api, objects.bucket, objects.lock, generation);
    return content === undefined ? undefined : parseStateLock(generation, content);
  } catch {
    return undefined;
  }
}

async function releaseAndRecord(
  ctx: TaskContext,
  api: GoogleApi,
  objects: LockObjects
): Promise<'unchanged' | void> {
  const { bucket, lockUrl, holderUrl } = objects;
  const record = await readRecord(api, objects);
  let generation: string | undefined;
  try {
    generation = await readObjectGeneration(api, bucket, objects.lock);
  } catch (error) {
    ctx.log.warning(
      `Could not look for a state lock at ${lockUrl} (${(error as Error).message.split('\n')[0]}); Terraform checks it itself.`
    );
    return 'unchanged';
  }
  let released = false;
  if (generation !== undefined) {
    const lock = await readLock(api, objects, generation);
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
    const outcome = await googleCall(
      STEP_ID,
      `Releasing state lock ${lock.id} (${describeObjectDelete(bucket, objects.lock, lock.id)})`,
      'The deployer needs storage.objects.delete on the state bucket.',
      () => deleteObjectGeneration(api, bucket, objects.lock, lock.id)
    );
    if (outcome === 'changed') {
      explain(
        ctx,
        `The Terraform state lock changed before it could be released: ${lockUrl} is no longer generation ${lock.id} (Cloud Storage answered 412 conditionNotMet), so it was taken again since; the action leaves it. It had found that ${verdict.text}`
      );
      return 'unchanged';
    }
    if (outcome === 'missing') {
      ctx.log.info(`State lock ${lock.id} was gone before the action released it.`);
    } else {
      ctx.state.notes.push(`Released Terraform state lock ${lock.id}: ${verdict.text}`);
      released = true;
    }
  }
  const mine = holderRecordOf(ctx.env, terraformWho(), ctx.clock.now());
  if (mine) {
    await googleCall(
      STEP_ID,
      `Writing the state lock holder record ${holderUrl}`,
      'The deployer needs storage.objects.create and storage.objects.delete on the state bucket.',
      () =>
        insertObject(
          api,
          bucket,
          objects.holder,
          `${JSON.stringify(mine, null, 2)}\n`,
          'application/json'
        )
    );
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
