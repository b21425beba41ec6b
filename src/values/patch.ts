/**
 * Patches the values template from Terraform outputs and inputs. Pure: text in, Document out.
 * Every path written here is a key of the flyte-binary v1 chart's defaults (checked by a test).
 */
import { parseDocument, type Document } from 'yaml';
import type { Inputs } from '../inputs.js';
import type { TerraformOutputs } from '../engine/state.js';
import { mergeValues, setValue, type ValuePath } from './document.js';
import { TASKS_POLICY_TEMPLATE, tasksNetworkPolicyTemplate } from './task-network-policy.js';
import { FLYTE_DOMAINS, flyteNames, PROXY_IMAGE, PROXY_PORT, PROXY_PORT_NAME } from './names.js';

export type PatchInputs = Pick<
  Inputs,
  | 'releaseName'
  | 'flyteProjects'
  | 'ingress'
  | 'iap'
  | 'staticIpName'
  | 'namespace'
  | 'tasksReachFlyteApi'
>;

/** A values file the user listed in `extra-values-files`, merged after patching. */
export interface ExtraValues {
  readonly name: string;
  readonly text: string;
}

export const WORKLOAD_IDENTITY_ANNOTATION = 'iam.gke.io/gcp-service-account';

/** Every value path the patcher writes (a test checks each against the chart's defaults). */
export const PATCHED_PATHS = {
  serviceAccountEmail: ['serviceAccount', 'annotations', WORKLOAD_IDENTITY_ANNOTATION],
  customData: ['configuration', 'inline', 'cluster_resources', 'customData'],
  dbUsername: ['configuration', 'database', 'username'],
  dbPassword: ['configuration', 'database', 'password'],
  dbHost: ['configuration', 'database', 'host'],
  dbName: ['configuration', 'database', 'dbname'],
  metadataContainer: ['configuration', 'storage', 'metadataContainer'],
  userDataContainer: ['configuration', 'storage', 'userDataContainer'],
  storageProvider: ['configuration', 'storage', 'provider'],
  gcsProject: ['configuration', 'storage', 'providerConfig', 'gcs', 'project'],
  stackdriverEnabled: ['configuration', 'logging', 'plugins', 'stackdriver', 'enabled'],
  stackdriverTemplate: ['configuration', 'logging', 'plugins', 'stackdriver', 'templateUri'],
  seedProjects: ['flyte-core-components', 'admin', 'seedProjects'],
  seedProjectsWithDetails: ['flyte-core-components', 'admin', 'seedProjectsWithDetails'],
  ingressCreate: ['ingress', 'create'],
  serviceHttpAnnotations: ['service', 'httpAnnotations'],
  serviceExtraPorts: ['service', 'extraPorts'],
  sidecars: ['deployment', 'sidecars'],
  podAnnotations: ['deployment', 'podAnnotations'],
  extraVolumes: ['deployment', 'extraVolumes'],
  tasksNetworkPolicy: ['clusterResourceTemplates', 'inline', TASKS_POLICY_TEMPLATE]
} as const satisfies Record<string, ValuePath>;

/**
 * Stands for the password in the values every run computes (digest, preview, diff): it names the
 * Secret Manager version, so a rotated password (a new version) still changes the digest.
 */
export function passwordReference(
  outputs: Pick<TerraformOutputs, 'cloudsqlPasswordSecret'>
): string {
  return `secret-manager:${outputs.cloudsqlPasswordSecret}`;
}

export class ValuesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValuesError';
  }
}

/** Parses YAML into a Document; a syntax error names the file and line. */
export function parseValues(text: string, name: string): Document {
  const doc = parseDocument(text, { prettyErrors: true });
  const error = doc.errors[0];
  if (error) throw new ValuesError(`${name} is not valid YAML: ${error.message}`);
  const root = doc.toJS() as unknown;
  if (root !== null && root !== undefined && (typeof root !== 'object' || Array.isArray(root))) {
    throw new ValuesError(`${name} must be a map of Helm values at its top level.`);
  }
  return doc;
}

/** Cloud Logging link for a task pod; {{.x}} are filled in by Flyte, not by Helm. */
export function stackdriverTemplateUri(projectId: string): string {
  const line = (label: string, field: string) => `resource.labels.${label}%3D%22{{.${field}}}%22`;
  const query = [
    line('namespace_name', 'namespace'),
    line('pod_name', 'podName'),
    line('container_name', 'containerName')
  ].join('%0A');
  return `https://console.cloud.google.com/logs/query;query=${query}?project=${encodeURIComponent(projectId)}`;
}

/**
 * The Google account a domain's task pods run as: its own (task_service_accounts), else the one
 * account of a custom module or an older state (tasks_service_account), else Flyte's.
 */
export function taskAccount(outputs: TerraformOutputs, domain: string): string {
  const perDomain = outputs.taskServiceAccounts;
  if (perDomain) {
    const account = perDomain[domain];
    if (!account) {
      throw new ValuesError(
        `Terraform output task_service_accounts has no account for the Flyte domain ${domain}; the module must give one for each of ${FLYTE_DOMAINS.join(', ')}.`
      );
    }
    return account;
  }
  return outputs.tasksServiceAccount ?? outputs.serviceAccount;
}

export function patchValues(
  template: string,
  inputs: PatchInputs,
  outputs: TerraformOutputs,
  templateName = 'values template'
): Document {
  const doc = parseValues(template, templateName);
  if (doc.contents === null) doc.contents = doc.createNode({});
  const set = (path: ValuePath, value: unknown) => setValue(doc, path, value);
  const p = PATCHED_PATHS;
  const names = flyteNames(inputs);

  // Workload identity: the flyte-binary pod as its account, the `default` KSA of every
  // project-domain namespace (task pods) as its domain's account, which writes only that domain.
  set(p.serviceAccountEmail, outputs.serviceAccount);
  set(
    p.customData,
    FLYTE_DOMAINS.map((domain) => ({
      [domain]: [{ defaultIamServiceAccount: { value: taskAccount(outputs, domain) } }]
    }))
  );

  // Task pods (user code) cannot reach flyte-binary's unauthenticated ports unless asked for.
  set(
    p.tasksNetworkPolicy,
    tasksNetworkPolicyTemplate({
      flyteNamespace: inputs.namespace,
      release: inputs.releaseName,
      podsCidr: outputs.podsCidr,
      allowFlyteApi: inputs.tasksReachFlyteApi
    })
  );

  set(p.dbUsername, outputs.cloudsqlUser);
  // The secret's version, not the password: the planner never has the password, and both it and
  // the deployer must compute the same digest. composeValues puts the password in the file.
  set(p.dbPassword, passwordReference(outputs));
  set(p.dbHost, outputs.cloudsqlIp);
  set(p.dbName, outputs.cloudsqlDatabase);

  set(p.storageProvider, 'gcs');
  set(p.metadataContainer, outputs.bucketName);
  set(p.userDataContainer, outputs.bucketName);
  set(p.gcsProject, outputs.projectId);
  set(p.stackdriverEnabled, true);
  set(p.stackdriverTemplate, stackdriverTemplateUri(outputs.projectId));

  set(p.seedProjects, [...inputs.flyteProjects]);
  set(
    p.seedProjectsWithDetails,
    inputs.flyteProjects.map((name) => ({ name, description: `Flyte project ${name}.` }))
  );

  // The chart's own Ingresses stay off: the one public Ingress is the flyte-gke chart's, in front
  // of the TLS proxy this adds to the pod (docs/remote-access.md).
  set(p.ingressCreate, false);
  if (inputs.ingress) {
    // Maps are merged so annotations a user keeps in the template stay.
    mergeValues(doc, proxyServiceAnnotations(names), p.serviceHttpAnnotations);
    set(p.serviceExtraPorts, [
      { name: PROXY_PORT_NAME, port: PROXY_PORT, targetPort: PROXY_PORT_NAME, protocol: 'TCP' }
    ]);
    set(p.sidecars, [proxySidecar()]);
    set(p.extraVolumes, [
      { name: PROXY_CONFIG_VOLUME, configMap: { name: names.proxyConfig } },
      { name: PROXY_TLS_VOLUME, secret: { secretName: names.proxyTlsSecret } }
    ]);
  }
  return doc;
}

const PROXY_CONFIG_VOLUME = 'flyte-proxy-config';
const PROXY_TLS_VOLUME = 'flyte-proxy-tls';

/**
 * The Service port the load balancer uses speaks HTTP/2 (over TLS: Google's load balancer speaks
 * HTTP/2 to a backend only over TLS), is reached through network endpoint groups, and is
 * health-checked as the BackendConfig says.
 */
export function proxyServiceAnnotations(
  names: ReturnType<typeof flyteNames>
): Record<string, string> {
  return {
    'cloud.google.com/app-protocols': JSON.stringify({ [PROXY_PORT_NAME]: 'HTTP2' }),
    'cloud.google.com/backend-config': JSON.stringify({
      ports: { [PROXY_PORT_NAME]: names.backendConfig }
    }),
    'cloud.google.com/neg': JSON.stringify({ ingress: true })
  };
}

/** nginx beside flyte-binary: TLS and HTTP/2 on the proxy port (config from the flyte-gke chart). */
export function proxySidecar(): Record<string, unknown> {
  return {
    name: 'tls-proxy',
    image: PROXY_IMAGE,
    ports: [{ name: PROXY_PORT_NAME, containerPort: PROXY_PORT, protocol: 'TCP' }],
    volumeMounts: [
      {
        name: PROXY_CONFIG_VOLUME,
        mountPath: '/etc/nginx/nginx.conf',
        subPath: 'nginx.conf',
        readOnly: true
      },
      { name: PROXY_TLS_VOLUME, mountPath: '/etc/flyte-proxy/tls', readOnly: true }
    ],
    readinessProbe: {
      httpGet: { path: '/healthcheck', port: PROXY_PORT_NAME, scheme: 'HTTPS' },
      periodSeconds: 10
    },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] }
    }
  };
}

/** Merges the user's extra values files, in order, after patching (they win). */
export function mergeExtraValues(doc: Document, extras: readonly ExtraValues[]): void {
  for (const extra of extras) {
    const parsed = parseValues(extra.text, extra.name).toJS() as unknown;
    if (parsed !== null && parsed !== undefined) mergeValues(doc, parsed);
  }
}
