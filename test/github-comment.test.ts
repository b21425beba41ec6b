/** Pull request comments through the loopback GitHub server, at the publishResults level. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { publishResults } from '../src/report/publish.js';
import { COMMENT_LIMIT } from '../src/report/comment.js';
import { SUMMARY_LIMIT_BYTES } from '../src/report/summary.js';
import {
  makeInputs,
  plannedState,
  publishArgs,
  pullRequestEvent,
  pushEvent,
  runnerEnv,
  TOKEN
} from './support/github-fixture.js';
import { FAULTS, GitHubServer } from './support/github-server.js';

let server: GitHubServer;
beforeEach(async () => {
  server = await new GitHubServer().start();
});
afterEach(async () => {
  await server.stop();
});

/** A plan run on a fresh pull request, ready to publish. */
function planOnNewPullRequest() {
  const pr = server.addIssue({ isPullRequest: true });
  const published = publishArgs({
    inputs: makeInputs({ command: 'plan' }),
    state: plannedState(),
    env: runnerEnv(server, pullRequestEvent(pr.number))
  });
  return { pr, published };
}

const MARKER_DEV = '<!-- flyte-gke-action:acme-flyte-dev/flyte-dev -->';

describe('pull request comment', () => {
  it('creates the comment, updates it in place, and keeps one per cluster', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    // Unrelated comments fill more than one page, so the marker must be found by paginating.
    server.maxPerPage = 100;
    for (let i = 0; i < 130; i += 1) server.addComment(pr.number, `review note ${i}`);
    const env = runnerEnv(server, pullRequestEvent(pr.number));

    const first = publishArgs({
      inputs: makeInputs({ command: 'plan' }),
      state: plannedState(),
      env
    });
    await publishResults(first.args);
    const ours = () =>
      server.commentsOn(pr.number).filter((c) => c.body.includes('flyte-gke-action:'));
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.body).toContain(MARKER_DEV);
    expect(ours()[0]!.body).toContain('2 to add, 1 to change, 0 to destroy');
    expect(ours()[0]!.body).toContain('google_container_cluster.primary');
    expect(ours()[0]!.body).toContain('<details><summary>Full Terraform plan</summary>');
    expect(server.requests.find((r) => r.method === 'POST')?.authorization).toBe(`token ${TOKEN}`);
    const id = ours()[0]!.id;

    const changed = plannedState({ planSummary: { add: 0, change: 1, destroy: 0, resources: [] } });
    await publishResults(
      publishArgs({ inputs: makeInputs({ command: 'plan' }), state: changed, env }).args
    );
    expect(ours()).toHaveLength(1);
    expect(ours()[0]!.id).toBe(id);
    expect(ours()[0]!.body).toContain('0 to add, 1 to change, 0 to destroy');
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    // The second run read page 2 of the comments to find its own.
    expect(server.requests.some((r) => r.method === 'GET' && r.query.page === '2')).toBe(true);

    const prod = makeInputs({ command: 'plan', 'cluster-name': 'flyte-prod' });
    await publishResults(publishArgs({ inputs: prod, state: plannedState(), env }).args);
    expect(ours()).toHaveLength(2);
    expect(ours()[1]!.body).toContain('<!-- flyte-gke-action:acme-flyte-dev/flyte-prod -->');
    expect(ours()[0]!.body).toContain(MARKER_DEV);
  });

  it('shows the Helm chart change and a redacted values diff', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const env = runnerEnv(server, pullRequestEvent(pr.number));
    const state = plannedState({
      previousRelease: {
        chartVersion: '1.16.7',
        appVersion: '1.16.0',
        values: { configuration: { database: { password: 'hunter2-db-secret', host: '10.0.0.2' } } }
      }
    });
    await publishResults(publishArgs({ inputs: makeInputs({ command: 'plan' }), state, env }).args);
    const body = server.commentsOn(pr.number)[0]!.body;
    expect(body).toContain('flyte-binary `1.16.7` → `v1.16.8`');
    // The keys that change, by path, before → after; the password redacted on both sides.
    expect(body).toContain('- configuration.database.host: "10.0.0.2" → "10.0.0.3"');
    expect(body).not.toContain('hunter2-db-secret');
    expect(body).not.toContain('values-digest');
  });

  it('cuts an oversized plan on a line boundary below the limit, with a link to the run', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const env = runnerEnv(server, pullRequestEvent(pr.number));
    const planLines = Array.from(
      { length: 40_000 },
      (_, i) => `  + resource line ${i} = "value-${i}"`
    );
    const state = plannedState({ planText: planLines.join('\n') });
    const published = publishArgs({ inputs: makeInputs({ command: 'plan' }), state, env });
    await publishResults(published.args);

    const body = server.commentsOn(pr.number)[0]!.body;
    expect(body.length).toBeLessThan(COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(50_000);
    expect(body).toContain('https://github.com/acme/infra/actions/runs/4242');
    expect(body).toMatch(/The plan was cut at \d+ of 40000 lines/);
    // The last plan line in the comment is a whole line of the plan.
    const fenced = /```hcl\n([\s\S]*?)\n```/.exec(body)![1]!.split('\n');
    expect(planLines).toContain(fenced[fenced.length - 1]);
    expect(fenced[0]).toBe(planLines[0]);

    // The job summary holds more of the plan, and stays under 1 MiB.
    const summary = published.summaries.join('');
    expect(Buffer.byteLength(summary, 'utf8')).toBeLessThan(SUMMARY_LIMIT_BYTES);
    expect(summary).toMatch(/Cut at \d+ of 40000 lines to fit the summary/);
    const lastInComment = fenced[fenced.length - 1]!;
    const lastIndex = planLines.indexOf(lastInComment);
    expect(summary).toContain(planLines[lastIndex + 1000]);
  });

  it('goes on with a notice when commenting is forbidden (pull request from a fork)', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const env = runnerEnv(server, pullRequestEvent(pr.number, true));
    server.fail('GET', /\/issues\/\d+\/comments$/, FAULTS.forbidden());
    const published = publishArgs({
      inputs: makeInputs({ command: 'plan' }),
      state: plannedState(),
      env
    });
    await expect(publishResults(published.args)).resolves.toBeUndefined();
    expect(server.comments).toHaveLength(0);
    const notice = published.lines.find((l) => l.level === 'notice');
    expect(notice?.message).toMatch(/Could not comment on the pull request \(HTTP 403/);
    expect(notice?.message).toContain('forks');
    expect(published.lines.some((l) => l.level === 'warning')).toBe(false);
    expect(published.summaries).toHaveLength(1);
  });

  it('a 403 on creating the comment is a notice too', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const env = runnerEnv(server, pullRequestEvent(pr.number, true));
    server.fail('POST', /\/issues\/\d+\/comments$/, FAULTS.forbidden());
    const published = publishArgs({
      inputs: makeInputs({ command: 'plan' }),
      state: plannedState(),
      env
    });
    await publishResults(published.args);
    expect(published.lines.filter((l) => l.level === 'notice')).toHaveLength(1);
  });

  it('on the push after a merge, updates the merged pull request comment with the console URL', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    await publishResults(
      publishArgs({
        inputs: makeInputs({ command: 'plan' }),
        state: plannedState(),
        env: runnerEnv(server, pullRequestEvent(pr.number))
      }).args
    );
    const sha = '0123456789abcdef0123456789abcdef01234567';
    server.commitPulls.set(sha, [{ number: pr.number, merged: true }]);
    const deployed = plannedState({ consoleUrl: 'https://flyte.dev.acme.example/console' });
    const published = publishArgs({
      inputs: makeInputs({ command: 'deploy' }),
      state: deployed,
      env: runnerEnv(server, pushEvent(sha))
    });
    await publishResults(published.args);

    expect(server.requests.some((r) => r.path === `/repos/acme/infra/commits/${sha}/pulls`)).toBe(
      true
    );
    const comments = server.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      '**Flyte console:** https://flyte.dev.acme.example/console'
    );
    expect(comments[0]!.body).toContain('✅ Deployed.');
    expect(comments[0]!.body).toContain('push 0123456');
  });

  it('a push whose commit has no pull request comments nowhere', async () => {
    const published = publishArgs({
      inputs: makeInputs({ command: 'deploy' }),
      state: plannedState(),
      env: runnerEnv(server, pushEvent('fedcba9876543210fedcba9876543210fedcba98'))
    });
    await publishResults(published.args);
    expect(server.comments).toHaveLength(0);
    expect(published.lines.some((l) => l.level === 'warning')).toBe(false);
  });

  it('posts nothing with comment-on-pr false', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const published = publishArgs({
      inputs: makeInputs({ command: 'plan', 'comment-on-pr': 'false' }),
      state: plannedState(),
      env: runnerEnv(server, pullRequestEvent(pr.number))
    });
    await publishResults(published.args);
    expect(server.requests).toHaveLength(0);
    expect(published.summaries).toHaveLength(1);
  });

  it('shows the failure and never a secret', async () => {
    const pr = server.addIssue({ isPullRequest: true });
    const secret = 'GOCSPX-very-secret-value';
    const state = plannedState({ planText: `oauth = "${secret}"\n` });
    await publishResults(
      publishArgs({
        inputs: makeInputs({ command: 'deploy' }),
        state,
        env: runnerEnv(server, pullRequestEvent(pr.number)),
        failure: new Error(`Helm install failed near ${secret}`),
        secrets: [TOKEN, secret]
      }).args
    );
    const body = server.commentsOn(pr.number)[0]!.body;
    expect(body).toContain('❌ **deploy failed:** Helm install failed near ***');
    expect(body).not.toContain(secret);
  });
});

describe('retries and rate limits', () => {
  it('retries a 502 and then succeeds', async () => {
    const { pr, published } = planOnNewPullRequest();
    server.fail('POST', /\/issues\/\d+\/comments$/, FAULTS.badGateway());
    await publishResults(published.args);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(server.commentsOn(pr.number)).toHaveLength(1);
  });

  it('waits out a primary rate limit (403, x-ratelimit-remaining: 0) and retries', async () => {
    const { pr, published } = planOnNewPullRequest();
    server.fail('GET', /\/issues\/\d+\/comments$/, FAULTS.primaryRateLimit());
    await publishResults(published.args);
    expect(server.commentsOn(pr.number)).toHaveLength(1);
    expect(published.lines.some((l) => /primary rate limit/.test(l.message))).toBe(true);
    expect(published.lines.some((l) => l.level === 'notice')).toBe(false);
  });

  it('honours retry-after on a secondary rate limit (429)', async () => {
    const { pr, published } = planOnNewPullRequest();
    server.fail('POST', /\/issues\/\d+\/comments$/, FAULTS.secondaryRateLimit(429));
    await publishResults(published.args);
    expect(server.commentsOn(pr.number)).toHaveLength(1);
    expect(
      published.lines.some((l) => /secondary rate limit .*retrying in 1 s/.test(l.message))
    ).toBe(true);
  });

  it('a server that keeps failing is a warning, not a failed run', async () => {
    const { published } = planOnNewPullRequest();
    server.fail('GET', /\/issues\/\d+\/comments$/, FAULTS.badGateway(10));
    await expect(publishResults(published.args)).resolves.toBeUndefined();
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(4);
    expect(published.lines.find((l) => l.level === 'warning')?.message).toMatch(/HTTP 502/);
  });
});
