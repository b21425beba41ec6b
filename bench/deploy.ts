/**
 * A simulated deploy through the bundled action: stand-in tools take time in the proportions of a
 * real GKE deploy (scaled down), and the figures come from one run of each scenario.
 */
import { isChangingCall } from '../test/support/changing.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  Harness,
  type StandinRule,
  type StepResult,
  type ToolCall
} from '../test/support/harness.js';

/** Real durations in seconds of the slow tool calls, matched by their arguments. */
const REAL_SECONDS: {
  tool: 'terraform' | 'helm' | 'gcloud' | 'kubectl';
  match: string[];
  seconds: number;
}[] = [
  { tool: 'terraform', match: ['init'], seconds: 15 },
  { tool: 'terraform', match: ['plan'], seconds: 40 },
  { tool: 'terraform', match: ['apply'], seconds: 15 * 60 },
  { tool: 'terraform', match: ['output'], seconds: 3 },
  { tool: 'gcloud', match: ['get-credentials'], seconds: 5 },
  { tool: 'gcloud', match: ['storage'], seconds: 2 },
  { tool: 'gcloud', match: ['iap'], seconds: 5 },
  { tool: 'helm', match: ['upgrade'], seconds: 5 * 60 },
  { tool: 'helm', match: ['repo'], seconds: 2 }
];

export interface DeployFigures {
  readonly scaleMsPerMinute: number;
  /** Measured time to launch one tool process, counted as tool time. */
  readonly launchMs: number;
  readonly scenarios: {
    readonly name: string;
    readonly wallMs: number;
    readonly toolMs: number;
    readonly overheadMs: number;
    readonly changingCommands: number;
    readonly commands: number;
    readonly exitCode: number | null;
  }[];
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

export async function benchDeploy(scaleMsPerMinute = 1000): Promise<DeployFigures> {
  const harness = await Harness.create({ oidc: true });
  const rules: Record<string, StandinRule[]> = {};
  for (const slow of REAL_SECONDS) {
    (rules[slow.tool] ??= []).push({
      match: slow.match,
      passThrough: true,
      delayMs: Math.round((slow.seconds / 60) * scaleMsPerMinute)
    });
  }
  const launch = launchMs(harness);
  harness.setRules(rules);
  const inputs = {
    'project-id': 'acme-flyte-bench',
    'cluster-name': 'flyte-bench',
    'workload-identity-provider':
      'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme',
    'gcloud-version': 'system',
    'terraform-version': 'system',
    'helm-version': 'system',
    ingress: 'true',
    'comment-on-pr': 'false'
  };
  const scenarios: DeployFigures['scenarios'][number][] = [];
  const measure = async (name: string, extra: Record<string, string> = {}) => {
    const started = Date.now();
    const result: StepResult = await harness.run({ ...inputs, ...extra });
    const wallMs = Date.now() - started;
    await harness.runPost();
    const toolMs = toolTime(result.calls, launch);
    scenarios.push({
      name,
      wallMs,
      toolMs,
      overheadMs: wallMs - toolMs,
      changingCommands: result.calls.filter(isChangingCall).length,
      commands: result.calls.length,
      exitCode: result.exitCode
    });
  };
  try {
    await measure('first deploy');
    await measure('unchanged re-deploy');
    await measure('chart upgrade', { 'chart-version': 'v1.16.9' });
  } finally {
    await harness.close();
  }
  return { scaleMsPerMinute, launchMs: launch, scenarios };
}
