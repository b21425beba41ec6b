/**
 * The action's own flyte-gke chart (helm/flyte-gke): where it is and the values it is installed
 * with. The values hold no secret, so they can go on the command line and be compared as is.
 */
import path from 'node:path';
import { findActionRoot } from '../action-root.js';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import { canonicalJson } from './digest.js';
import { PROXY_PORT, type FlyteNames } from './names.js';
import { withFlyte2 } from '../flyte2/gke-chart.js';
import type { GkeChartValues } from './gke-chart-values.js';

export function gkeChartPath(state: Pick<RunState, 'actionRoot'>): string {
  return path.join(state.actionRoot ?? findActionRoot(process.env), 'helm', 'flyte-gke');
}

export type { GkeChartValues };

export function gkeChartValues(
  inputs: Pick<Inputs, 'ingress' | 'iap' | 'staticIpName'> & Partial<Pick<Inputs, 'flyteVersion'>>,
  names: FlyteNames,
  domain: string,
  staticIpName: string = inputs.staticIpName
): GkeChartValues {
  const v1 = gkeChartValuesV1(inputs, names, domain, staticIpName);
  return inputs.flyteVersion === 2 ? withFlyte2(v1, names.release) : v1;
}

function gkeChartValuesV1(
  inputs: Pick<Inputs, 'ingress' | 'iap' | 'staticIpName'>,
  names: FlyteNames,
  domain: string,
  staticIpName: string
): GkeChartValues {
  return {
    ingress: {
      enabled: inputs.ingress,
      domain,
      staticIpName: inputs.ingress ? staticIpName : '',
      serviceName: names.httpService
    },
    names: {
      managedCertificate: names.managedCertificate,
      backendConfig: names.backendConfig,
      frontendConfig: names.frontendConfig,
      ingress: names.ingress,
      proxyConfig: names.proxyConfig
    },
    healthCheck: { port: PROXY_PORT },
    proxy: { listenPort: PROXY_PORT, tlsSecretName: names.proxyTlsSecret },
    iap: { enabled: inputs.iap, secretName: inputs.iap ? names.oauthSecret : '' }
  };
}

/** Flattens the values into `--set` (booleans, numbers) and `--set-string` (strings) pairs. */
export function gkeChartSetArgs(values: GkeChartValues): {
  set: Record<string, boolean | number>;
  setString: Record<string, string>;
} {
  const set: Record<string, boolean | number> = {};
  const setString: Record<string, string> = {};
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value))
        walk(child, prefix ? `${prefix}.${key}` : key);
    } else if (typeof value === 'string') setString[prefix] = value;
    else if (typeof value === 'boolean' || typeof value === 'number') set[prefix] = value;
  };
  walk(values, '');
  return { set, setString };
}

export const GKE_CHART_VERSION = '0.1.0';

/** Comparable form of the chart version plus values (ours, or `helm get values -o json`). */
export function gkeReleaseFingerprint(chartVersion: string, values: unknown): string {
  return `${chartVersion.replace(/^v/, '')}\n${canonicalJson(values ?? {})}`;
}
