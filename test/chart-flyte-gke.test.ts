import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { upgradeInstallArgs } from '../src/tools/helm/args.js';
import {
  GKE_CHART_VERSION,
  gkeChartPath,
  gkeChartSetArgs,
  gkeChartValues
} from '../src/values/gke-chart.js';
import { flyteNames } from '../src/values/names.js';
import { flyteInputs, IAP_INPUTS } from './support/flyte-fixtures.js';
import { PROJECT_ROOT } from './support/project.js';
import { realToolPath } from './support/real-tools.js';

const CHART = path.join(PROJECT_ROOT, 'helm', 'flyte-gke');
const helm = (args: string[]) =>
  execFileSync(realToolPath('helm'), args, {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' }
  });

type K8sObject = { kind: string; apiVersion: string; metadata: { name: string }; spec: any };

/** The `--set`/`--set-string` arguments the action passes, for one combination. */
function actionSetArgs(ingress: boolean, iap: boolean): string[] {
  // The inputs refuse iap without ingress; the chart is still checked for that combination.
  const release = flyteInputs(iap ? { ...IAP_INPUTS } : {}).releaseName;
  const values = gkeChartValues(
    { ingress, iap, staticIpName: 'flyte-flyte' },
    flyteNames({ releaseName: release }),
    ingress ? '203.0.113.7.sslip.io' : ''
  );
  // Reuse the action's own argument builder and keep only the value flags.
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
  return flags;
}

function render(ingress: boolean, iap: boolean): K8sObject[] {
  const out = helm([
    'template',
    'flyte-backend-gke',
    CHART,
    '--namespace',
    'flyte',
    ...actionSetArgs(ingress, iap)
  ]);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const combos = [
  { ingress: false, iap: false },
  { ingress: true, iap: false },
  { ingress: true, iap: true },
  { ingress: false, iap: true }
];

describe('helm/flyte-gke with the real helm', () => {
  it('its Chart.yaml version is the one the action compares against', () => {
    const chart = parse(readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as {
      version: string;
    };
    expect(chart.version).toBe(GKE_CHART_VERSION);
    expect(gkeChartPath({})).toBe(CHART);
  });

  it.each(combos)('passes helm lint (ingress=$ingress, iap=$iap)', ({ ingress, iap }) => {
    const out = helm(['lint', CHART, '--strict', ...actionSetArgs(ingress, iap)]);
    expect(out).toContain('0 chart(s) failed');
  });

  it.each(combos)(
    'renders BackendConfig with the health check (ingress=$ingress, iap=$iap)',
    ({ ingress, iap }) => {
      const objects = render(ingress, iap);
      const backend = objects.find((o) => o.kind === 'BackendConfig');
      expect(backend?.apiVersion).toBe('cloud.google.com/v1');
      expect(backend?.metadata.name).toBe('flyte-backend-backend');
      // HTTP/2 over TLS to the proxy port, like the traffic; the proxy answers /healthcheck.
      expect(backend?.spec.healthCheck).toMatchObject({
        type: 'HTTP2',
        requestPath: '/healthcheck',
        port: 8443
      });
      if (iap) {
        expect(backend?.spec.iap).toEqual({
          enabled: true,
          oauthclientCredentials: { secretName: 'flyte-backend-iap-oauth' }
        });
      } else {
        expect(backend?.spec.iap).toBeUndefined();
      }
    }
  );

  it.each(combos)(
    'renders the certificate and redirect only with ingress (ingress=$ingress, iap=$iap)',
    ({ ingress, iap }) => {
      const objects = render(ingress, iap);
      const kinds = objects.map((o) => o.kind).sort();
      if (!ingress) {
        expect(kinds).toEqual(['BackendConfig']);
        return;
      }
      expect(kinds).toEqual([
        'BackendConfig',
        'ConfigMap',
        'FrontendConfig',
        'Ingress',
        'ManagedCertificate'
      ]);
      const cert = objects.find((o) => o.kind === 'ManagedCertificate');
      expect(cert?.apiVersion).toBe('networking.gke.io/v1');
      expect(cert?.metadata.name).toBe('flyte-backend-cert');
      expect(cert?.spec.domains).toEqual(['203.0.113.7.sslip.io']);
      const frontend = objects.find((o) => o.kind === 'FrontendConfig');
      expect(frontend?.apiVersion).toBe('networking.gke.io/v1beta1');
      expect(frontend?.metadata.name).toBe('flyte-backend-frontend');
      expect(frontend?.spec.redirectToHttps).toEqual({
        enabled: true,
        responseCodeName: 'MOVED_PERMANENTLY_DEFAULT'
      });
    }
  );

  it('refuses to render a certificate without a domain', () => {
    expect(() =>
      helm([
        'template',
        'x',
        CHART,
        '--set',
        'ingress.enabled=true',
        '--set',
        'ingress.staticIpName=ip',
        '--set',
        'ingress.serviceName=svc'
      ])
    ).toThrow(/ingress.domain is required/);
  });

  it('refuses IAP without a Secret name', () => {
    expect(() => helm(['template', 'x', CHART, '--set', 'iap.enabled=true'])).toThrow(
      /iap.secretName is required/
    );
  });
});
