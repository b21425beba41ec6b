/**
 * The state-lock step through Cloud Storage's JSON API on a strict loopback Storage: the holder
 * record and the lock are read without gcloud (no process starts), a lock an ended run holds is
 * deleted only on condition of its generation, a lock taken again meanwhile (412) is explained and
 * left, and this run's record is written as a media upload.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Exec, TaskStep } from '../src/engine/types.js';
import { RunState } from '../src/engine/state.js';
import { googleApiFor } from '../src/gcp/client.js';
import { stateLockStep } from '../src/phases/state-lock.js';
import { terraformWho, type RunAttempt } from '../src/terraform/lock-holder.js';
import { mapStore, serveObjects } from './support/google-object-routes.js';
import { GoogleServer } from './support/google-server.js';
import { testContext, testInputs } from './support/task-context.js';

const BUCKET = 'acme-flyte-tfstate';
const LOCK = `${BUCKET}/flyte-gke/flyte/default.tflock`;
const HOLDER = `${BUCKET}/flyte-gke/flyte/flyte-gke-lock-holder.json`;
const WHO = terraformWho();
const CREATED = '2026-11-24T03:00:00.000000Z';
const RECORD = {
  repository: 'acme/flyte-platform',
  repositoryId: '700000001',
  runId: 111,
  runAttempt: 1,
  job: 'deploy',
  who: WHO,
  written: '2026-11-24T02:59:58.000Z'
};
const ENDED: RunAttempt = {
  id: 111,
  attempt: 1,
  status: 'completed',
  conclusion: 'cancelled',
  htmlUrl: 'https://github.com/acme/flyte-platform/actions/runs/111/attempts/1',
  repository: 'acme/flyte-platform',
  repositoryId: '700000001',
  startedAt: Date.parse('2026-11-24T02:50:00Z'),
  updatedAt: Date.parse('2026-11-24T03:04:00Z')
};

let google: GoogleServer;
const store = mapStore([BUCKET]);
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveObjects(google, store);
});
afterAll(async () => google.stop());
beforeEach(() => store.objects.clear());

/** No process may start: the step is REST only. */
const noProcess: Exec = {
  run: (tool, args) => {
    throw new Error(`the state-lock step started ${tool} ${args.join(' ')}`);
  }
};

const lockContent = () =>
  JSON.stringify({
    ID: 'uuid',
    Operation: 'OperationTypeApply',
    Info: '',
    Who: WHO,
    Version: '1.13.4',
    Created: CREATED,
    Path: `gs://${LOCK}`
  });

function put(key: string, content: string): string {
  const [bucket = '', ...name] = key.split('/');
  return store.put(bucket, name.join('/'), content, 'application/json');
}

async function runStep(
  answer: (runId: number, attempt: number) => Promise<RunAttempt | undefined>
) {
  const { file, env } = google.credentials();
  const base = testContext({
    inputs: testInputs({ 'state-bucket': BUCKET, 'cluster-name': 'flyte' }),
    env: {
      ...env,
      GITHUB_REPOSITORY: 'acme/flyte-platform',
      GITHUB_REPOSITORY_ID: '700000001',
      GITHUB_RUN_ID: '9876543210',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'flyte'
    },
    exec: noProcess,
    google: googleApiFor(file, env)
  });
  const ctx = { ...base, workflowRunAttempt: answer };
  const step = stateLockStep(ctx.inputs) as Extract<TaskStep, { kind: 'task' }>;
  const before = google.calls.length;
  const result = await step.run(ctx);
  return { ctx, result, calls: google.calls.slice(before) };
}

const deletes = (calls: typeof google.calls) => calls.filter((c) => c.method === 'DELETE');

describe('the state-lock step through the Storage JSON API', () => {
  it('no lock and no holder record (404s): writes this run as the next holder, deletes nothing', async () => {
    const { ctx, result, calls } = await runStep(async () => undefined);
    expect(result).toBe('unchanged');
    expect(deletes(calls)).toEqual([]);
    const written = store.objects.get(HOLDER)!;
    expect(written.contentType).toBe('application/json');
    expect(JSON.parse(written.content)).toMatchObject({
      runId: 9876543210,
      job: 'flyte',
      who: WHO
    });
    expect(ctx.state.stateLockReport).toBeUndefined();
  });

  it('held by a run GitHub reports ended: deleted on condition of its generation, then recorded', async () => {
    put(HOLDER, JSON.stringify(RECORD));
    const generation = put(LOCK, lockContent());
    const { ctx, result, calls } = await runStep(async () => ENDED);
    expect(result).toBeUndefined();
    expect(deletes(calls).map((c) => c.query.get('ifGenerationMatch'))).toEqual([generation]);
    // The content judged is that generation's.
    const media = calls.find(
      (c) => c.query.get('alt') === 'media' && c.path.endsWith('default.tflock')
    );
    expect(media?.query.get('generation')).toBe(generation);
    expect(store.objects.has(LOCK)).toBe(false);
    expect(ctx.state.notes.join('\n')).toContain(`Released Terraform state lock ${generation}`);
    expect(JSON.parse(store.objects.get(HOLDER)!.content).runId).toBe(9876543210);
  });

  it('a lock taken again while GitHub was asked (412): explained and left, no record written', async () => {
    put(HOLDER, JSON.stringify(RECORD));
    const first = put(LOCK, lockContent());
    const { ctx, result, calls } = await runStep(async () => {
      put(LOCK, lockContent()); // another run locks meanwhile: a new generation
      return ENDED;
    });
    expect(result).toBe('unchanged');
    expect(deletes(calls).map((c) => c.query.get('ifGenerationMatch'))).toEqual([first]);
    expect(store.objects.get(LOCK)?.generation).not.toBe(first);
    expect(ctx.state.stateLockReport).toContain(
      `is no longer generation ${first} (Cloud Storage answered 412 conditionNotMet)`
    );
    expect(ctx.state.stateLockReport).toContain('the action leaves it');
    expect(JSON.parse(store.objects.get(HOLDER)!.content).runId).toBe(111);
  });

  it('held with no holder record: explained with the manual command, left', async () => {
    const generation = put(LOCK, lockContent());
    const { ctx, result, calls } = await runStep(async () => ENDED);
    expect(result).toBe('unchanged');
    expect(deletes(calls)).toEqual([]);
    expect(ctx.state.stateLockReport).toContain('no holder record');
    expect(ctx.state.stateLockReport).toContain(`terraform force-unlock -force ${generation}`);
    expect(store.objects.has(HOLDER)).toBe(false);
  });

  it('a lock whose content does not read as one is left, said so', async () => {
    put(LOCK, '{"not":"a lock"}');
    const { ctx, result } = await runStep(async () => ENDED);
    expect(result).toBe('unchanged');
    expect(ctx.state.stateLockReport).toMatch(
      /is locked \(gs:\/\/\S+default\.tflock\), but the lock could not be read/
    );
  });

  it('the dry run shows the REST calls', () => {
    const text = stateLockStep(
      testInputs({ 'state-bucket': BUCKET, 'cluster-name': 'flyte' })
    ).describe(new RunState(false));
    expect(text).toContain(
      'DELETE https://storage.googleapis.com/storage/v1/b/acme-flyte-tfstate/o/flyte-gke%2Fflyte%2Fdefault.tflock?ifGenerationMatch=<lock ID>'
    );
    expect(text).toContain(
      'POST https://storage.googleapis.com/upload/storage/v1/b/acme-flyte-tfstate/o?uploadType=media&name=flyte-gke%2Fflyte%2Fflyte-gke-lock-holder.json'
    );
    expect(text).not.toContain('gcloud');
  });
});
