/** The Flyte half of a drift check: the release against the desired chart and values. */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { Step } from '../engine/types.js';
import { sameChartVersion } from '../tools/helm/release.js';
import { liveReleaseReadSteps } from './release-record.js';

export function driftSteps(inputs: Inputs): Step[] {
  return [
    // Read-only and without Secrets, as the planner identity allows.
    ...liveReleaseReadSteps(inputs),
    {
      kind: 'task',
      id: 'helm-drift',
      title: 'Compare the Flyte release with the desired chart and values',
      mutates: false,
      describe: () =>
        `Report drift when ${inputs.releaseName} is missing, runs another chart version than ${inputs.chartVersion}, or holds other values.`,
      run: async (ctx) => {
        const { state } = ctx;
        const found = flyteDrift(inputs, state);
        state.driftDetected = (state.driftDetected ?? false) || found.length > 0;
        state.driftDetails.push(...found);
        ctx.log.info(
          found.length > 0
            ? found.join('\n')
            : `${inputs.releaseName}: no drift in chart or values.`
        );
      }
    }
  ];
}

/** Human lines describing how the release differs from what the action would deploy. */
export function flyteDrift(
  inputs: Pick<Inputs, 'releaseName' | 'namespace' | 'chartVersion'>,
  state: Pick<RunState, 'deployedRelease' | 'valuesDigest'>
): string[] {
  const deployed = state.deployedRelease;
  const release = `Helm release ${inputs.releaseName} (namespace ${inputs.namespace})`;
  if (!deployed) return [`${release} is not installed.`];
  const lines: string[] = [];
  if (!sameChartVersion(deployed.chartVersion, inputs.chartVersion)) {
    lines.push(
      `${release} runs chart ${deployed.chartVersion}; ${inputs.chartVersion} is configured.`
    );
  }
  if (!deployed.valuesDigest) {
    lines.push(`${release} was not deployed by this action (no values digest recorded).`);
  } else if (deployed.valuesDigest !== state.valuesDigest) {
    lines.push(
      `${release} holds other values than the action would deploy (digest ${deployed.valuesDigest.slice(0, 12)}, expected ${(state.valuesDigest ?? '').slice(0, 12)}).`
    );
  }
  return lines;
}
