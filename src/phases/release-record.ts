/**
 * What is deployed, readable without reading a Kubernetes Secret. Helm keeps releases in Secrets,
 * which the read-only planner must not read (roles/container.viewer cannot). So the deployer, after
 * each upgrade, records the chart version, app version, values digest and the redacted values in
 * a ConfigMap; plan and drift read that and the live Deployment (its chart label and the digest
 * annotation the action sets), both allowed to a viewer.
 *
 * The record holds only what the values diff shows: the values as plain YAML with every
 * credential masked (secret-looking keys, the `value` beside a secret-looking `name`, every value
 * the run masks), without the template's comments or the digest annotation. No per-key digest of
 * a masked value: anyone who reads ConfigMaps could test guesses of a short secret against it.
 */
import { refuseVersionMove } from '../flyte2/version-move.js';
import { parse, stringify } from 'yaml';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { ExecStep, TaskStep } from '../engine/types.js';
import { runChecked } from '../engine/run-checked.js';
import { applyStdinArgs } from '../tools/kubectl/args.js';
import { comparableValues } from '../report/values-diff.js';
import { DIGEST_ANNOTATION } from '../values/digest.js';
import { flyteNames } from '../values/names.js';

export const recordName = (release: string) => `${release}-flyte-gke-action`;

/** Reads the release record; the record steps and the read-ahead run the same. */
export function recordReadArgs(inputs: Inputs): string[] {
  return getJsonArgs('configmap', recordName(inputs.releaseName), inputs.namespace);
}

function getJsonArgs(kind: string, name: string, namespace: string): string[] {
  return ['get', kind, name, '--namespace', namespace, '--ignore-not-found', '--output', 'json'];
}

interface LiveObject {
  readonly metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly data?: Record<string, string>;
}

const parseObject = (text: string): LiveObject | undefined => {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    return JSON.parse(trimmed) as LiveObject;
  } catch {
    return undefined;
  }
};

/** The live Deployment and the record: what plan and drift compare against. */
export function liveReleaseReadSteps(inputs: Inputs): ExecStep[] {
  const names = flyteNames(inputs);
  return [
    {
      kind: 'exec',
      id: 'live-deployment-read',
      title: `Read the Deployment ${names.fullName} (chart and values digest)`,
      mutates: false,
      tool: 'kubectl',
      args: getJsonArgs('deployment', names.fullName, inputs.namespace),
      quiet: true,
      onResult: (result, state) => {
        const live = parseObject(result.stdout);
        if (!live) {
          state.deployedRelease = undefined;
          state.previousRelease = undefined;
          return;
        }
        const chart = live.metadata?.labels?.['helm.sh/chart'] ?? '';
        const found = {
          chartVersion: chart.replace(/^flyte-binary-/, ''),
          appVersion: live.metadata?.labels?.['app.kubernetes.io/version'] ?? '',
          ...(live.metadata?.annotations?.[DIGEST_ANNOTATION]
            ? { valuesDigest: live.metadata.annotations[DIGEST_ANNOTATION] }
            : {})
        };
        // A plan or drift check says it now, before anyone applies a move that would fail.
        refuseVersionMove('live-deployment-read', inputs, found.chartVersion || undefined);
        state.deployedRelease = found;
        state.previousRelease = found;
      }
    },
    {
      kind: 'exec',
      id: 'release-record-read',
      title: `Read the record of what was deployed (ConfigMap ${recordName(inputs.releaseName)})`,
      mutates: false,
      tool: 'kubectl',
      args: recordReadArgs(inputs),
      quiet: true,
      onResult: (result, state) => {
        const record = parseObject(result.stdout);
        state.releaseRecordDigest = record?.data?.valuesDigest ?? '';
        const values = record?.data?.values ? (parse(record.data.values) as unknown) : undefined;
        // The values shown in the diff, only when they belong to the live release.
        if (
          state.previousRelease &&
          values &&
          typeof values === 'object' &&
          record?.data?.valuesDigest === state.previousRelease.valuesDigest
        ) {
          state.previousRelease = {
            ...state.previousRelease,
            values: values as Record<string, unknown>
          };
        }
      }
    }
  ];
}

/** The preview (already masked) in the form the diff compares, masked once more on the way. */
export function recordedValues(preview: string | undefined): string {
  const values = preview === undefined ? undefined : (parse(preview) as unknown);
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return stringify({});
  return stringify(comparableValues(values as Record<string, unknown>));
}

export function recordManifest(inputs: Inputs, state: RunState): string {
  const deployed = state.deployedRelease;
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: recordName(inputs.releaseName),
      namespace: inputs.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'flyte-gke-action' }
    },
    data: {
      chartVersion: deployed?.chartVersion ?? inputs.chartVersion,
      appVersion: deployed?.appVersion ?? '',
      valuesDigest: state.valuesDigest ?? '',
      // Redacted: a ConfigMap is readable by viewers.
      values: recordedValues(state.valuesPreview)
    }
  };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [configMap] });
}

/** After the upgrade: write the record when it is missing or describes other values. */
export function recordWriteStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'release-record',
    title: `Record what is deployed in ConfigMap ${recordName(inputs.releaseName)} (for the read-only planner)`,
    mutates: true,
    describe: () =>
      `$ kubectl ${recordReadArgs(inputs).join(' ')}\nIf it is missing or holds another values digest: $ kubectl ${applyStdinArgs().join(' ')} (chart and app version, values digest, redacted values)`,
    run: async (ctx) => {
      const current = await runChecked(ctx, {
        stepId: 'release-record',
        title: 'Reading the release record',
        tool: 'kubectl',
        args: recordReadArgs(inputs),
        quiet: true
      });
      const record = parseObject(current.stdout);
      if (record?.data?.valuesDigest && record.data.valuesDigest === ctx.state.valuesDigest) {
        ctx.log.info(`${recordName(inputs.releaseName)} already records these values.`);
        return 'unchanged';
      }
      await runChecked(ctx, {
        stepId: 'release-record',
        title: 'Writing the release record',
        tool: 'kubectl',
        args: applyStdinArgs(),
        stdin: recordManifest(inputs, ctx.state),
        quiet: true
      });
    }
  };
}
