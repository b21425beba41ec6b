/**
 * What the action renders for the public endpoint, with the real helm: the flyte-gke chart with
 * the action's own --set arguments, and the flyte-binary values the action patches.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { upgradeInstallArgs } from '../../src/tools/helm/args.js';
import { gkeChartPath, gkeChartSetArgs, gkeChartValues } from '../../src/values/gke-chart.js';
import { flyteNames } from '../../src/values/names.js';
import { patchValues } from '../../src/values/patch.js';
import type { Inputs } from '../../src/inputs.js';
import { tfOutputs } from './flyte-fixtures.js';
import { PROJECT_ROOT } from './project.js';
import { realToolPath } from './real-tools.js';
import { objectsOf, type K8sObject } from './k8s-schema.js';

export const helm = (args: string[]) =>
  execFileSync(realToolPath('helm'), args, {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' }
  });

/** The flyte-gke chart as the action installs it (from `chartDir`: this checkout's by default). */
export function renderGkeChart(
  inputs: Inputs,
  domain: string,
  chartDir: string = gkeChartPath({})
): K8sObject[] {
  const names = flyteNames(inputs);
  const values = gkeChartValues(inputs, names, inputs.ingress ? domain : '', 'flyte-flyte');
  const args = upgradeInstallArgs({
    release: 'r',
    chart: 'c',
    namespace: 'n',
    timeoutSeconds: 60,
    ...gkeChartSetArgs(values)
  });
  const flags: string[] = [];
  args.forEach((arg, i) => {
    if (arg === '--set' || arg === '--set-string') flags.push(arg, args[i + 1] as string);
  });
  return objectsOf(
    helm(['template', names.gkeRelease, chartDir, '--namespace', inputs.namespace, ...flags])
  );
}

/** The flyte-binary values the action writes, as YAML. */
export function flyteBinaryValues(inputs: Inputs): string {
  const template = readFileSync(path.join(PROJECT_ROOT, 'helm', 'flyte-values.yaml'), 'utf8');
  return stringify(patchValues(template, inputs, tfOutputs()).toJS());
}

/** The real flyte-binary chart, when FLYTE_BINARY_CHART names it (CI has no chart repository). */
export const FLYTE_BINARY_CHART = process.env.FLYTE_BINARY_CHART ?? '';
