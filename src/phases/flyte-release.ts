/** Read-only steps that learn what Helm has deployed: a release's chart and its values. */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { ExecStep } from '../engine/types.js';
import { getMetadataArgs, getValuesArgs } from '../tools/helm/args.js';
import { parseJson, parseReleaseMetadata } from '../tools/helm/release.js';
import { recordedDigest } from '../values/digest.js';

/** Reads a release's chart version into state; a missing release is not an error. */
export function readReleaseStep(
  id: string,
  release: string,
  namespace: string,
  store: (state: RunState, found: { chartVersion: string; appVersion: string } | undefined) => void
): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Read Helm release ${release}`,
    mutates: false,
    tool: 'helm',
    args: getMetadataArgs(release, namespace),
    okExitCodes: [0, 1],
    quiet: true,
    onResult: (result, state) => store(state, parseReleaseMetadata(id, result))
  };
}

/** `helm get values` prints the password: the step is quiet and keeps only what it needs. */
export function readValuesStep(
  id: string,
  release: string,
  namespace: string,
  when: (state: RunState) => boolean,
  store: (state: RunState, values: unknown) => void
): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Read the deployed values of ${release}`,
    mutates: false,
    tool: 'helm',
    args: getValuesArgs(release, namespace),
    quiet: true,
    when: {
      test: when,
      describe: `release ${release} exists`,
      skipped: () => `release ${release} is not installed, so there are no values to read.`
    },
    onResult: (result, state) => store(state, parseJson(id, result.stdout))
  };
}

const isValuesMap = (values: unknown): values is Record<string, unknown> =>
  typeof values === 'object' && values !== null && !Array.isArray(values);

export function flyteReleaseReadSteps(inputs: Inputs): ExecStep[] {
  const release = inputs.releaseName;
  return [
    readReleaseStep('helm-read-release', release, inputs.namespace, (state, found) => {
      state.deployedRelease = found;
      state.previousRelease = found;
    }),
    readValuesStep(
      'helm-read-values',
      release,
      inputs.namespace,
      (state) => state.deployedRelease !== undefined,
      (state, values) => {
        if (!state.deployedRelease) return;
        const digest = recordedDigest(values);
        const found = {
          chartVersion: state.deployedRelease.chartVersion,
          appVersion: state.deployedRelease.appVersion,
          ...(digest ? { valuesDigest: digest } : {})
        };
        state.deployedRelease = found;
        // Kept apart from deployedRelease, which an upgrade replaces: the summary diffs against it.
        state.previousRelease = { ...found, ...(isValuesMap(values) ? { values } : {}) };
      }
    )
  ];
}
