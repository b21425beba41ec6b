/**
 * The state bucket through Cloud Storage's JSON API on a loopback Google: looked up, created once
 * with uniform access, public access prevention and versioning in one insert, never changed when
 * it exists, and a name someone else holds stops with the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TaskStep } from '../src/engine/types.js';
import { googleApiFor } from '../src/gcp/client.js';
import { stateBackendPhase } from '../src/phases/state-bucket.js';
import { GoogleServer } from './support/google-server.js';
import { serveBuckets, type StandinBucket } from './support/google-routes.js';
import { testContext, testInputs } from './support/task-context.js';

let google: GoogleServer;
const buckets: Record<string, StandinBucket> = {};
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveBuckets(google, buckets);
});
afterAll(async () => google.stop());

function context(values: Record<string, string> = {}) {
  const { file, env } = google.credentials();
  return testContext({ inputs: testInputs(values), env, google: googleApiFor(file, env) });
}

/** Runs the phase's steps as the runner does: conditions first. */
async function runPhase(ctx: ReturnType<typeof context>) {
  const results: Record<string, string> = {};
  for (const step of stateBackendPhase(ctx.inputs).steps(ctx.state) as TaskStep[]) {
    if (step.when && !step.when.test(ctx.state)) {
      results[step.id] = 'skipped';
      continue;
    }
    results[step.id] = (await step.run(ctx)) ?? 'ran';
  }
  return results;
}

describe('the state bucket through the Storage JSON API', () => {
  it('creates a missing bucket once, locked down and versioned; a second run leaves it alone', async () => {
    const ctx = context({ 'state-bucket': 'acme-new-tfstate' });
    expect(await runPhase(ctx)).toEqual({
      'state-bucket-describe': 'ran',
      'state-bucket-create': 'ran'
    });
    expect(ctx.state.stateBucketCreated).toBe(true);
    expect(buckets['acme-new-tfstate']).toEqual({
      location: 'us-central1',
      versioning: true,
      uniform: true,
      publicAccessPrevention: 'enforced'
    });
    const insert = google.calls.find((c) => c.method === 'POST' && c.service === 'storage');
    expect(insert?.query.get('project')).toBe('acme-flyte');

    const posts = google.calls.filter((c) => c.method === 'POST').length;
    const again = context({ 'state-bucket': 'acme-new-tfstate' });
    expect(await runPhase(again)).toEqual({
      'state-bucket-describe': 'ran',
      'state-bucket-create': 'skipped'
    });
    expect(google.calls.filter((c) => c.method === 'POST').length).toBe(posts);
    expect(again.state.notes).toEqual([]);
  });

  it('notes an existing bucket without versioning and does not change it', async () => {
    buckets['acme-old-tfstate'] = { location: 'us' };
    const ctx = context({ 'state-bucket': 'acme-old-tfstate' });
    expect(await runPhase(ctx)).toMatchObject({ 'state-bucket-create': 'skipped' });
    expect(ctx.state.notes.join('\n')).toMatch(/gs:\/\/acme-old-tfstate has versioning off/);
    expect(buckets['acme-old-tfstate']).toEqual({ location: 'us' });
  });

  it('a bucket another run of ours made first is fine; a name someone else holds is not', async () => {
    const ctx = context({ 'state-bucket': 'acme-race-tfstate' });
    const [describe, create] = stateBackendPhase(ctx.inputs).steps(ctx.state) as TaskStep[];
    await describe!.run(ctx);
    buckets['acme-race-tfstate'] = { location: 'us-central1', versioning: true };
    await expect(create!.run(ctx)).resolves.toBe('unchanged');
    expect(ctx.state.stateBucketCreated).toBe(false);

    const taken = context({ 'state-bucket': 'taken-tfstate' });
    taken.state.stateBucketExists = false;
    buckets['taken-tfstate'] = { location: 'us', foreign: true };
    const [, insert] = stateBackendPhase(taken.inputs).steps(taken.state) as TaskStep[];
    await expect(insert!.run(taken)).rejects.toThrow(
      /Could not create the state bucket gs:\/\/taken-tfstate: .*409.*not available.*set state-bucket to another name/
    );
  });

  it('a lookup Google refuses stops with the permission to grant', async () => {
    const ctx = context({ 'state-bucket': 'taken-tfstate' });
    await expect(runPhase(ctx)).rejects.toThrow(
      /403 PERMISSION_DENIED.*needs storage\.buckets\.get/
    );
  });

  it('a plan without the bucket stops read-only with the command that creates it', async () => {
    const ctx = context({ command: 'plan', 'state-bucket': 'acme-none-tfstate' });
    await expect(runPhase(ctx)).rejects.toThrow(
      /gcloud storage buckets create gs:\/\/acme-none-tfstate --project=acme-flyte/
    );
    expect(google.calls.filter((c) => c.method === 'POST' && c.path.includes('acme-none'))).toEqual(
      []
    );
    expect(buckets['acme-none-tfstate']).toBeUndefined();
  });
});
