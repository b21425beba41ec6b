/**
 * The reliability suite, all through the bundled action (dist/main, then dist/post) on the
 * harness: secret canaries through every command and every failure path, faults injected through
 * the stand-ins and the loopback servers (each must end in success after retry, or in one clear
 * error that the next run recovers from), and the bad-input corpus, counted. Prints a tally.
 *
 * Each scenario has its own harness (its own cloud, runner folders and tool cache) and they run
 * at once, started in beforeAll; each test awaits its scenario and checks what it recorded.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BAD_INPUTS } from './support/bad-inputs.js';
import {
  jobInputs,
  withStateBucket,
  requestBodies,
  runJob,
  startGitHub,
  startToolMirror,
  PR_NUMBER,
  type Job
} from './support/e2e-jobs.js';
import { HEAD_SHA } from './support/events.js';
import { FAULTS, type GitHubServer } from './support/github-server.js';
import {
  GITHUB_TOKEN,
  Harness,
  OIDC_TOKEN,
  type HarnessOptions,
  type StepResult
} from './support/harness.js';
import type { Mirror } from './support/mirror.js';
import { PROJECT_ROOT } from './support/project.js';

// Seven scenarios run at once from beforeAll; each test awaits its own, so the bound is generous
// for a loaded 2-core machine (no figure here is a timing assertion).
jest.setTimeout(240_000);

const PASSWORD = 'pg-canary-Q7vX2mLk9RtZ';
const OAUTH_SECRET = 'GOCSPX-canary-oauth-4hJ8sK1pW';
/** The harness's ACTIONS_ID_TOKEN_REQUEST_TOKEN: it goes into the credentials file's header. */
const OIDC_REQUEST_TOKEN = 'harness-oidc-request-token';
const SECRETS = [PASSWORD, OAUTH_SECRET, OIDC_TOKEN, GITHUB_TOKEN, OIDC_REQUEST_TOKEN];
const IAP_INPUTS = {
  ingress: 'true',
  iap: 'true',
  'iap-oauth-client-id': '123456789012-canary.apps.googleusercontent.com',
  'iap-oauth-client-secret': OAUTH_SECRET,
  'iap-members': 'group:flyte-users@acme.example'
};

/** One scenario's world: a harness, what its jobs returned, and its GitHub server if any. */
interface Scenario {
  readonly harness: Harness;
  readonly github: GitHubServer | undefined;
  readonly steps: StepResult[];
  /** Whether files left after the last post step are checked (not after a machine died). */
  readonly checkFiles: boolean;
}

const opened: { harness: Harness; github?: GitHubServer; mirror?: Mirror }[] = [];
const scenarios: Scenario[] = [];
let mirror: Mirror;
let base: Record<string, string>;

async function open(options: HarnessOptions & { github?: GitHubServer }): Promise<Scenario> {
  const harness = await Harness.create({
    oidc: true,
    ...options,
    ...(options.github ? { githubApiUrl: options.github.url } : {})
  });
  harness.setWorld((w) => {
    w.terraform = { password: PASSWORD };
  });
  opened.push({ harness, ...(options.github ? { github: options.github } : {}) });
  const scenario = { harness, github: options.github, steps: [], checkFiles: true };
  scenarios.push(scenario);
  return scenario;
}

/** Runs a job in a scenario and keeps both steps for the leak check. */
async function job(
  s: Scenario,
  inputs: Record<string, string>,
  options: Parameters<typeof runJob>[2] = {}
): Promise<Job> {
  tally.jobs += 1;
  const result = await runJob(s.harness, { ...base, ...inputs }, options);
  s.steps.push(result.main, result.post);
  return result;
}

/** The main step only: the job died with its machine, so no post step ran. */
async function diedJob(s: Scenario, inputs: Record<string, string>, options = {}) {
  tally.jobs += 1;
  const main = await s.harness.run({ ...base, ...inputs }, options);
  s.steps.push(main);
  return main;
}

const sub = (step: StepResult, tool: string) =>
  step.calls.filter((c) => c.tool === tool).map((c) => c.args[0]);
const green = (step: StepResult) => ({
  exit: step.exitCode,
  errors: step.errors
});
/** The one error a failed step reported (and that it failed with exactly one). */
function oneError(step: StepResult): string {
  expect({ exit: step.exitCode, errors: step.errors.length }).toEqual({ exit: 1, errors: 1 });
  return step.errors[0]!;
}

/** Started in beforeAll; each test awaits its own. Rejections are observed there, not here. */
function started<T>(run: () => Promise<T>): Promise<T> {
  const promise = run();
  promise.catch(() => undefined);
  return promise;
}

const tally = {
  commands: new Set<string>(),
  failurePaths: new Set<string>(),
  faults: [] as { name: string; outcome: string }[],
  jobs: 0,
  clean: false
};
const FAULT_COUNT = 8;

/** Counts a fault whose checks passed; a failure path also counts for the secret canaries. */
function fault(name: string, outcome: string, failurePath?: string): void {
  tally.faults.push({ name, outcome });
  if (failurePath) tally.failurePaths.add(failurePath);
}

let canaryRuns: Promise<Record<string, Job>>;
let downloadRuns: Promise<{
  first: Job;
  second: Job;
  mirror: Mirror;
  cache: string;
  requestsAfterFirst: number;
}>;
let githubRuns: Promise<{ flaky: Job; down: Job; github: GitHubServer }>;
let helmRuns: Promise<{ deploy: Job; failed: Job; retried: Job; world: Record<string, any> }>;
let terraformRuns: Promise<{ planError: Job; locked: Job; unlocked: Job }>;
let cancelRuns: Promise<{
  cancelled: Job;
  afterCancel: Record<string, any>;
  next: Job;
  world: Record<string, any>;
}>;
let killRuns: Promise<{
  killed: StepResult;
  afterKill: Record<string, any>;
  locked: Job;
  unlocked: Job;
}>;

/** Every scenario settled, whatever its outcome. */
const allScenarios = () =>
  Promise.allSettled([
    canaryRuns,
    downloadRuns,
    githubRuns,
    helmRuns,
    terraformRuns,
    cancelRuns,
    killRuns
  ]);

beforeAll(async () => {
  mirror = await startToolMirror();
  base = { ...jobInputs(mirror), 'comment-on-pr': 'false' };

  // Secret canaries through every command, on a pull request with the GitHub server.
  canaryRuns = started(async () => {
    const github = await startGitHub();
    github.commitPulls.set(HEAD_SHA, [{ number: PR_NUMBER, merged: false }]);
    const s = await open({ event: 'pull_request', github });
    const pr = { ...IAP_INPUTS, 'comment-on-pr': 'true' };
    const runs: Record<string, Job> = {};
    runs.deploy = await job(s, { ...pr, command: 'deploy' });
    s.harness.setWorld((w) => {
      w.terraform.applied = 'changed-on-another-branch';
    });
    runs.plan = await job(s, { ...pr, command: 'plan' });
    runs.upgrade = await job(s, { ...pr, command: 'upgrade', 'chart-version': 'v1.16.9' });
    s.harness.setWorld((w) => {
      w.terraform.drifted = true;
    });
    runs.drift = await job(s, { ...pr, command: 'drift' });
    s.harness.setWorld((w) => {
      w.terraform.drifted = false;
    });
    runs.destroy = await job(s, {
      ...pr,
      command: 'destroy',
      'confirm-destroy': 'flyte-e2e'
    });
    return runs;
  });

  // Transient download errors: every archive answers 503 once.
  downloadRuns = started(async () => {
    const flakyMirror = await startToolMirror({ failures: 1 });
    const s = await open({ event: 'push' });
    opened.push({ harness: s.harness, mirror: flakyMirror });
    const inputs = { command: 'deploy', 'tool-mirror': flakyMirror.url };
    const first = await job(s, inputs);
    const requestsAfterFirst = flakyMirror.requests.length;
    const second = await job(s, inputs);
    return { first, second, mirror: flakyMirror, cache: s.harness.toolCache, requestsAfterFirst };
  });

  // GitHub 502s and rate limits on the comment; then a GitHub that stays down.
  githubRuns = started(async () => {
    const github = await startGitHub();
    const s = await open({ event: 'pull_request', github });
    withStateBucket(s.harness);
    const comments = new RegExp(`/issues/${PR_NUMBER}/comments$`);
    github.fail('GET', comments, FAULTS.badGateway(1));
    github.fail('POST', comments, FAULTS.secondaryRateLimit(429));
    github.fail('POST', comments, FAULTS.primaryRateLimit());
    const flaky = await job(s, { command: 'plan', 'comment-on-pr': 'true' });
    github.fail('GET', comments, FAULTS.badGateway(4));
    const down = await job(s, {
      command: 'plan',
      'comment-on-pr': 'true',
      'cluster-name': 'flyte-down'
    });
    return { flaky, down, github };
  });

  // A Helm upgrade that fails and is rolled back; the next run upgrades.
  helmRuns = started(async () => {
    const s = await open({ event: 'push' });
    const deploy = await job(s, { command: 'deploy' });
    s.harness.setWorld((w) => {
      w.helm.failNextUpgrade = 1;
    });
    const upgrade = { command: 'upgrade', 'chart-version': 'v1.16.9' };
    const failed = await job(s, upgrade);
    const retried = await job(s, upgrade);
    return { deploy, failed, retried, world: s.harness.world() };
  });

  // A plan error, then a state lock held by another run, then the run that goes through.
  terraformRuns = started(async () => {
    const s = await open({ event: 'push' });
    s.harness.setWorld((w) => {
      w.terraform.planError =
        '╷\n│ Error: Invalid value for variable\n│ \n│ The machine type "e2-huge-99" does not exist in zone us-central1-a.\n╵\n';
    });
    const planError = await job(s, { command: 'deploy' });
    s.harness.setWorld((w) => {
      delete w.terraform.planError;
      w.terraform.lock = {
        id: '1732417200123456',
        who: 'deployer@fv-az77-3',
        operation: 'OperationTypeApply',
        created: '2026-11-24 03:00:00.000000 +0000 UTC'
      };
    });
    const locked = await job(s, { command: 'deploy' });
    s.harness.setWorld((w) => {
      delete w.terraform.lock; // the other run finished
    });
    const unlocked = await job(s, { command: 'deploy' });
    return { planError, locked, unlocked };
  });

  // A job cancelled during the apply (SIGTERM): Terraform saves what it did and frees the lock.
  cancelRuns = started(async () => {
    const s = await open({ event: 'push' });
    s.harness.setRules({
      terraform: [{ match: ['apply'], passThrough: true, untilSignalled: true, times: 1 }]
    });
    const cancelled = await job(
      s,
      { command: 'deploy' },
      { killOn: { tool: 'terraform', arg: 'apply', signal: 'SIGTERM' } }
    );
    const afterCancel = s.harness.world();
    const next = await job(s, { command: 'deploy' });
    return { cancelled, afterCancel, next, world: s.harness.world() };
  });

  // A machine that dies during the apply (SIGKILL): the lock stays until someone releases it.
  killRuns = started(async () => {
    const s = await open({ event: 'push' });
    const died = { ...s, checkFiles: false };
    scenarios[scenarios.indexOf(s)] = died;
    s.harness.setRules({
      terraform: [{ match: ['apply'], passThrough: true, untilSignalled: true, times: 1 }]
    });
    const killed = await diedJob(
      died,
      { command: 'deploy' },
      { killOn: { tool: 'terraform', arg: 'apply', signal: 'SIGKILL' } }
    );
    const afterKill = s.harness.world();
    const locked = await job(died, { command: 'deploy' });
    s.harness.setWorld((w) => {
      delete w.terraform.lock; // terraform force-unlock, as the error says
    });
    const unlocked = await job(died, { command: 'deploy' });
    return { killed, afterKill, locked, unlocked };
  });
}, 120_000);

afterAll(async () => {
  await allScenarios();
  await Promise.all(
    opened.flatMap((o) => [o.harness.close(), o.github?.stop(), o.mirror?.close()])
  );
  await mirror?.close();
  const covered = new Set(BAD_INPUTS.map((c) => c.input));
  const declared = Object.keys(
    (parse(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8')) as { inputs: object })
      .inputs
  );
  const recovered = tally.faults.filter((f) => f.outcome.includes('recovered')).length;
  console.log(
    [
      'reliability tally:',
      `  secret canaries: ${SECRETS.length} secrets through ${tally.commands.size} commands (${[...tally.commands].join(', ')}) and ${tally.failurePaths.size} failure paths (${[...tally.failurePaths].join(', ')}), ${tally.jobs} jobs: ${tally.clean ? 'clean' : 'NOT clean'}`,
      `  faults: ${tally.faults.length} of ${FAULT_COUNT} recovered or failed clearly (${recovered} recovered after retry or on the next run)`,
      ...tally.faults.map((f) => `    - ${f.name}: ${f.outcome}`),
      `  bad inputs: ${BAD_INPUTS.length} cases over ${covered.size} of ${declared.length} inputs (not validated: ${declared.filter((i) => !covered.has(i)).join(', ')}); run by test/bad-inputs.test.ts`
    ].join('\n')
  );
});

const VERSION_DIRS = { terraform: '1.13.4', helm: '3.19.0', gcloud: '529.0.0', kubectl: '1.36.1' };

describe('secret canaries', () => {
  it('go through deploy, plan (with a comment), upgrade, drift (with an issue) and destroy', async () => {
    const runs = await canaryRuns;
    for (const [command, run] of Object.entries(runs)) {
      expect({ command, ...green(run.main) }).toEqual({ command, exit: 0, errors: [] });
      tally.commands.add(command);
    }
    const s = scenarios.find((x) => x.steps.includes(runs.deploy!.main))!;
    const github = s.github!;
    // Every place a secret could reach was exercised: a comment, an issue, the console URL.
    expect(github.commentsOn(PR_NUMBER).length).toBe(1);
    expect(github.issues.filter((i) => i.labels.includes('flyte-drift'))).toHaveLength(1);
    expect(runs.deploy!.main.outputs['console-url']).toMatch(/^https:\/\//);
    // The database password and the OAuth secret were in play (and masked).
    expect(runs.deploy!.main.stdout).toContain(`::add-mask::${PASSWORD}`);
    expect(runs.deploy!.main.stdout).toContain(`::add-mask::${OAUTH_SECRET}`);
  });

  it('appear nowhere: not in stdout, stderr, outputs, summaries, GitHub bodies or files left behind', async () => {
    await allScenarios();
    const leaks: string[] = [];
    for (const s of scenarios) {
      const extra: Record<string, string> = s.github
        ? { 'GitHub request bodies': requestBodies(s.github) }
        : {};
      const found = s.harness.findLeaks(SECRETS, s.steps, extra);
      // After a machine died, its files die with it: only the steps are checked there.
      leaks.push(...(s.checkFiles ? found : found.filter((f) => !f.startsWith('file '))));
    }
    expect(leaks).toEqual([]);
    tally.clean = true;
    // Nothing in the action asks GitHub for an OIDC token by itself: the tools and the action's
    // own Google client (the preflight) do, through the credentials file and its audience.
    const throughFile =
      /^oidc \/token\?api-version=2\.0&audience=https%3A%2F%2Fiam\.googleapis\.com%2Fprojects%2F/;
    for (const s of scenarios)
      expect(
        s.harness.trapRequests.filter((r) => r.startsWith('oidc') && !throughFile.test(r))
      ).toEqual([]);
  });
});

describe('faults end in success after retry or in one clear error', () => {
  it('transient download errors: every archive answers 503 once, the install retries and succeeds', async () => {
    const { first, second, mirror: flaky, cache, requestsAfterFirst } = await downloadRuns;
    expect(green(first.main)).toEqual({ exit: 0, errors: [] });
    for (const name of [
      'terraform_1.13.4_',
      'helm-v3.19.0-',
      'google-cloud-cli-529.0.0-',
      '/v1.36.1/bin/'
    ]) {
      const archive = flaky.requests.filter(
        (r) => r.path.includes(name) && /\.(zip|tar\.gz)$|\/kubectl$/.test(r.path)
      );
      expect({ name, statuses: archive.map((r) => r.status) }).toEqual({
        name,
        statuses: [503, 200]
      });
    }
    expect(first.main.warnings.filter((w) => /HTTP 503.*retrying in 1 s/.test(w))).toHaveLength(4);
    expect(first.main.stdout).toMatch(/terraform 1\.13\.4 from mirror/);
    // Nothing half-installed: each tool is complete and no staging folder is left.
    for (const [tool, version] of Object.entries(VERSION_DIRS)) {
      expect(existsSync(path.join(cache, tool, version, 'x64.complete'))).toBe(true);
      expect(readdirSync(path.join(cache, tool)).filter((e) => e.startsWith('.staging'))).toEqual(
        []
      );
    }
    // The next run installs from the tool cache: not one more request to the mirror.
    expect(green(second.main)).toEqual({ exit: 0, errors: [] });
    expect(second.main.stdout).toMatch(/terraform 1\.13\.4 from cache/);
    expect(flaky.requests.length).toBe(requestsAfterFirst);
    fault('transient download errors (4 x 503)', 'recovered');
  });

  it('GitHub 502 and rate limits with retry-after on the comment: retried, one comment, run green', async () => {
    const { flaky, down, github } = await githubRuns;
    expect(green(flaky.main)).toEqual({ exit: 0, errors: [] });
    const comments = github.commentsOn(PR_NUMBER);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- flyte-gke-action:acme-flyte-e2e/flyte-e2e -->');
    // 502, retried; then a secondary and a primary rate limit on the create, each waited out.
    const methods = github.requests
      .filter((r) => r.path.endsWith(`/issues/${PR_NUMBER}/comments`))
      .map((r) => r.method);
    expect(methods).toEqual(['GET', 'GET', 'POST', 'POST', 'POST', 'GET', 'GET', 'GET', 'GET']);
    const warned = flaky.main.warnings.join('\n');
    expect(warned).toMatch(/secondary rate limit on POST .*retrying in 1 s/);
    expect(warned).toMatch(/primary rate limit on POST .*retrying in \d s/);
    fault('GitHub 502 and rate limits on the comment', 'recovered');

    // A GitHub that stays down costs the comment, not the run: one warning, run green.
    expect(green(down.main)).toEqual({ exit: 0, errors: [] });
    expect(down.main.warnings.join('\n')).toMatch(
      /Could not comment on the pull request: HTTP 502.*The run goes on/
    );
    expect(github.commentsOn(PR_NUMBER)).toHaveLength(1);
    fault(
      'GitHub down (502 after every retry)',
      'failed clearly (warning, run green)',
      'GitHub 5xx'
    );
  });

  it('a failed Helm upgrade is rolled back with one clear error; the next run upgrades', async () => {
    const { deploy, failed, retried, world } = await helmRuns;
    expect(green(deploy.main)).toEqual({ exit: 0, errors: [] });
    const error = oneError(failed.main);
    expect(error).toMatch(/rolled the release back/);
    expect(error).toContain('has been rolled back due to atomic being set');
    expect(green(retried.main)).toEqual({ exit: 0, errors: [] });
    const release = world.helm.releases['flyte/flyte-backend'];
    expect(release).toMatchObject({ version: 'v1.16.9', status: 'deployed', revision: 2 });
    fault('Helm upgrade failure', 'failed clearly, next run recovered', 'helm failure');
  });

  it("a plan error fails with Terraform's message and applies nothing", async () => {
    const { planError } = await terraformRuns;
    const error = oneError(planError.main);
    expect(error).toContain('The machine type "e2-huge-99" does not exist in zone us-central1-a.');
    expect(sub(planError.main, 'terraform')).not.toContain('apply');
    expect(sub(planError.main, 'helm')).not.toContain('upgrade');
    fault('Terraform plan error', 'failed clearly, nothing applied', 'terraform plan error');
  });

  it('a state lock held by another run: one error naming the holder and the unlock command; then success', async () => {
    const { locked, unlocked } = await terraformRuns;
    const error = oneError(locked.main);
    expect(error).toContain('locked by deployer@fv-az77-3');
    expect(error).toContain('terraform force-unlock -force 1732417200123456');
    expect(sub(locked.main, 'terraform')).not.toContain('apply');
    expect(green(unlocked.main)).toEqual({ exit: 0, errors: [] });
    expect(sub(unlocked.main, 'terraform')).toContain('apply');
    fault('state lock held by another run', 'failed clearly, next run recovered', 'lock held');
  });

  it('a job cancelled mid-apply (SIGTERM): the next run plans what is left and succeeds', async () => {
    const { cancelled, afterCancel, next, world } = await cancelRuns;
    expect(cancelled.main.signal).toBe('SIGTERM');
    // Terraform saved what it had created and released the lock.
    expect(afterCancel.terraform.applied).toMatch(/^partial-/);
    expect(afterCancel.terraform.lock).toBeUndefined();
    expect(sub(cancelled.main, 'terraform')).toContain('apply');
    expect(green(next.main)).toEqual({ exit: 0, errors: [] });
    // Terraform saved a partial state: the next plan has changes, and it applies them.
    expect(next.main.outputs['plan-has-changes']).toBe('true');
    expect(sub(next.main, 'terraform')).toContain('apply');
    expect(world.terraform.lock).toBeUndefined();
    expect(String(world.terraform.applied)).not.toMatch(/^partial-/);
    expect(world.helm.releases['flyte/flyte-backend']).toMatchObject({ status: 'deployed' });
    fault('job cancelled mid-apply (SIGTERM)', 'next run recovered');
  });

  it('a machine killed mid-apply (SIGKILL): the next run fails on the held lock, and after force-unlock succeeds', async () => {
    const { killed, afterKill, locked, unlocked } = await killRuns;
    expect(killed.signal).toBe('SIGKILL');
    expect(afterKill.terraform.lock).toMatchObject({ operation: 'OperationTypeApply' });
    const error = oneError(locked.main);
    expect(error).toMatch(/locked by runner@\S+ \(running apply/);
    expect(error).toMatch(/terraform force-unlock -force \d+/);
    expect(green(unlocked.main)).toEqual({ exit: 0, errors: [] });
    expect(sub(unlocked.main, 'terraform')).toContain('apply');
    fault('machine killed mid-apply (SIGKILL)', 'failed clearly, recovered after force-unlock');
  });
});
