/**
 * Attack: user code in a task pod calls flyte-binary's unauthenticated API inside the cluster.
 * The values the action deploys are rendered by real helm (the flyte-binary chart stores
 * clusterResourceTemplates.inline verbatim in a ConfigMap: `toYaml`, no `tpl`), each template is
 * filled in for flytesnacks-development as flyteadmin's cluster resource controller does (literal
 * `{{ name }}` replacement), validated against the Kubernetes schema, and a small NetworkPolicy
 * evaluator says who may connect where. Refused by default; `tasks-reach-flyte-api` opens 8088 and
 * 8089 only.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { composeValues } from '../src/values/compose.js';
import { gkeChartPath } from '../src/values/gke-chart.js';
import { readProxyConfigSource } from '../src/values/proxy-config.js';
import { TASKS_POLICY_NAME } from '../src/values/task-network-policy.js';
import { flyteInputs, tfOutputs } from './support/flyte-fixtures.js';
import { objectsOf, schemaErrors, type K8sObject } from './support/k8s-schema.js';
import { canConnect, type NetworkPolicyObject, type Pod } from './support/network-policy-eval.js';
import { PROJECT_ROOT } from './support/project.js';
import { realToolPath } from './support/real-tools.js';

const PROXY_CONFIG = readProxyConfigSource(gkeChartPath({ actionRoot: PROJECT_ROOT }));

const TEMPLATE = path.join(PROJECT_ROOT, 'helm', 'flyte-values.yaml');

/** The flyte-binary v1.16.8 chart's selector labels for its server pod (_helpers.tpl). */
const flyteBinary = (release = 'flyte-backend', namespace = 'flyte'): Pod => ({
  namespace,
  labels: {
    'app.kubernetes.io/name': 'flyte-binary',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/component': 'flyte-binary'
  }
});
const connector: Pod = {
  namespace: 'flyte',
  labels: { ...flyteBinary().labels, 'app.kubernetes.io/component': 'connector' }
};
const task = (namespace = 'flytesnacks-development'): Pod => ({
  namespace,
  labels: { 'flyte.org/execution': 'a1b2c3', 'node-id': 'n0' }
});
const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

/** What the chart's ConfigMap holds, rendered by real helm from the action's values. */
function renderedTemplates(values: string): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crt-chart-'));
  try {
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: crt\nversion: 0.1.0\n');
    writeFileSync(
      path.join(dir, 'templates', 'cluster-resource-templates.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crt\ndata:\n  {{- toYaml .Values.clusterResourceTemplates.inline | nindent 2 }}\n'
    );
    writeFileSync(path.join(dir, 'values.yaml'), values, { mode: 0o600 });
    const out = execFileSync(realToolPath('helm'), ['template', 'r', dir], {
      encoding: 'utf8',
      env: { ...process.env, HOME: '/tmp' }
    });
    return (parse(out) as { data: Record<string, string> }).data;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One namespace's objects, as flyteadmin fills the templates in (domain values from customData). */
function objectsFor(inputs: Record<string, string>, project: string, domain: string) {
  const composed = composeValues(
    {
      template: { name: 'flyte-values.yaml', text: readTemplate() },
      extras: [],
      proxyConfig: PROXY_CONFIG
    },
    { ...flyteInputs(inputs), chartVersion: 'v1.16.8' },
    tfOutputs({ podsCidr: '10.20.0.0/14' })
  );
  const values = composed.doc.toJS() as {
    configuration: {
      inline: {
        cluster_resources: { customData: Record<string, { [k: string]: { value: string } }[]>[] };
      };
    };
  };
  const custom = values.configuration.inline.cluster_resources.customData.find(
    (entry) => domain in entry
  )?.[domain];
  const variables: Record<string, string> = { namespace: `${project}-${domain}`, project, domain };
  for (const item of custom ?? [])
    for (const [name, data] of Object.entries(item)) variables[name] = data.value;
  const objects: K8sObject[] = [];
  for (const [file, text] of Object.entries(renderedTemplates(composed.text)).sort()) {
    let filled = text;
    for (const [name, value] of Object.entries(variables))
      filled = filled.split(`{{ ${name} }}`).join(value);
    expect({ file, left: /\{\{[^}]*\}\}/.exec(filled)?.[0] }).toEqual({ file, left: undefined });
    objects.push(...objectsOf(filled));
  }
  return objects;
}

const readTemplate = () => readFileSync(TEMPLATE, 'utf8');

const policiesOf = (objects: K8sObject[]) =>
  objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as NetworkPolicyObject[];

describe('the NetworkPolicy in every task namespace', () => {
  const objects = objectsFor({}, 'flytesnacks', 'development');
  const policies = policiesOf(objects);

  it('is a valid object of the namespace Flyte creates, next to its service account', () => {
    expect(schemaErrors(objects)).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/flytesnacks-development',
      'ServiceAccount/default',
      `NetworkPolicy/${TASKS_POLICY_NAME}`
    ]);
    expect(policies[0]?.metadata.namespace).toBe('flytesnacks-development');
  });

  it.each([8088, 8089, 8443, 9443])('refuses a task pod flyte-binary:%i', (port) => {
    expect(canConnect(policies, task(), flyteBinary(), port)).toBe(false);
  });

  it('still lets a task reach DNS, connectors, other namespaces and outside addresses', () => {
    expect(canConnect(policies, task(), kubeDns, 53)).toBe(true);
    expect(canConnect(policies, task(), connector, 8000)).toBe(true);
    expect(canConnect(policies, task(), task('flytesnacks-staging'), 8080)).toBe(true);
    // storage.googleapis.com, the metadata server, a database in the VPC outside the pod range.
    for (const ip of ['142.250.65.91', '169.254.169.254', '10.59.0.3'])
      expect(canConnect(policies, task(), { ip }, 443)).toBe(true);
  });

  it('leaves everything that must reach flyte-binary alone (no policy in its namespace)', () => {
    expect(policies.every((p) => p.metadata.namespace !== 'flyte')).toBe(true);
    // Load balancer health checks and proxied requests come from 35.191.0.0/16, 130.211.0.0/22.
    const lb = { namespace: 'gke-lb', labels: {} };
    expect(canConnect(policies, lb, flyteBinary(), 8443)).toBe(true);
  });

  it('holds in every domain of every project the action seeds', () => {
    for (const domain of ['production', 'staging']) {
      const inDomain = policiesOf(
        objectsFor({ 'flyte-projects': 'flytesnacks, ml' }, 'ml', domain)
      );
      expect(canConnect(inDomain, task(`ml-${domain}`), flyteBinary(), 8089)).toBe(false);
    }
  });

  it('follows the namespace and release inputs', () => {
    const inputs = { namespace: 'flyte-prod', 'release-name': 'flyte-prod' };
    const custom = policiesOf(objectsFor(inputs, 'flytesnacks', 'development'));
    expect(canConnect(custom, task(), flyteBinary('flyte-prod', 'flyte-prod'), 8089)).toBe(false);
    // A flyte-binary in the default namespace is no longer the protected one.
    expect(canConnect(custom, task(), flyteBinary(), 8089)).toBe(true);
  });
});

describe('tasks-reach-flyte-api: true', () => {
  const policies = policiesOf(
    objectsFor({ 'tasks-reach-flyte-api': 'true' }, 'flytesnacks', 'development')
  );

  it('opens the HTTP and gRPC API ports to task pods, nothing else of flyte-binary', () => {
    expect(canConnect(policies, task(), flyteBinary(), 8088)).toBe(true);
    expect(canConnect(policies, task(), flyteBinary(), 8089)).toBe(true);
    expect(canConnect(policies, task(), flyteBinary(), 9443)).toBe(false);
    expect(canConnect(policies, task(), flyteBinary(), 8443)).toBe(false);
  });

  it('is announced as an unsafe choice', async () => {
    const { unsafeChoiceWarnings } = await import('../src/inputs.js');
    expect(unsafeChoiceWarnings(flyteInputs({ 'tasks-reach-flyte-api': 'true' })).join()).toMatch(
      /tasks-reach-flyte-api: true/
    );
    expect(unsafeChoiceWarnings(flyteInputs())).toEqual([]);
  });
});
