/** The job summary, the dry run's preview of posts, and reading the event context. */
import { describe, expect, it } from '@jest/globals';
import { dryRunState } from '../src/engine/placeholders.js';
import { readEventContext } from '../src/github/event.js';
import { renderPostsPreview } from '../src/report/publish.js';
import { renderSummary } from '../src/report/summary.js';
import { makeInputs, plannedState } from './support/github-fixture.js';

const reports = [
  {
    name: 'Tools',
    durationMs: 4200,
    steps: [
      {
        id: 'install-helm',
        title: 'Install helm',
        status: 'ran' as const,
        mutates: false,
        durationMs: 4100
      }
    ]
  },
  {
    name: 'Terraform',
    durationMs: 754_000,
    steps: [
      {
        id: 'terraform-plan',
        title: 'Plan',
        status: 'ran' as const,
        mutates: false,
        durationMs: 20_000
      },
      {
        id: 'terraform-apply',
        title: 'Apply the plan',
        status: 'failed' as const,
        mutates: true,
        durationMs: 734_000
      }
    ]
  }
];

describe('job summary', () => {
  it('shows phases with durations, resources, versions, console, client configuration and a diagram', () => {
    const inputs = makeInputs({
      autopilot: 'false',
      'gpu-accelerator-type': 'nvidia-l4',
      ingress: 'true',
      iap: 'true',
      'iap-oauth-client-id': '1-a.apps.googleusercontent.com',
      'iap-oauth-client-secret': 'GOCSPX-secret-value',
      'iap-members': 'user:a@b.example'
    });
    const state = plannedState({ consoleUrl: 'https://flyte.example/console' });
    state.tools = { helm: { version: '3.19.0', source: 'cache', path: '/t/helm' } };
    state.notes = [
      'kubectl -n flyte port-forward svc/flyte-backend-flyte-binary-http 8088:8088',
      'flytectl config init --host localhost:8089 --insecure'
    ];
    state.planText = 'client_secret = "GOCSPX-secret-value"\n';
    const failure = new Error(
      'Apply the plan failed: terraform exited with 1.\nError: quota exceeded'
    );
    const md = renderSummary({ inputs, state, reports, failure, secrets: ['GOCSPX-secret-value'] });

    for (const expected of [
      '❌ **deploy failed:** Apply the plan failed: terraform exited with 1.',
      'Error: quota exceeded',
      '| Tools | 4.2 s | ✅ 1 ran | 0 |',
      '| Terraform | 12 min 34 s | ❌ Apply the plan | 0 |',
      '2 to add, 1 to change, 0 to destroy',
      '| helm | `3.19.0` | cache |',
      '**Flyte console:** https://flyte.example/console',
      'flytectl config init --host localhost:8089 --insecure',
      '```mermaid\nflowchart LR',
      'GPU node pool',
      'Identity-Aware Proxy',
      'Standard · e2-standard-4'
    ]) {
      expect(md).toContain(expected);
    }
    expect(md).not.toContain('GOCSPX-secret-value');
  });

  it('an Autopilot cluster without ingress draws no GPU pool, Ingress or IAP', () => {
    const md = renderSummary({
      inputs: makeInputs({}),
      state: plannedState(),
      reports: [],
      failure: undefined,
      secrets: []
    });
    expect(md).toContain('Autopilot');
    expect(md).not.toContain('GPU node pool');
    expect(md).not.toContain('Ingress');
    expect(md).toContain('✅ Deployed.');
  });

  it('mermaid labels cannot be broken by placeholder values', () => {
    const inputs = makeInputs({ ingress: 'true', 'allow-unauthenticated': 'true' });
    const md = renderSummary({
      inputs,
      state: dryRunState(inputs),
      reports: [],
      failure: undefined,
      secrets: []
    });
    expect(md).toContain('#lt;bucket_name#gt;');
    expect(md).not.toMatch(/\[.*<bucket_name>/);
  });
});

describe('dry run preview', () => {
  it('renders the summary and the comment that would be posted, from placeholders', () => {
    const inputs = makeInputs({ command: 'plan' });
    const text = renderPostsPreview(inputs, dryRunState(inputs));
    expect(text).toContain('### Job summary');
    expect(text).toContain('### Pull request comment');
    expect(text).toContain('<!-- flyte-gke-action:acme-flyte-dev/flyte-dev -->');
  });

  it('for drift, previews the issue instead of a comment', () => {
    const inputs = makeInputs({ command: 'drift', 'fail-on-drift': 'true' });
    const text = renderPostsPreview(inputs, dryRunState(inputs));
    expect(text).toContain('### Drift issue (label flyte-drift)');
    expect(text).toContain('fail-on-drift');
    expect(text).not.toContain('### Pull request comment');
  });
});

describe('event context', () => {
  const env = (eventName: string) => ({
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: '/event.json',
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_RUN_ID: '7',
    GITHUB_SHA: 'merge-sha'
  });
  const read = (payload: unknown) => () => JSON.stringify(payload);

  it('reads a pull request from a fork with its head commit', () => {
    const payload = {
      pull_request: {
        number: 9,
        head: { sha: 'head-sha', repo: { full_name: 'Mallory/infra' } },
        base: { repo: { full_name: 'acme/infra' } }
      }
    };
    const event = readEventContext(env('pull_request'), read(payload));
    expect(event).toMatchObject({
      pullNumber: 9,
      sha: 'head-sha',
      fromFork: true,
      repo: { owner: 'acme', repo: 'infra' }
    });
    expect(event.runUrl).toBe('https://github.com/acme/infra/actions/runs/7');
  });

  it('reads a push, a schedule and a missing payload without a pull request', () => {
    expect(readEventContext(env('push'), read({ after: 'abc' }))).toMatchObject({
      sha: 'abc',
      pullNumber: undefined
    });
    expect(readEventContext(env('schedule'), read({ schedule: '0 3 * * *' }))).toMatchObject({
      sha: 'merge-sha',
      pullNumber: undefined,
      fromFork: false
    });
    expect(
      readEventContext(env('workflow_dispatch'), () => {
        throw new Error('ENOENT');
      }).pullNumber
    ).toBeUndefined();
  });
});
