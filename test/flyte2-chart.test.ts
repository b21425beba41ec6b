/**
 * Flyte 2 against the real flyte-binary v2.0.42 chart, rendered with the real helm: the chart is
 * read from the flyteorg/flyte mirror's gh-pages branch (the Helm repository) and checked against
 * the digest the action pins. CI has no mirror, so there the file is skipped and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_PINS } from '../src/tools/pins/chart-pins.js';
import { upgradeInstallArgs } from '../src/tools/helm/args.js';
import { composeValues } from '../src/values/compose.js';
import { leafPaths, type ValuePath } from '../src/values/document.js';
import { gkeChartPath, gkeChartSetArgs, gkeChartValues } from '../src/values/gke-chart.js';
import { readProxyConfigSource } from '../src/values/proxy-config.js';
import { flyteNames } from '../src/values/names.js';
import { FLYTE2_PATHS } from '../src/flyte2/values.js';
import { IAP_IDENTITY_HEADERS } from '../src/flyte2/names.js';
import { readSources } from '../src/phases/flyte-values.js';
import type { Inputs } from '../src/inputs.js';
import { CANARY_PASSWORD, flyteInputs, IAP_INPUTS, tfOutputs } from './support/flyte-fixtures.js';
import { objectsOf, schemaErrors, type K8sObject } from './support/k8s-schema.js';
import { PROJECT_ROOT } from './support/project.js';
import { realToolPath } from './support/real-tools.js';

const VERSION = 'v2.0.42';
const MIRROR = '/work/.mirror/flyteorg+flyte/repo';
const mirrorPresent = existsSync(MIRROR);
if (!mirrorPresent) {
  console.warn(
    `SKIPPED Flyte 2 chart checks: the flyteorg/flyte mirror ${MIRROR} is absent, so the real flyte-binary ${VERSION} chart cannot be read (it is never copied into this repository).`
  );
}
const describeWithChart = mirrorPresent ? describe : describe.skip;

const git = (args: string[]) =>
  execFileSync('git', ['-C', MIRROR, ...args], { maxBuffer: 64 * 1024 * 1024 });
const helm = (args: string[]) =>
  execFileSync(realToolPath('helm'), args, {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' }
  });

type Obj = K8sObject & {
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

const V2_IAP = { 'flyte-version': '2', ...IAP_INPUTS };

describeWithChart(`Flyte 2: the real flyte-binary ${VERSION} chart`, () => {
  let dir = '';
  let chart = '';
  let chartDefaults: unknown;
  let runsConfigGo = '';
  /** Chart.yaml's dependencies' conditions (values Helm itself reads, e.g. flyteconnector.enabled). */
  let conditions: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flyte2-chart-'));
    const archive = git(['show', `gh-pages:flyte-binary-${VERSION}.tgz`]);
    // The archive the repository serves is the one the action pins; anything else stops here.
    expect(createHash('sha256').update(archive).digest('hex')).toBe(CHART_PINS[VERSION]);
    chart = path.join(dir, `flyte-binary-${VERSION}.tgz`);
    writeFileSync(chart, archive);
    execFileSync('tar', ['-xzf', chart, '-C', dir]);
    chartDefaults = parse(
      execFileSync('cat', [path.join(dir, 'flyte-binary', 'values.yaml')], { encoding: 'utf8' })
    );
    runsConfigGo = git(['show', `${VERSION}:runs/config/config.go`]).toString('utf8');
    const chartYaml = parse(
      execFileSync('cat', [path.join(dir, 'flyte-binary', 'Chart.yaml')], { encoding: 'utf8' })
    ) as { dependencies?: { condition?: string }[] };
    conditions = (chartYaml.dependencies ?? []).flatMap((d) => (d.condition ? [d.condition] : []));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const composed = (inputs: Inputs) =>
    composeValues(
      readSources(inputs, { actionRoot: PROJECT_ROOT }),
      inputs,
      tfOutputs({ tasksServiceAccount: 'tasks-gsa@acme-flyte.iam.gserviceaccount.com' }),
      CANARY_PASSWORD
    );

  function renderFlyte(inputs: Inputs): Obj[] {
    const file = path.join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, composed(inputs).text, { mode: 0o600 });
    const args = upgradeInstallArgs({
      release: inputs.releaseName,
      chart,
      namespace: inputs.namespace,
      valuesFiles: [file],
      timeoutSeconds: 60
    });
    const values = args.flatMap((a, i) => (a === '--values' ? ['--values', args[i + 1]!] : []));
    return objectsOf(
      helm(['template', inputs.releaseName, chart, '--namespace', inputs.namespace, ...values])
    ) as Obj[];
  }

  function renderGke(inputs: Inputs): Obj[] {
    const values = gkeChartValues(inputs, flyteNames(inputs), '203.0.113.7.sslip.io');
    const { set, setString } = gkeChartSetArgs(values);
    const flags = [
      ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
      ...Object.entries(setString).flatMap(([k, v]) => ['--set-string', `${k}=${v}`])
    ];
    return objectsOf(
      helm([
        'template',
        `${inputs.releaseName}-gke`,
        gkeChartPath({ actionRoot: PROJECT_ROOT }),
        '--namespace',
        inputs.namespace,
        ...flags
      ])
    ) as Obj[];
  }

  const find = (objects: Obj[], kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${kind}/${name} is not rendered`);
    return found;
  };
  /** The manager's configuration files, as the pod reads them. */
  const managerConfig = (objects: Obj[], file: string) =>
    parse(find(objects, 'ConfigMap', 'flyte-backend-flyte-binary-config').data![file]!) as any;

  /** The runs configuration's JSON keys (`json:"..."` tags of runs/config/config.go). */
  const runsConfigKeys = () =>
    new Set([...runsConfigGo.matchAll(/json:"([A-Za-z]+)"/g)].map((m) => m[1]));

  function missingInDefaults(valuePath: ValuePath): string | undefined {
    let node: unknown = chartDefaults;
    for (const [index, key] of valuePath.entries()) {
      if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
      const map = node as Record<string, unknown>;
      if (Object.keys(map).length === 0) return undefined;
      if (!(String(key) in map)) return valuePath.slice(0, index + 1).join('.');
      node = map[String(key)];
    }
    return undefined;
  }

  it('every key the action writes is in the chart values.yaml, or is a runs config field the chart copies as is', () => {
    const values = composed(flyteInputs(V2_IAP)).doc.toJS() as unknown;
    const leaves = leafPaths(values);
    // A dependency's condition is read by Helm itself, not by a template.
    const missing = leaves
      .filter((p) => !conditions.includes(p.join('.')))
      .map((p) => missingInDefaults(p))
      .filter((p): p is string => p !== undefined);
    const runsKeys = runsConfigKeys();
    // Under flyte-core-components.runs the chart copies the map into 000-core.yaml verbatim, so a
    // key there is right when the manager's runs.Config has that JSON field.
    const notRuns = missing.filter((p) => {
      const parts = p.split('.');
      return !(
        parts[0] === 'flyte-core-components' &&
        parts[1] === 'runs' &&
        parts.slice(2).every((k) => runsKeys.has(k))
      );
    });
    expect(notRuns).toEqual([]);
    expect(missing).toEqual(
      expect.arrayContaining(['flyte-core-components.runs.trustForwardedIdentityHeaders'])
    );
    expect(leaves.map((p) => p.join('.'))).toContain('flyteconnector.enabled');
    // The check itself sees a misspelt key.
    expect(missingInDefaults(['configuration', 'database', 'postgress', 'host'])).toBe(
      'configuration.database.postgress'
    );
    expect(runsKeys.has('identityHeaders') && runsKeys.has('claimsJwtHeader')).toBe(true);
  });

  it('every path of the v2 patcher is read by the chart or the manager', () => {
    const runsKeys = runsConfigKeys();
    const unknown = Object.values(FLYTE2_PATHS).filter(
      (p) =>
        missingInDefaults(p) !== undefined &&
        !(p[0] === 'flyte-core-components' && p[1] === 'runs' && runsKeys.has(String(p[2])))
    );
    expect(unknown).toEqual([]);
  });

  it('leaves the connector subchart off, which the chart alone turns on', () => {
    expect(conditions).toEqual(['flyteconnector.enabled']);
    const connector = (objects: Obj[]) =>
      objects.filter((o) => o.metadata.name === 'flyteconnector').map((o) => o.kind);
    const inputs = flyteInputs(V2_IAP);
    // The chart with its own defaults: Helm enables a dependency whose condition is unset.
    const defaults = objectsOf(
      helm(['template', inputs.releaseName, chart, '--namespace', inputs.namespace])
    ) as Obj[];
    expect(connector(defaults)).toEqual(expect.arrayContaining(['Deployment', 'Service']));
    expect(connector(renderFlyte(inputs))).toEqual([]);
    expect(connector(renderFlyte(flyteInputs({ 'flyte-version': '2' })))).toEqual([]);
  });

  it.each([
    ['with IAP', V2_IAP],
    ['without ingress', { 'flyte-version': '2' }],
    [
      'ingress without IAP',
      { 'flyte-version': '2', ingress: 'true', 'allow-unauthenticated': 'true' }
    ]
  ])('every rendered object is valid against its schema (%s)', (_name, values) => {
    const inputs = flyteInputs(values);
    const objects = [...renderFlyte(inputs), ...(inputs.ingress ? renderGke(inputs) : [])];
    expect(objects.length).toBeGreaterThan(10);
    expect(schemaErrors(objects)).toEqual([]);
  });

  it('writes the database, the bucket through stow, workload identity and gs:// run storage', () => {
    const objects = renderFlyte(flyteInputs(V2_IAP));
    const database = managerConfig(objects, '002-database.yaml');
    expect(database.runs.database.postgres).toMatchObject({
      host: '10.59.0.3',
      port: 5432,
      dbname: 'flyte',
      username: 'flytepg',
      options: 'sslmode=require'
    });
    // The password is not in the ConfigMap, but in the chart's Secret the pod mounts.
    expect(
      JSON.stringify(find(objects, 'ConfigMap', 'flyte-backend-flyte-binary-config'))
    ).not.toContain(CANARY_PASSWORD);
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(JSON.stringify(secrets)).toContain(CANARY_PASSWORD);
    const storage = managerConfig(objects, '003-storage.yaml');
    expect(JSON.stringify(storage)).toContain('acme-flyte-data');
    expect(storage.storage.stow).toMatchObject({
      kind: 'google',
      config: { project_id: 'acme-flyte' }
    });
    const core = managerConfig(objects, '000-core.yaml');
    expect(core.runs.storagePrefix).toBe('gs://acme-flyte-data');
    expect(core.runs.seedProjects).toEqual(['flytesnacks']);
    expect(core.actions.kubernetes.namespace).toBe('flyte-tasks');
    const sa = find(objects, 'ServiceAccount', 'flyte-backend-flyte-binary');
    expect(sa.metadata.annotations?.['iam.gke.io/gcp-service-account']).toBe(
      'flyte-gsa@acme-flyte.iam.gserviceaccount.com'
    );
    const deployment = find(objects, 'Deployment', 'flyte-backend-flyte-binary');
    expect(deployment.spec.template.spec.serviceAccountName).toBe('flyte-backend-flyte-binary');
  });

  it('maps IAP identity headers into the runs configuration, and trusts none without IAP', () => {
    const withIap = managerConfig(renderFlyte(flyteInputs(V2_IAP)), '000-core.yaml');
    expect(withIap.runs.trustForwardedIdentityHeaders).toBe(true);
    expect(withIap.runs.identityHeaders).toEqual(IAP_IDENTITY_HEADERS);
    // Not the chart's AWS ALB defaults (runs/config/config.go defaultConfig).
    expect(runsConfigGo).toContain('ClaimsJWTHeader: "X-Amzn-Oidc-Data"');
    const open = managerConfig(
      renderFlyte(
        flyteInputs({ 'flyte-version': '2', ingress: 'true', 'allow-unauthenticated': 'true' })
      ),
      '000-core.yaml'
    );
    expect(open.runs.trustForwardedIdentityHeaders).toBe(false);
  });

  it('routes the Ingress to the serving port of the manager and to the console pods', () => {
    const inputs = flyteInputs(V2_IAP);
    const flyte = renderFlyte(inputs);
    const gke = renderGke(inputs);
    const ingress = find(gke, 'Ingress', 'flyte-backend-ingress');
    // Default backend: the chart's HTTP Service, on a port that reaches the container's 8090.
    const api = ingress.spec.defaultBackend.service;
    const http = find(flyte, 'Service', api.name);
    const port = http.spec.ports.find((p: any) => p.port === api.port.number);
    expect(port).toBeDefined();
    const deployment = find(flyte, 'Deployment', 'flyte-backend-flyte-binary');
    const container = deployment.spec.template.spec.containers[0];
    const target = container.ports.find(
      (p: any) => p.name === port.targetPort || p.containerPort === port.targetPort
    );
    expect(target.containerPort).toBe(8090);
    // The manager listens where its configuration says.
    expect(managerConfig(flyte, '000-core.yaml').runs.server.port).toBe(8090);
    // The Service's selector picks the manager's pods.
    expect(deployment.spec.template.metadata.labels).toMatchObject(http.spec.selector);
    // /v2 goes to the flyte-gke console Service, whose selector picks the chart's console pods.
    const paths = ingress.spec.rules[0].http.paths;
    expect(paths.map((p: any) => p.path)).toEqual(['/v2', '/v2/*']);
    const consoleSvc = find(gke, 'Service', paths[0].backend.service.name);
    const consoleDeployment = find(flyte, 'Deployment', 'flyte-backend-flyte-binary-console');
    expect(consoleDeployment.spec.template.metadata.labels).toMatchObject(consoleSvc.spec.selector);
    expect(deployment.spec.template.metadata.labels).not.toMatchObject(consoleSvc.spec.selector);
    const consolePort = consoleDeployment.spec.template.spec.containers[0].ports[0].containerPort;
    expect(consoleSvc.spec.ports[0].targetPort).toBe(consolePort);
    expect(paths[0].backend.service.port.number).toBe(consoleSvc.spec.ports[0].port);
    // The Ingress takes the certificate and the static IP, as for Flyte 1.
    expect(ingress.metadata.annotations).toMatchObject({
      'kubernetes.io/ingress.class': 'gce',
      'kubernetes.io/ingress.global-static-ip-name': 'flyte-flyte',
      'networking.gke.io/managed-certificates': 'flyte-backend-cert'
    });
    // No TLS proxy: no sidecar, no proxy ConfigMap.
    expect(deployment.spec.template.spec.containers.map((c: any) => c.name)).not.toContain(
      'tls-proxy'
    );
    expect(gke.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });

  it('health-checks both backends on paths the pods serve, over the protocol the Service declares', () => {
    const inputs = flyteInputs(V2_IAP);
    const flyte = renderFlyte(inputs);
    const gke = renderGke(inputs);
    const http = find(flyte, 'Service', 'flyte-backend-flyte-binary-http');
    const annotations = http.metadata.annotations!;
    const backendName = JSON.parse(annotations['cloud.google.com/backend-config']!).ports.http;
    expect(JSON.parse(annotations['cloud.google.com/app-protocols']!)).toEqual({ http: 'HTTP' });
    expect(JSON.parse(annotations['cloud.google.com/neg']!)).toEqual({ ingress: true });
    const apiBackend = find(gke, 'BackendConfig', backendName);
    // Long enough for the SDK's streamed Watch* responses (HTTP/1.1: the timeout ends a response).
    expect(apiBackend.spec.timeoutSec).toBe(3600);
    expect(apiBackend.spec.healthCheck).toMatchObject({
      type: 'HTTP',
      port: 8090,
      requestPath: '/readyz'
    });
    // The manager's mux serves /readyz beside /healthz (flytestdlib/app/app.go) on its one port.
    const appGo = git(['show', `${VERSION}:flytestdlib/app/app.go`]).toString('utf8');
    expect(appGo).toContain('sc.Mux.HandleFunc("/readyz"');
    expect(appGo).toContain('protocols.SetHTTP1(true)');
    const container = find(flyte, 'Deployment', 'flyte-backend-flyte-binary').spec.template.spec
      .containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    // The console: GET /v2 on 8080, exactly what its own readiness probe asks.
    const consoleSvc = find(gke, 'Service', 'flyte-backend-console-lb');
    const consoleBackend = find(
      gke,
      'BackendConfig',
      JSON.parse(consoleSvc.metadata.annotations!['cloud.google.com/backend-config']!).default
    );
    const probe = find(flyte, 'Deployment', 'flyte-backend-flyte-binary-console').spec.template.spec
      .containers[0].readinessProbe.httpGet;
    expect(consoleBackend.spec.healthCheck).toMatchObject({
      type: 'HTTP',
      port: 8080,
      requestPath: probe.path
    });
    // IAP on both backends, with the action's OAuth Secret.
    for (const b of [apiBackend, consoleBackend]) {
      expect(b.spec.iap).toEqual({
        enabled: true,
        oauthclientCredentials: { secretName: 'flyte-backend-iap-oauth' }
      });
    }
  });

  it('keeps Flyte 1 values for the flyte-gke chart exactly as before', () => {
    const v1 = gkeChartValues(flyteInputs(IAP_INPUTS), flyteNames(flyteInputs(IAP_INPUTS)), 'd');
    expect(v1).not.toHaveProperty('flyte2');
    expect(v1.healthCheck).toEqual({ port: 8443 });
    expect(readProxyConfigSource(gkeChartPath({ actionRoot: PROJECT_ROOT }))).toBeDefined();
  });
});

// The action's own chart needs no mirror: checked everywhere, CI included.
describe('helm/flyte-gke for Flyte 2 with the real helm', () => {
  const flags = (values: Record<string, string>) => {
    const inputs = flyteInputs({ 'flyte-version': '2', ...values });
    const { set, setString } = gkeChartSetArgs(
      gkeChartValues(inputs, flyteNames(inputs), inputs.ingress ? '203.0.113.7.sslip.io' : '')
    );
    return [
      ...Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
      ...Object.entries(setString).flatMap(([k, v]) => ['--set-string', `${k}=${v}`])
    ];
  };
  const chartDir = gkeChartPath({ actionRoot: PROJECT_ROOT });

  it.each([
    ['with IAP', IAP_INPUTS],
    ['without IAP', { ingress: 'true', 'allow-unauthenticated': 'true' }]
  ])('passes helm lint --strict and renders valid objects (%s)', (_n, values) => {
    expect(helm(['lint', chartDir, '--strict', ...flags(values)])).toContain('0 chart(s) failed');
    const objects = objectsOf(
      helm(['template', 'flyte-backend-gke', chartDir, '--namespace', 'flyte', ...flags(values)])
    );
    expect(schemaErrors(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual([
      'BackendConfig/flyte-backend-backend',
      'BackendConfig/flyte-backend-console-backend',
      'FrontendConfig/flyte-backend-frontend',
      'Ingress/flyte-backend-ingress',
      'ManagedCertificate/flyte-backend-cert',
      'Service/flyte-backend-console-lb'
    ]);
  });
});
