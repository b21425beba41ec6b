/** The drift issue through the loopback GitHub server: opened, updated, closed; fail-on-drift. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { StepError } from '../src/errors.js';
import { RunState } from '../src/engine/state.js';
import { publishResults } from '../src/report/publish.js';
import { makeInputs, publishArgs, runnerEnv } from './support/github-fixture.js';
import { FAULTS, GitHubServer } from './support/github-server.js';

let server: GitHubServer;
beforeEach(async () => {
  server = await new GitHubServer().start();
});
afterEach(async () => {
  await server.stop();
});

const schedule = { eventName: 'schedule', payload: { schedule: '0 3 * * *' } };

function driftState(details: string[] | undefined): RunState {
  const state = new RunState(false);
  if (details === undefined) return state;
  state.driftDetected = details.length > 0;
  state.driftDetails = details;
  return state;
}

async function check(details: string[] | undefined, values: Record<string, string> = {}) {
  const published = publishArgs({
    inputs: makeInputs({ command: 'drift', ...values }),
    state: driftState(details),
    env: runnerEnv(server, schedule)
  });
  await publishResults(published.args);
  return published;
}

describe('drift issue', () => {
  it('keeps the issue open when a failed run found no Terraform drift but never checked Helm', async () => {
    await check(['Terraform: 1 to change']);
    const issue = server.issues.find((i) => i.body.includes('flyte-gke-action:drift:'))!;
    const failed = publishArgs({
      inputs: makeInputs({ command: 'drift' }),
      state: driftState([]),
      env: runnerEnv(server, schedule),
      failure: new StepError('helm-read-release', 'helm get metadata failed: cluster unreachable')
    });
    await publishResults(failed.args);
    expect(issue.state).toBe('open');
    expect(server.commentsOn(issue.number)).toEqual([]);
  });

  it('opens one labelled issue, updates it, and closes it with a comment when drift is gone', async () => {
    server.addIssue({
      title: 'Unrelated drift in another tool',
      labels: ['flyte-drift'],
      body: 'x'
    });

    await check(['Terraform: google_container_cluster.primary will be updated in place']);
    const ours = () => server.issues.filter((i) => i.body.includes('flyte-gke-action:drift:'));
    expect(ours()).toHaveLength(1);
    const issue = ours()[0]!;
    expect(issue.labels).toEqual(['flyte-drift']);
    expect(issue.state).toBe('open');
    expect(issue.title).toBe('Drift in Flyte on GKE: acme-flyte-dev/flyte-dev');
    expect(issue.body).toContain('<!-- flyte-gke-action:drift:acme-flyte-dev/flyte-dev -->');
    expect(issue.body).toContain(
      '- Terraform: google_container_cluster.primary will be updated in place'
    );
    expect(issue.body).toContain('https://github.com/acme/infra/actions/runs/4242');
    // The way back is the manual deploy, which applies only a plan its reviewers approved.
    expect(issue.body).toContain('run the deploy workflow by hand ("Run workflow")');
    expect(issue.body).toContain("applies exactly it once the environment's reviewers approve");
    expect(server.requests.some((r) => r.method === 'POST' && r.path.endsWith('/labels'))).toBe(
      true
    );

    await check(['Helm: deployed chart 1.16.7, wanted v1.16.8']);
    expect(ours()).toHaveLength(1);
    expect(issue.body).toContain('- Helm: deployed chart 1.16.7, wanted v1.16.8');
    expect(issue.body).not.toContain('google_container_cluster');
    // The label already existed: no second attempt to create it.
    expect(
      server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/labels'))
    ).toHaveLength(1);

    // Another cluster's drift gets its own issue.
    await check(['Terraform: 1 to change'], { 'cluster-name': 'flyte-prod' });
    expect(ours()).toHaveLength(2);

    await check([]);
    expect(issue.state).toBe('closed');
    expect(issue.state_reason).toBe('completed');
    expect(server.commentsOn(issue.number)[0]!.body).toMatch(/No drift any more/);
    expect(ours()[1]!.state).toBe('open');

    // Nothing open, nothing found: a clean check touches no issue.
    const before = server.requests.length;
    await check([]);
    expect(server.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
  });

  it('does nothing when the drift check did not finish', async () => {
    await check(undefined);
    expect(server.requests).toHaveLength(0);
  });

  it('fails the job with fail-on-drift, after the issue is opened', async () => {
    const published = publishArgs({
      inputs: makeInputs({ command: 'drift', 'fail-on-drift': 'true' }),
      state: driftState(['Helm: values differ']),
      env: runnerEnv(server, schedule)
    });
    const result = publishResults(published.args);
    await expect(result).rejects.toThrow(StepError);
    await expect(result).rejects.toThrow(
      /Drift detected on acme-flyte-dev\/flyte-dev and fail-on-drift is true/
    );
    expect(server.issues).toHaveLength(1);
    expect(published.summaries[0]).toContain('⚠️ **Drift detected.**');
    expect(published.summaries[0]).toContain('- Helm: values differ');
  });

  it('without fail-on-drift, drift leaves the job green, with the issue opened', async () => {
    const published = await check(['Helm: values differ']);
    // No failure was raised, and the drift still reached the issue and the summary.
    expect(published.lines.filter((l) => l.level === 'warning')).toEqual([]);
    expect(server.issues.filter((i) => i.state === 'open')).toHaveLength(1);
    expect(published.summaries[0]).toContain('⚠️ **Drift detected.**');
  });

  it('a token without issues: write gives a notice and the job goes on', async () => {
    server.fail('GET', /\/issues$/, FAULTS.forbidden());
    const published = await check(['Helm: values differ']);
    expect(published.lines.find((l) => l.level === 'notice')?.message).toContain('issues: write');
    expect(server.issues).toHaveLength(0);
  });
});
