/**
 * Flyte 1 and Flyte 2 do not share a database schema (flyteadmin's tables against the runs
 * service's), so an installed release is never upgraded from one to the other. The major version
 * of the deployed chart (`helm get metadata`, tools/helm/release.ts) tells which one runs.
 */
import { StepError } from '../errors.js';
import type { FlyteVersion, Inputs } from '../inputs.js';

/** 1 or 2 from a chart version such as v1.16.8 or 2.0.42; undefined for anything else. */
export function flyteVersionOfChart(chartVersion: string): FlyteVersion | undefined {
  const major = /^v?([0-9]+)\./.exec(chartVersion)?.[1];
  return major === '1' ? 1 : major === '2' ? 2 : undefined;
}

/** Throws before any change when the deployed release is the other Flyte. */
export function refuseVersionMove(
  stepId: string,
  inputs: Pick<Inputs, 'flyteVersion' | 'releaseName' | 'namespace'>,
  deployedChart: string | undefined
): void {
  if (deployedChart === undefined) return;
  const deployed = flyteVersionOfChart(deployedChart);
  if (deployed === undefined || deployed === inputs.flyteVersion) return;
  throw new StepError(
    stepId,
    `${inputs.releaseName} in namespace ${inputs.namespace} runs Flyte ${deployed} (chart ${deployedChart}), but flyte-version is ${inputs.flyteVersion}. The action does not move a release between Flyte 1 and Flyte 2: they do not share a database schema, so the upgrade would leave the new version on tables it cannot read. Keep flyte-version: ${deployed} for this deployment, or deploy Flyte ${inputs.flyteVersion} as a separate one (another cluster-name and state-prefix, so it gets its own database), move your work, then destroy this one.`
  );
}
