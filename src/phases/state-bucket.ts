/**
 * The Terraform state bucket, looked up (and for a deploy created) through Cloud Storage's JSON
 * API by the action itself, so no gcloud is needed before Terraform can start. Creating is
 * idempotent: an existing bucket is never changed.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Phase, Step, TaskContext } from '../engine/types.js';
import {
  describeBucketInsert,
  describeBucketRead,
  insertBucket,
  readBucket
} from '../gcp/storage-bucket.js';

const google = (ctx: TaskContext, stepId: string) => {
  if (!ctx.google)
    throw new StepError(stepId, 'The state bucket was asked for before the auth phase.');
  return ctx.google();
};

function describeBucketStep(inputs: Inputs): Step {
  const { stateBucket: bucket } = inputs;
  return {
    kind: 'task',
    id: 'state-bucket-describe',
    title: `Look up state bucket gs://${bucket}`,
    mutates: false,
    describe: () => describeBucketRead(bucket),
    run: async (ctx) => {
      let found;
      try {
        found = await readBucket(google(ctx, 'state-bucket-describe'), bucket);
      } catch (error) {
        throw new StepError(
          'state-bucket-describe',
          `Could not look up the state bucket gs://${bucket}: ${sentence(error)} If it says 403, the deploying identity needs storage.buckets.get on it (roles/storage.admin on the project, or create the bucket yourself and grant roles/storage.objectAdmin).`
        );
      }
      ctx.state.stateBucketExists = found.exists;
      if (found.exists && found.versioning === false) {
        ctx.state.notes.push(
          `State bucket gs://${bucket} has versioning off; earlier states cannot be recovered. Turn it on with: gcloud storage buckets update gs://${bucket} --versioning`
        );
      }
    }
  };
}

/**
 * A plan runs as the read-only planner, which cannot create buckets: without the state bucket it
 * stops with the one command that creates it (nothing is deployed yet), instead of failing on a
 * permission error.
 */
function requireStateBucketStep(inputs: Inputs): Step {
  const bucket = inputs.stateBucket;
  return {
    kind: 'task',
    id: 'state-bucket-required',
    title: `Check that state bucket gs://${bucket} exists`,
    mutates: false,
    describe: () =>
      `Stop with the command that creates gs://${bucket} if it is missing (a plan never writes).`,
    run: async (ctx) => {
      if (ctx.state.stateBucketExists !== false) return;
      throw new StepError(
        'state-bucket-required',
        `The Terraform state bucket gs://${bucket} does not exist, so nothing is deployed and there is no state to plan against; the read-only planner does not create it. Create it once (as the deployer or a project owner): gcloud storage buckets create gs://${bucket} --project=${inputs.projectId} --location=${inputs.region} --uniform-bucket-level-access --public-access-prevention && gcloud storage buckets update gs://${bucket} --versioning`
      );
    }
  };
}

function createBucketStep(inputs: Inputs): Step {
  const { stateBucket: bucket, projectId, region } = inputs;
  return {
    kind: 'task',
    id: 'state-bucket-create',
    title: `Create state bucket gs://${bucket}`,
    mutates: true,
    when: {
      test: (state) => state.stateBucketExists === false,
      describe: 'the bucket is missing',
      skipped: () => `gs://${bucket} already exists.`
    },
    describe: () => describeBucketInsert(bucket, projectId, region),
    run: async (ctx) => {
      try {
        const made = await insertBucket(
          google(ctx, 'state-bucket-create'),
          bucket,
          projectId,
          region
        );
        ctx.state.stateBucketCreated = made === 'created';
        ctx.log.info(
          made === 'created'
            ? `Created gs://${bucket} in ${region} with versioning, uniform access and public access prevention.`
            : `gs://${bucket} was created meanwhile by another run; left as found.`
        );
        return made === 'created' ? undefined : 'unchanged';
      } catch (error) {
        throw new StepError(
          'state-bucket-create',
          `Could not create the state bucket gs://${bucket}: ${sentence(error)} Bucket names are global: if another project owns it, set state-bucket to another name.`
        );
      }
    }
  };
}

export function stateBackendPhase(inputs: Inputs): Phase {
  return {
    name: 'Terraform state bucket',
    steps: () =>
      inputs.command === 'plan'
        ? [describeBucketStep(inputs), requireStateBucketStep(inputs)]
        : [describeBucketStep(inputs), createBucketStep(inputs)]
  };
}

/** An error's message as one sentence ending in a single full stop. */
function sentence(error: unknown): string {
  return `${(error as Error).message.trim().replace(/\.+$/, '')}.`;
}
