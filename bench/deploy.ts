/**
 * A simulated deploy through the bundled action: stand-in tools take time in the proportions of a
 * real GKE deploy (scaled down: one simulated minute is `scaleMsPerMinute` ms, so a tool's launch
 * weighs about what a real one's does), and the figures come from one run of each scenario.
 */
import { isChangingCall } from '../test/support/changing.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { jobInputs, startToolMirror, withStateBucket } from '../test/support/e2e-jobs.js';
import { Harness, type StepResult, type ToolCall } from '../test/support/harness.js';
import { copyModuleForStandins } from '../test/support/provider-registry.js';
import { slowStandinRules } from './real-seconds.js';

/** The scenario measured with the tools at real speed (one simulated minute is a minute). */
export const REAL_TIME_REDEPLOY = 'unchanged re-deploy, real time';

export interface ScenarioFigures {
  readonly name: string;
  readonly wallMs: number;
  readonly toolMs: number;
  readonly overheadMs: number;
  /** Spans of `terraform init` and `terraform plan`, launch included. */
  readonly initPlanMs: number;
  readonly changingCommands: number;
  readonly commands: number;
  /** Requests to the mirrors: tool archives and checksums, providers, the chart and its index. */
  readonly downloads: number;
  readonly exitCode: number | null;
}

export interface DeployFigures {
  readonly scaleMsPerMinute: number;
  /** Measured time to launch one tool process, counted as tool time. */
  readonly launchMs: number;
  readonly scenarios: ScenarioFigures[];
}

/**
 * How long the operating system takes to start a stand-in before its own clock starts: spawn the
 * stand-in directly several times and compare the wall time with the span it recorded. Launching a
 * tool is the tool's time, not the action's, so each call's span is widened by this much.
 */
function launchMs(harness: Harness, runs = 9): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = Date.now();
    spawnSync(path.join(harness.bin, 'terraform'), ['version', '-json'], {
      env: { ...process.env, FLYTE_STANDIN_DIR: harness.standinDir }
    });
    const ended = Date.now();
    const call = harness.allCalls('terraform').at(-1);
    if (call?.endedAt) samples.push(ended - started - (call.endedAt - call.startedAt));
  }
  samples.sort((a, b) => a - b);
  return Math.max(0, samples[Math.floor(samples.length / 2)] ?? 0);
}

/** Total time inside tool processes (launch included), overlapping calls counted once. */
function toolTime(calls: ToolCall[], launch: number): number {
  const spans = calls
    .map((c) => [c.startedAt - launch, c.endedAt ?? c.startedAt] as const)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [s, e] of spans) {
    if (Number.isNaN(start) || s > end) {
      if (!Number.isNaN(start)) total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  if (!Number.isNaN(start)) total += end - start;
  return total;
}

export async function benchDeploy(scaleMsPerMinute = 6000): Promise<DeployFigures> {
  // A runner with nothing cached and no internet: tools, providers and the chart come from
  // loopback mirrors, so every download is counted.
  const mirror = await startToolMirror();
  const harness = await Harness.create({ oidc: true });
  const launch = launchMs(harness);
  harness.setRules(slowStandinRules(scaleMsPerMinute));
  withStateBucket(harness, 'acme-flyte-bench');
  const inputs = {
    ...jobInputs(mirror),
    'project-id': 'acme-flyte-bench',
    'cluster-name': 'flyte-bench',
    ingress: 'true',
    iap: 'true',
    'iap-oauth-client-id': '123456789012-bench.apps.googleusercontent.com',
    'iap-oauth-client-secret': 'GOCSPX-bench-oauth-secret',
    'iap-members': 'group:flyte-users@acme.dev',
    'comment-on-pr': 'false'
  };
  const scenarios: ScenarioFigures[] = [];
  const requests = () => mirror.requests.length + harness.upstream.requests.length;
  const span = (c: ToolCall) => (c.endedAt ?? c.startedAt) - c.startedAt + launch;
  const measure = async (name: string, extra: Record<string, string> = {}) => {
    // Each job starts from a fresh checkout: the committed lock file, without init's additions.
    copyModuleForStandins(harness.moduleDir);
    const sent = requests();
    const started = Date.now();
    const result: StepResult = await harness.run({ ...inputs, ...extra });
    const wallMs = Date.now() - started;
    await harness.runPost();
    const toolMs = toolTime(result.calls, launch);
    // BENCH_TIMELINE=1: each tool call's start and span in this job, for finding what is slow.
    if (process.env.BENCH_TIMELINE) {
      for (const c of result.calls) {
        console.error(
          `${name}: ${String(c.startedAt - started).padStart(7)} ms +${String(span(c)).padStart(6)} ms  ${c.tool} ${c.args.slice(0, 4).join(' ')}`
        );
      }
    }
    const terraform = (sub: string) =>
      result.calls.filter((c) => c.tool === 'terraform' && c.args[0] === sub);
    scenarios.push({
      name,
      wallMs,
      toolMs,
      overheadMs: wallMs - toolMs,
      initPlanMs: [...terraform('init'), ...terraform('plan')].reduce((t, c) => t + span(c), 0),
      changingCommands: result.calls.filter(isChangingCall).length,
      commands: result.calls.length,
      downloads: requests() - sent,
      exitCode: result.exitCode
    });
    if (result.exitCode !== 0) {
      throw new Error(`${name} failed:\n${result.errors.join('\n')}`);
    }
  };
  try {
    await measure('first deploy');
    await measure('unchanged re-deploy');
    const upgraded = { 'chart-version': 'v1.16.9' };
    await measure('chart upgrade', upgraded);
    // The same unchanged re-deploy with the tools at their real speed: the action's own work
    // (start-up, hashing, API calls) is real time, so at the faster scale above it would weigh ten
    // times more against Terraform's minute than it does on a runner. Nothing changes (the chart
    // stays the upgraded one), so it costs about one init and plan of real time.
    harness.setRules(slowStandinRules(60_000));
    await measure(REAL_TIME_REDEPLOY, upgraded);
  } finally {
    await Promise.all([harness.close(), mirror.close()]);
  }
  return { scaleMsPerMinute, launchMs: launch, scenarios };
}
