import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { leafPaths, type ValuePath } from '../src/values/document.js';
import { composeValues } from '../src/values/compose.js';
import { DIGEST_ANNOTATION, recordedDigest, valuesDigest } from '../src/values/digest.js';
import { gkeChartPath } from '../src/values/gke-chart.js';
import { PATCHED_PATHS, patchValues, mergeExtraValues } from '../src/values/patch.js';
import { readProxyConfigSource } from '../src/values/proxy-config.js';
import {
  flyteInputs,
  tfOutputs,
  CANARY_PASSWORD,
  PASSWORD_SECRET
} from './support/flyte-fixtures.js';
import { PROJECT_ROOT } from './support/project.js';

const TEMPLATE_FILE = path.join(PROJECT_ROOT, 'helm', 'flyte-values.yaml');
const TEMPLATE = readFileSync(TEMPLATE_FILE, 'utf8');
const PROXY_CONFIG = readProxyConfigSource(gkeChartPath({ actionRoot: PROJECT_ROOT }));
const CHART_DEFAULTS = path.resolve(
  PROJECT_ROOT,
  '..',
  'shared',
  'reference',
  'flyte-binary-v1.16.8',
  'values.yaml'
);
const EMAIL = tfOutputs().serviceAccount;

/**
 * A path exists in the chart's defaults when every key along it does, up to a map the chart
 * leaves empty (`annotations: {}`, `inline: {}`): below that, keys are free-form by design.
 */
function missingInDefaults(defaults: unknown, valuePath: ValuePath): string | undefined {
  let node: unknown = defaults;
  for (const [index, key] of valuePath.entries()) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const map = node as Record<string, unknown>;
    if (Object.keys(map).length === 0) return undefined;
    if (!(String(key) in map)) return valuePath.slice(0, index + 1).join('.');
    node = map[String(key)];
  }
  return undefined;
}

const sharedPresent = existsSync(CHART_DEFAULTS);
if (!sharedPresent) {
  console.warn(
    `SKIPPED chart-defaults checks: ${CHART_DEFAULTS} is absent (../shared is not checked out next to the project).`
  );
}
const describeWithChartDefaults = sharedPresent ? describe : describe.skip;

describeWithChartDefaults('key paths against flyte-binary v1.16.8 defaults', () => {
  const defaults = sharedPresent ? (parse(readFileSync(CHART_DEFAULTS, 'utf8')) as unknown) : {};

  it('every path the patcher writes exists in the chart defaults', () => {
    const paths: ValuePath[] = [
      ...Object.values(PATCHED_PATHS),
      ['deployment', 'annotations', DIGEST_ANNOTATION]
    ];
    expect(paths.map((p) => missingInDefaults(defaults, p)).filter(Boolean)).toEqual([]);
  });

  it('every key of the shipped template exists in the chart defaults', () => {
    const paths = leafPaths(parse(TEMPLATE));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.map((p) => missingInDefaults(defaults, p)).filter(Boolean)).toEqual([]);
  });

  it('the check itself catches a misspelled key', () => {
    expect(missingInDefaults(defaults, ['configuration', 'databse', 'host'])).toBe(
      'configuration.databse'
    );
  });
});

describe('patchValues', () => {
  const patched = (overrides: Record<string, string> = {}) =>
    patchValues(TEMPLATE, flyteInputs(overrides), tfOutputs()).toJS() as Record<string, any>;

  it('annotates task namespaces with the tasks account, flyte-binary with its own', () => {
    const tasks = 'tasks-flyte@acme-flyte.iam.gserviceaccount.com';
    const values = patchValues(
      TEMPLATE,
      flyteInputs(),
      tfOutputs({ tasksServiceAccount: tasks })
    ).toJS() as Record<string, any>;
    expect(values.serviceAccount.annotations['iam.gke.io/gcp-service-account']).toBe(EMAIL);
    for (const entry of values.configuration.inline.cluster_resources.customData) {
      expect(Object.values(entry)).toEqual([[{ defaultIamServiceAccount: { value: tasks } }]]);
    }
    // Flyte connects to Cloud SQL over TLS only.
    expect(values.configuration.database.options).toBe('sslmode=require');
  });

  it("annotates each domain's namespaces with that domain's own account", () => {
    const accounts = {
      production: 'tprod@acme-flyte.iam.gserviceaccount.com',
      staging: 'tstag@acme-flyte.iam.gserviceaccount.com',
      development: 'tdev@acme-flyte.iam.gserviceaccount.com'
    };
    // The deprecated one-account output is still there (an older state): the map wins.
    const values = patchValues(
      TEMPLATE,
      flyteInputs(),
      tfOutputs({ taskServiceAccounts: accounts, tasksServiceAccount: 'shared@x.iam' })
    ).toJS() as Record<string, any>;
    const customData = values.configuration.inline.cluster_resources.customData as Record<
      string,
      unknown
    >[];
    expect(customData).toEqual(
      Object.entries(accounts).map(([domain, value]) => ({
        [domain]: [{ defaultIamServiceAccount: { value } }]
      }))
    );
  });

  it('refuses a per-domain output that leaves a domain out, naming it', () => {
    expect(() =>
      patchValues(
        TEMPLATE,
        flyteInputs(),
        tfOutputs({ taskServiceAccounts: { production: 'p@x.iam', staging: 's@x.iam' } })
      )
    ).toThrow(/task_service_accounts has no account for the Flyte domain development/);
  });

  it('without a tasks account (a custom module), tasks run as the flyte account', () => {
    const values = patched();
    expect(values.serviceAccount.annotations['iam.gke.io/gcp-service-account']).toBe(EMAIL);
    const customData = values.configuration.inline.cluster_resources.customData;
    expect(customData).toHaveLength(3);
    for (const domain of ['production', 'staging', 'development']) {
      const entry = customData.find((d: Record<string, unknown>) => domain in d);
      expect(entry[domain]).toEqual([{ defaultIamServiceAccount: { value: EMAIL } }]);
    }
  });

  it('writes database, bucket, project and the Cloud Logging link', () => {
    const { configuration } = patched();
    expect(configuration.database).toMatchObject({
      username: 'flytepg',
      // The secret's version stands for the password until the deployer fills it in.
      password: `secret-manager:${PASSWORD_SECRET}`,
      host: '10.59.0.3',
      dbname: 'flyte'
    });
    expect(configuration.storage).toMatchObject({
      metadataContainer: 'acme-flyte-data',
      userDataContainer: 'acme-flyte-data',
      provider: 'gcs',
      providerConfig: { gcs: { project: 'acme-flyte' } }
    });
    const link = configuration.logging.plugins.stackdriver.templateUri as string;
    expect(link).toContain('?project=acme-flyte');
    expect(link).toContain('{{.podName}}');
  });

  it('leaves the ingress off without the ingress input', () => {
    const values = patched();
    expect(values.ingress.create).toBe(false);
    expect(values.ingress.httpAnnotations).toEqual({});
    expect(values.service.httpAnnotations).toEqual({});
  });

  it('with ingress: no chart Ingress, a TLS proxy sidecar and its Service port for HTTP/2', () => {
    const values = patched({ ingress: 'true', 'allow-unauthenticated': 'true' });
    // The one public Ingress is the flyte-gke chart's; the chart's own (one was gce-internal) stay off.
    expect(values.ingress.create).toBe(false);
    expect(values.ingress.grpcAnnotations).toEqual({});
    const annotations = values.service.httpAnnotations;
    expect(JSON.parse(annotations['cloud.google.com/app-protocols'])).toEqual({ https: 'HTTP2' });
    expect(JSON.parse(annotations['cloud.google.com/backend-config'])).toEqual({
      ports: { https: 'flyte-backend-backend' }
    });
    expect(annotations['cloud.google.com/neg']).toBe('{"ingress":true}');
    expect(values.service.extraPorts).toEqual([
      { name: 'https', port: 8443, targetPort: 'https', protocol: 'TCP' }
    ]);
    const [proxy, ...others] = values.deployment.sidecars;
    expect(others).toEqual([]);
    expect(proxy.ports).toEqual([{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
    expect(proxy.readinessProbe.httpGet).toEqual({
      path: '/healthcheck',
      port: 'https',
      scheme: 'HTTPS'
    });
    const volumes = Object.fromEntries(
      values.deployment.extraVolumes.map((v: { name: string }) => [v.name, v])
    );
    for (const mount of proxy.volumeMounts) expect(volumes[mount.name]).toBeDefined();
    expect(values.deployment.extraVolumes).toEqual([
      { name: 'flyte-proxy-config', configMap: { name: 'flyte-backend-proxy' } },
      { name: 'flyte-proxy-tls', secret: { secretName: 'flyte-backend-proxy-tls' } }
    ]);
  });

  it('seeds the Flyte projects from the input', () => {
    const values = patched({ 'flyte-projects': 'flytesnacks, ml' });
    expect(values['flyte-core-components'].admin.seedProjects).toEqual(['flytesnacks', 'ml']);
  });

  it('keeps the template comments', () => {
    const text = patchValues(
      TEMPLATE,
      flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' }),
      tfOutputs()
    ).toString();
    for (const comment of [
      '# database Cloud SQL for PostgreSQL',
      '# password Stored by the chart in a Secret that the pod mounts; never printed by the action.',
      '# host Private IP of the Cloud SQL instance.',
      '# annotations Workload identity: the pod acts as the Google service account. Set by the action.',
      '# plugins GPU scheduling on GKE'
    ]) {
      expect(text).toContain(comment);
    }
    // The template's quoting of the placeholder is kept.
    expect(text).toMatch(/host: (['"])10\.59\.0\.3\1/);
  });

  it('rejects a template that is not YAML, naming it', () => {
    expect(() => patchValues('a: [1,', flyteInputs(), tfOutputs(), 'my.yaml')).toThrow(/my.yaml/);
  });
});

describe('extra values files', () => {
  const compose = (extras: string[]) =>
    composeValues(
      {
        template: { name: 'flyte-values.yaml', text: TEMPLATE },
        extras: extras.map((text, i) => ({ name: `extra-${i}.yaml`, text })),
        proxyConfig: PROXY_CONFIG
      },
      flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' }),
      tfOutputs()
    ).doc.toJS() as Record<string, any>;

  it('merge last: maps key by key, lists replace, later files win', () => {
    const values = compose([
      'configuration:\n  database:\n    host: 10.0.0.99\n  inline:\n    tasks:\n      task-plugins:\n        enabled-plugins: [container]\ningress:\n  httpAnnotations:\n    example.com/extra: "1"\n',
      'configuration:\n  database:\n    host: 10.0.0.100\n'
    ]);
    expect(values.configuration.database.host).toBe('10.0.0.100');
    expect(values.configuration.database.username).toBe('flytepg');
    expect(values.configuration.inline.tasks['task-plugins']['enabled-plugins']).toEqual([
      'container'
    ]);
    expect(
      values.configuration.inline.tasks['task-plugins']['default-for-task-types']
    ).toBeDefined();
    expect(values.ingress.httpAnnotations['example.com/extra']).toBe('1');
    // The action's own annotations stay beside the user's.
    expect(values.service.httpAnnotations['cloud.google.com/neg']).toBe('{"ingress":true}');
  });

  it('keeps a null, so Helm drops that chart default', () => {
    const values = compose(['rbac:\n  extraRules: null\n']);
    expect(values.rbac.extraRules).toBeNull();
  });

  it('keeps comments of the template when merging', () => {
    const doc = patchValues(TEMPLATE, flyteInputs(), tfOutputs());
    mergeExtraValues(doc, [
      { name: 'x.yaml', text: 'configuration:\n  database:\n    dbname: other\n' }
    ]);
    expect(doc.toString()).toContain('# dbname Database created by Terraform.');
    expect(doc.getIn(['configuration', 'database', 'dbname'])).toBe('other');
  });
});

describe('digest and preview', () => {
  const sources = {
    template: { name: 't', text: TEMPLATE },
    extras: [],
    proxyConfig: PROXY_CONFIG
  };
  const inputs = flyteInputs();

  it('hides the password in the preview and puts it in the file text, where the chart reads it', () => {
    const composed = composeValues(sources, inputs, tfOutputs(), CANARY_PASSWORD);
    expect(composed.preview).not.toContain(CANARY_PASSWORD);
    expect(composed.preview).toMatch(/password: (['"])\*\*\*\1/);
    const values = parse(composed.text) as { configuration: { database: { password: string } } };
    expect(values.configuration.database.password).toBe(CANARY_PASSWORD);
  });

  it('computes the same digest without the password (a plan) as with it (the deploy)', () => {
    const planned = composeValues(sources, inputs, tfOutputs());
    const deployed = composeValues(sources, inputs, tfOutputs(), CANARY_PASSWORD);
    expect(planned.digest).toBe(deployed.digest);
    expect(planned.text).not.toContain(CANARY_PASSWORD);
    expect(recordedDigest(parse(deployed.text))).toBe(planned.digest);
  });

  it('keeps a password an extra values file sets', () => {
    const extras = [
      { name: 'x.yaml', text: 'configuration:\n  database:\n    password: own-pass\n' }
    ];
    const composed = composeValues({ ...sources, extras }, inputs, tfOutputs(), CANARY_PASSWORD);
    expect(composed.text).toContain('own-pass');
    expect(composed.text).not.toContain(CANARY_PASSWORD);
  });

  it('records the digest in the values and reads it back from helm get values JSON', () => {
    const composed = composeValues(sources, inputs, tfOutputs());
    const asHelmPrints = JSON.parse(JSON.stringify(composed.doc.toJS()));
    expect(recordedDigest(asHelmPrints)).toBe(composed.digest);
    expect(valuesDigest(asHelmPrints, inputs.chartVersion)).toBe(composed.digest);
  });

  it('changes with the chart version, the password version and the values, not with key order', () => {
    const base = composeValues(sources, inputs, tfOutputs()).digest;
    expect(
      composeValues(sources, flyteInputs({ 'chart-version': 'v1.16.9' }), tfOutputs()).digest
    ).not.toBe(base);
    expect(
      composeValues(
        sources,
        inputs,
        tfOutputs({ cloudsqlPasswordSecret: PASSWORD_SECRET.replace(/1$/, '2') })
      ).digest
    ).not.toBe(base);
    expect(valuesDigest({ a: 1, b: { c: 2, d: 3 } }, 'v1')).toBe(
      valuesDigest({ b: { d: 3, c: 2 }, a: 1 }, 'v1')
    );
  });
});
