/**
 * The flyte-binary chart archive for this run: from the tool cache when a run on this runner
 * already fetched it, else from the repository (index, then archive, checked by the index's
 * digest; see tools/helm/chart-cache.ts). The install and the pre-apply chart check use the file.
 */
import path from 'node:path';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { TaskContext, TaskStep } from '../engine/types.js';
import { runFetcher } from '../tools/http.js';
import { pinTable } from '../tools/pins/pin-table.js';
import { fromSource } from '../tools/sources.js';
import { FLYTE_REPO } from '../tools/helm/args.js';
import { cachedChart, chartCacheDir, chartFileName } from '../tools/helm/chart-cache.js';

/** Where the archive is kept: known before it is fetched, so the install's arguments name it. */
export function chartFileFor(inputs: Inputs, toolCache: string | undefined): string {
  return path.join(
    chartCacheDir(toolCache ?? '$RUNNER_TOOL_CACHE', inputs.chartVersion),
    chartFileName(inputs.chartVersion)
  );
}

/** Gets the chart once per run (the check before the apply and the install share it). */
export async function ensureChart(ctx: TaskContext): Promise<string> {
  const { inputs, state } = ctx;
  if (state.chartFile) return state.chartFile;
  // The same folder the install's arguments name (chartFileFor), so the two cannot differ.
  const toolCache = state.toolCacheDir;
  if (!toolCache) {
    throw new StepError(
      'chart-fetch',
      'RUNNER_TOOL_CACHE is not set. This action runs on GitHub Actions runners, which set it.'
    );
  }
  const fetcher = runFetcher(ctx);
  try {
    const chart = await cachedChart(
      {
        fetcher,
        toolCache,
        mirror: inputs.toolMirror,
        pins: pinTable(ctx.env).charts,
        warn: (message) => ctx.log.warning(message)
      },
      inputs.chartVersion
    );
    const checked = chart.pinned
      ? "matches the digest pinned in the action's source"
      : 'matches the repository index (this version has no pin in the action, so the index decides, read afresh on every run)';
    ctx.log.info(
      chart.source === 'cache'
        ? `flyte-binary ${inputs.chartVersion}: from the tool cache (${chart.file}), SHA-256 ${chart.sha256.slice(0, 12)}… ${checked}.`
        : `flyte-binary ${inputs.chartVersion}: fetched from the ${chart.source === 'mirror' ? 'mirror' : 'chart repository'}, SHA-256 ${chart.sha256.slice(0, 12)}… ${checked}; kept in the tool cache.`
    );
    if (!chart.pinned) {
      ctx.log.warning(
        `flyte-binary ${inputs.chartVersion} has no digest pinned in the action's source; it was checked against the repository index only. Pin it in src/tools/pins/chart-pins.ts (scripts/refresh-pins.mjs prints the row).`
      );
    }
    state.chartFile = chart.file;
    return chart.file;
  } finally {
    fetcher.dispose();
  }
}

export function chartFetchStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'chart-fetch',
    title: `Get the flyte-binary ${inputs.chartVersion} chart archive`,
    mutates: false,
    when: {
      test: (state) => state.helmChanged !== false,
      describe: 'the release will be installed or upgraded',
      skipped: () =>
        `${inputs.releaseName} already runs chart ${inputs.chartVersion} with these values, so the chart is not needed.`
    },
    describe: (state) =>
      [
        `From ${chartFileFor(inputs, state.toolCacheDir)} when an earlier run kept it (hashed against the digest pinned in the action's source, or for a version without a pin the index's); otherwise`,
        `GET ${fromSource(`${FLYTE_REPO.url}/index.yaml`, inputs.toolMirror).url} (the chart's URL and SHA-256 digest), GET the archive, check the digest, keep both.`
      ].join('\n'),
    run: async (ctx) => {
      await ensureChart(ctx);
    }
  };
}
