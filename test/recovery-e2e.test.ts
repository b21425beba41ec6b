/**
 * Recovery from interrupted runs, through the bundled action (dist/main) on the stand-ins:
 * a Helm release left pending is rolled back (or, never deployed, uninstalled) before the upgrade,
 * only when the job holds the cluster's concurrency group or the revision is long abandoned; a
 * Terraform state lock is released only when GitHub proves that the run named by its holder
 * record has ended, and otherwise explained and left.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { GitHubServer } from './support/github-server.js';
import { GITHUB_TOKEN, Harness, type StepResult, type ToolCall } from './support/harness.js';
import { seqOf } from './support/engine-order.js';
import { PROJECT_ROOT } from './support/project.js';

const PASSWORD = 'pg-recovery-canary-Hj4kL6mN8pQ2';
const BASE = {
  command: 'deploy',
  'project-id': 'acme-flyte-e2e',
  'cluster-name': 'flyte-e2e',
  'workload-identity-provider':
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme-repo',
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};
/** What the reusable workflows set (scripts/workflows.mjs): the job's concurrency group. */
const IN_GROUP = { FLYTE_GKE_CONCURRENCY_GROUP: 'flyte-gke-acme-flyte-e2e-flyte-e2e' };
const RELEASE = 'flyte/flyte-backend';

const line = (c: ToolCall) => `${c.tool} ${c.args.join(' ')}`;
const callsOf = (result: StepResult, tool: ToolCall['tool'], ...words: string[]) =>
  result.calls.filter((c) => c.tool === tool && words.every((w, i) => c.args[i] === w));
/** The engine's sequence number of the exec-start of the only call starting with `prefix`. */
const startOf = (result: StepResult, prefix: string): number => {
  const calls = result.events.filter(
    (e) => e.kind === 'exec-start' && 'call' in e && e.call.startsWith(prefix)
  );
  if (calls.length !== 1) throw new Error(`expected one call ${prefix}, found ${calls.length}`);
  return calls[0]!.seq;
};

/** The engine's sequence number of the state-lock step's end. */
const lockStepEnd = (result: StepResult): number =>
  seqOf(result.events, 'step-end', { step: 'terraform-state-lock' });

/** The release as an interrupted upgrade leaves it: a pending revision over the deployed one. */
function leavePending(harness: Harness, status: string, updated: string): void {
  harness.setWorld((w) => {
    const { history = [], ...current } = w.helm.releases[RELEASE];
    w.helm.releases[RELEASE] = {
      ...current,
      history: [...history, current],
      revision: current.revision + 1,
      status,
      description: 'Preparing upgrade',
      updated
    };
  });
}

describe('a Helm release left pending by an interrupted run', () => {
  let harness: Harness;
  const run = async (inputs: Record<string, string>, env: Record<string, string> = {}) => {
    const result = await harness.run(inputs, { env });
    await harness.runPost();
    return result;
  };
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    harness.setWorld((w) => {
      w.terraform = { password: PASSWORD };
    });
  });
  afterAll(async () => harness.close());

  it('first deploy installs revision 1', async () => {
    const result = await run(BASE, IN_GROUP);
    expect(result.errors).toEqual([]);
    expect(harness.world().helm.releases[RELEASE]).toMatchObject({
      revision: 1,
      status: 'deployed'
    });
  });

  it('pending-upgrade: rolled back to the deployed revision before the upgrade, then the deploy goes on', async () => {
    leavePending(harness, 'pending-upgrade', new Date().toISOString());
    // A changed value, so the deploy upgrades after the recovery.
    const result = await run({ ...BASE, 'flyte-projects': 'flytesnacks,ml' }, IN_GROUP);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    const [rollback, ...more] = callsOf(result, 'helm', 'rollback');
    expect(more).toEqual([]);
    expect(rollback?.args.slice(0, 5)).toEqual([
      'rollback',
      'flyte-backend',
      '1',
      '--namespace',
      'flyte'
    ]);
    expect(rollback?.args).toContain('--wait');
    // Order by the engine's record: history read, rollback, and only then the upgrade. The
    // history may be read beside the plan and again by the step (after a change dropped that
    // answer): the step's own read is the last.
    const history = result.events
      .filter((e) => e.kind === 'exec-start' && e.call.startsWith('helm history flyte-backend --'))
      .at(-1)!.seq;
    const back = startOf(result, 'helm rollback flyte-backend');
    const upgrade = startOf(result, 'helm upgrade --install flyte-backend');
    expect(history).toBeLessThan(back);
    expect(back).toBeLessThan(upgrade);
    expect(
      seqOf(result.events, 'step-end', {
        phase: 'Install Flyte with Helm',
        step: 'helm-recover',
        status: 'ran'
      })
    ).toBeLessThan(upgrade);
    const release = harness.world().helm.releases[RELEASE];
    expect(release).toMatchObject({ revision: 4, status: 'deployed' });
    expect(release.history.map((r: { status: string }) => r.status)).toEqual([
      'superseded',
      'pending-upgrade',
      'superseded'
    ]);
    expect(result.warnings.join('\n')).toContain('flyte-backend was pending-upgrade (revision 2)');
    expect(result.summary).toContain(
      'Recovered Helm release flyte-backend: it was pending-upgrade (revision 2) after an interrupted run; rolled it back to revision 1'
    );
  });

  it('a deployed release is left alone: a second run reads the history and changes nothing', async () => {
    const result = await run({ ...BASE, 'flyte-projects': 'flytesnacks,ml' }, IN_GROUP);
    expect(result.exitCode).toBe(0);
    expect(callsOf(result, 'helm', 'history', 'flyte-backend')).toHaveLength(1);
    expect(callsOf(result, 'helm', 'history', 'flyte-backend-gke')).toHaveLength(1);
    expect(callsOf(result, 'helm', 'rollback')).toEqual([]);
    expect(callsOf(result, 'helm', 'uninstall')).toEqual([]);
    expect(callsOf(result, 'helm', 'upgrade')).toEqual([]);
    expect(result.summary).not.toContain('Recovered Helm release');
  });

  it('run directly (not in the concurrency group), a young pending revision is explained, not touched', async () => {
    leavePending(harness, 'pending-rollback', new Date().toISOString());
    const result = await run({ ...BASE, 'flyte-projects': 'flytesnacks,ml' });
    expect(result.exitCode).not.toBe(0);
    expect(callsOf(result, 'helm', 'rollback')).toEqual([]);
    expect(callsOf(result, 'helm', 'upgrade')).toEqual([]);
    const message = result.errors.join('\n');
    expect(message).toContain('Helm release flyte-backend is pending-rollback (revision 5');
    expect(message).toContain(
      'does not run in the concurrency group flyte-gke-acme-flyte-e2e-flyte-e2e'
    );
    expect(message).toContain('helm rollback flyte-backend REVISION -n flyte --wait');
    expect(harness.world().helm.releases[RELEASE].status).toBe('pending-rollback');
  });

  it('run directly, a revision pending for longer than any job lasts is rolled back', async () => {
    harness.setWorld((w) => {
      w.helm.releases[RELEASE].updated = new Date(Date.now() - 7 * 3600_000).toISOString();
    });
    const result = await run({ ...BASE, 'flyte-projects': 'flytesnacks,ml' });
    expect(result.errors).toEqual([]);
    expect(callsOf(result, 'helm', 'rollback', 'flyte-backend', '4')).toHaveLength(1);
    expect(result.warnings.join('\n')).toContain('7 h old');
    expect(harness.world().helm.releases[RELEASE].status).toBe('deployed');
  });

  it('pending-install that never deployed: uninstalled, then installed afresh', async () => {
    harness.setWorld((w) => {
      const { history: _old, ...current } = w.helm.releases[RELEASE];
      void _old;
      w.helm.releases[RELEASE] = {
        ...current,
        revision: 1,
        status: 'pending-install',
        description: 'Initial install underway',
        updated: new Date().toISOString()
      };
    });
    const result = await run({ ...BASE, 'flyte-projects': 'flytesnacks,ml' }, IN_GROUP);
    expect(result.errors).toEqual([]);
    expect(callsOf(result, 'helm', 'rollback')).toEqual([]);
    const uninstall = startOf(result, 'helm uninstall flyte-backend');
    expect(uninstall).toBeLessThan(startOf(result, 'helm upgrade --install flyte-backend'));
    expect(harness.world().helm.releases[RELEASE]).toMatchObject({
      revision: 1,
      status: 'deployed',
      history: []
    });
    expect(result.summary).toContain('uninstalled it (it was never deployed)');
  });
});

const LOCK_ID = '1700000000999999';
const HOLDER_WHO = 'runner@fv-az9-1';
const LOCK = {
  id: LOCK_ID,
  who: HOLDER_WHO,
  operation: 'OperationTypeApply',
  created: '2026-11-24 03:00:00.000000 +0000 UTC'
};
const RECORD = {
  repository: 'acme/flyte-platform',
  repositoryId: '700000001',
  runId: 111,
  runAttempt: 1,
  job: 'deploy',
  who: HOLDER_WHO,
  written: '2026-11-24T02:59:58.000Z'
};
const THIS_REPOSITORY = { GITHUB_REPOSITORY_ID: '700000001' };

describe('a Terraform state lock left by an interrupted run', () => {
  let harness: Harness;
  let github: GitHubServer;
  let holderUrl = '';
  const inputs = { ...BASE, 'github-token': GITHUB_TOKEN };
  const run = async () => {
    const result = await harness.run(inputs, { env: THIS_REPOSITORY });
    await harness.runPost();
    return result;
  };
  /** The lock held, the holder record as given, GitHub's answer for run 111 attempt 1. */
  let recordGiven = false;
  const lockedBy = (
    record: Record<string, unknown> | undefined,
    attempt?: { status: string; conclusion: string | null; updatedAt?: string }
  ) => {
    recordGiven = record !== undefined;
    callsBefore = harness.google.calls.length;
    harness.setWorld((w) => {
      w.terraform.lock = LOCK;
      if (record)
        w.gcloud.objects[holderUrl] = { content: JSON.stringify(record), generation: '5' };
      else delete w.gcloud.objects[holderUrl];
    });
    github.runAttempts.clear();
    if (attempt) {
      github.runAttempts.set('111/1', {
        status: attempt.status,
        conclusion: attempt.conclusion,
        runStartedAt: '2026-11-24T02:50:00Z',
        updatedAt: attempt.updatedAt ?? '2026-11-24T03:04:00Z'
      });
    }
  };
  beforeAll(async () => {
    github = await new GitHubServer('acme', 'flyte-platform').start();
    harness = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    harness.setWorld((w) => {
      w.terraform = { password: PASSWORD };
    });
  });
  afterAll(async () => {
    await harness.close();
    await github.stop();
  });

  it('every locking run first records itself beside the state: repository, run, attempt, job, user@host', async () => {
    const result = await run();
    expect(result.errors).toEqual([]);
    const objects = harness.world().gcloud.objects as Record<string, { content: string }>;
    holderUrl =
      Object.keys(objects).find((url) => url.endsWith('/flyte-gke-lock-holder.json')) ?? '';
    expect(holderUrl).toMatch(/^gs:\/\/[^/]+\/.+\/flyte-gke-lock-holder\.json$/);
    const record = JSON.parse(objects[holderUrl]!.content) as Record<string, unknown>;
    expect(record).toMatchObject({
      repository: 'acme/flyte-platform',
      repositoryId: '700000001',
      runId: 9876543210,
      runAttempt: 1,
      job: 'flyte'
    });
    expect(Object.keys(record).sort()).toEqual(
      ['job', 'repository', 'repositoryId', 'runAttempt', 'runId', 'who', 'written'].sort()
    );
    expect(JSON.stringify(record)).not.toContain(PASSWORD);
    expect(JSON.stringify(record)).not.toContain(GITHUB_TOKEN);
    // Written as a media upload through the Storage JSON API, before the plan takes the lock; no
    // gcloud process reads or writes the state's objects.
    const upload = harness.google.calls.filter((c) => c.path.startsWith('/upload/storage/v1/'));
    expect(upload.map((c) => [c.method, c.query.get('uploadType'), c.query.get('name')])).toEqual([
      ['POST', 'media', holderUrl.replace(/^gs:\/\/[^/]+\//, '')]
    ]);
    expect(upload[0]!.contentType).toBe('application/json');
    expect(callsOf(result, 'gcloud', 'storage')).toEqual([]);
    expect(lockStepEnd(result)).toBeLessThan(startOf(result, 'terraform plan'));
  });

  it('held by a run GitHub reports completed: released before init, then the run goes on', async () => {
    lockedBy(RECORD, { status: 'completed', conclusion: 'cancelled' });
    const before = harness.google.calls.length;
    const result = await run();
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    // As terraform force-unlock does on GCS: a delete while the generation is still the lock ID,
    // through the Storage JSON API (the object name encoded whole), before init; no gcloud.
    const [unlock, ...more] = deletesSince(before);
    expect(more).toEqual([]);
    expect(unlock?.path).toMatch(/^\/storage\/v1\/b\/[^/]+\/o\/[^/]+%2Fdefault\.tflock$/);
    expect(unlock?.query.get('ifGenerationMatch')).toBe(LOCK_ID);
    expect(callsOf(result, 'gcloud', 'storage')).toEqual([]);
    expect(lockStepEnd(result)).toBeLessThan(startOf(result, 'terraform init'));
    expect(harness.world().terraform.lock).toBeUndefined();
    expect(result.summary).toContain(`Released Terraform state lock ${LOCK_ID}`);
    expect(result.summary).toContain('run 111 attempt 1 of acme/flyte-platform');
    expect(result.summary).toContain('cancelled');
    expect(
      github.requests.some(
        (r) => r.path === '/repos/acme/flyte-platform/actions/runs/111/attempts/1'
      )
    ).toBe(true);
    // This run is the next holder.
    const record = JSON.parse(harness.world().gcloud.objects[holderUrl].content);
    expect(record.runId).toBe(9876543210);
  });

  /** The Storage deletes the loopback Google received since call `from`. */
  const deletesSince = (from: number) =>
    harness.google.calls
      .slice(from)
      .filter((c) => c.method === 'DELETE' && c.service === 'storage');
  let callsBefore = 0;
  const expectKept = (result: StepResult, ...phrases: string[]) => {
    expect(result.exitCode).not.toBe(0);
    expect(callsOf(result, 'terraform', 'force-unlock')).toEqual([]);
    expect(deletesSince(callsBefore)).toEqual([]);
    expect(callsOf(result, 'terraform', 'apply')).toEqual([]);
    expect(harness.world().terraform.lock).toEqual(LOCK);
    const message = result.errors.join('\n');
    expect(message).toContain(`lock ID ${LOCK_ID}`);
    for (const phrase of phrases) expect(message).toContain(phrase);
    // The holder's record (when there is one) is kept for the next run, not overwritten.
    expect(harness.world().gcloud.objects[holderUrl]?.generation).toBe(
      recordGiven ? '5' : undefined
    );
  };

  it('held by a run still in progress: explained with its link, not released', async () => {
    lockedBy(RECORD, { status: 'in_progress', conclusion: null });
    const result = await run();
    expectKept(
      result,
      'run 111 attempt 1 of acme/flyte-platform',
      'https://github.com/acme/flyte-platform/actions/runs/111/attempts/1',
      'still in_progress',
      'Wait for it to end, or cancel it'
    );
  });

  it('no holder record (a person, another tool): explained with the manual command', async () => {
    lockedBy(undefined);
    const result = await run();
    expectKept(result, 'no holder record', `terraform force-unlock -force ${LOCK_ID}`);
  });

  it('attack: a record naming a completed run of another repository is not trusted', async () => {
    lockedBy(
      { ...RECORD, repository: 'mallory/other' },
      { status: 'completed', conclusion: 'success' }
    );
    const before = github.requests.length;
    const result = await run();
    expectKept(result, 'names a run of mallory/other, not of this repository');
    // Refused without asking GitHub.
    expect(github.requests.slice(before).some((r) => r.path.includes('/actions/runs/'))).toBe(
      false
    );
  });

  it('attack: a forged record naming a completed run that ended before the lock was taken', async () => {
    lockedBy(RECORD, {
      status: 'completed',
      conclusion: 'success',
      updatedAt: '2026-11-24T02:55:00Z'
    });
    const result = await run();
    expectKept(result, 'had ended before the lock was taken');
  });

  it('attack: a record whose user@host is not the lock holder', async () => {
    lockedBy({ ...RECORD, who: 'runner@fv-az1-2' }, { status: 'completed', conclusion: 'success' });
    const result = await run();
    expectKept(
      result,
      `the lock was taken by ${HOLDER_WHO}, the holder record names runner@fv-az1-2`
    );
  });
});

describe('the dry run and the reusable workflows', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
  });
  afterAll(async () => harness.close());

  it('the dry run shows both recoveries with their conditions', async () => {
    const result = await harness.run({ ...BASE, 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain('helm history flyte-backend --namespace flyte --output json');
    expect(out).toContain(
      'holds the concurrency group flyte-gke-acme-flyte-e2e-flyte-e2e (FLYTE_GKE_CONCURRENCY_GROUP'
    );
    expect(out).toContain(
      'helm rollback flyte-backend <last deployed revision> --namespace flyte --wait'
    );
    expect(out).toContain('never deployed (pending-install only): $ helm uninstall flyte-backend');
    expect(out).toMatch(
      /DELETE https:\/\/storage\.googleapis\.com\/storage\/v1\/b\/\S+\/o\/\S+%2Fdefault\.tflock\?ifGenerationMatch=<lock ID>/
    );
    expect(out).not.toMatch(/gcloud storage (cat|cp|rm|objects)/);
    expect(out).toContain('(what terraform force-unlock -force <lock ID> does on this backend)');
    expect(out).toContain('/actions/runs/{run_id}/attempts/{attempt}) reports that run completed');
    expect(result.calls).toEqual([]);
  });

  it.each(['deploy', 'upgrade', 'destroy'])(
    '%s.yml tells the action the very group its job holds',
    (name) => {
      const workflow = parse(
        readFileSync(path.join(PROJECT_ROOT, '.github/workflows', `${name}.yml`), 'utf8')
      ) as {
        jobs: Record<
          string,
          {
            concurrency?: { group: string; 'cancel-in-progress': boolean };
            steps: { id?: string; env?: Record<string, string> }[];
          }
        >;
      };
      const job = Object.values(workflow.jobs).find((j) => j.concurrency)!;
      expect(job.concurrency!['cancel-in-progress']).toBe(false);
      const step = job.steps.find((s) => s.id === 'flyte');
      expect(step?.env?.FLYTE_GKE_CONCURRENCY_GROUP).toBe(job.concurrency!.group);
    }
  );
});

void line;
