/**
 * Patches the Flyte 2 values template (helm/flyte2-values.yaml) from the Terraform outputs and
 * inputs: the v2 counterpart of values/patch.ts. Pure: text in, Document out. Every path written
 * here is a key of the flyte-binary v2.0.42 chart's values.yaml, or a field of the manager's runs
 * configuration that the chart copies into its ConfigMap verbatim (test/flyte2-chart.test.ts).
 */
import type { Document } from 'yaml';
import type { Inputs } from '../inputs.js';
import type { TerraformOutputs } from '../engine/state.js';
import { mergeValues, setValue, type ValuePath } from '../values/document.js';
import { flyteNames } from '../values/names.js';
import {
  parseValues,
  passwordReference,
  stackdriverTemplateUri,
  WORKLOAD_IDENTITY_ANNOTATION
} from '../values/patch.js';
import {
  FLYTE2_HTTP_PORT_NAME,
  flyte2Names,
  IAP_IDENTITY_HEADERS,
  type Flyte2Names
} from './names.js';

export type Flyte2PatchInputs = Pick<
  Inputs,
  'releaseName' | 'namespace' | 'flyteProjects' | 'ingress' | 'iap' | 'domain'
>;

/** Every value path the v2 patcher writes. */
export const FLYTE2_PATHS = {
  serviceAccountEmail: ['serviceAccount', 'annotations', WORKLOAD_IDENTITY_ANNOTATION],
  dbHost: ['configuration', 'database', 'postgres', 'host'],
  dbName: ['configuration', 'database', 'postgres', 'dbname'],
  dbUsername: ['configuration', 'database', 'postgres', 'username'],
  dbPassword: ['configuration', 'database', 'postgres', 'password'],
  storageProvider: ['configuration', 'storage', 'provider'],
  metadataContainer: ['configuration', 'storage', 'metadataContainer'],
  gcsProject: ['configuration', 'storage', 'providerConfig', 'gcs', 'project'],
  stackdriverEnabled: ['configuration', 'logging', 'plugins', 'stackdriver', 'enabled'],
  stackdriverTemplate: ['configuration', 'logging', 'plugins', 'stackdriver', 'templateUri'],
  storagePrefix: ['flyte-core-components', 'runs', 'storagePrefix'],
  seedProjects: ['flyte-core-components', 'runs', 'seedProjects'],
  trustIdentityHeaders: ['flyte-core-components', 'runs', 'trustForwardedIdentityHeaders'],
  identityHeaders: ['flyte-core-components', 'runs', 'identityHeaders'],
  taskNamespace: ['flyte-core-components', 'actions', 'kubernetes', 'namespace'],
  ingressCreate: ['ingress', 'create'],
  serviceHttpAnnotations: ['service', 'httpAnnotations'],
  consoleEnv: ['console', 'env']
} as const satisfies Record<string, ValuePath>;

/**
 * The manager's HTTP port behind Google's load balancer: reached through network endpoint groups,
 * spoken to in plain HTTP/1.1 (the manager serves ConnectRPC over HTTP/1.1, which is what the
 * `flyte` SDK speaks: docs/flyte2.md), health-checked as the BackendConfig says.
 */
export function flyte2ServiceAnnotations(backendConfig: string): Record<string, string> {
  return {
    'cloud.google.com/app-protocols': JSON.stringify({ [FLYTE2_HTTP_PORT_NAME]: 'HTTP' }),
    'cloud.google.com/backend-config': JSON.stringify({
      ports: { [FLYTE2_HTTP_PORT_NAME]: backendConfig }
    }),
    'cloud.google.com/neg': JSON.stringify({ ingress: true })
  };
}

export function patchFlyte2Values(
  template: string,
  inputs: Flyte2PatchInputs,
  outputs: TerraformOutputs,
  templateName = 'values template'
): Document {
  const doc = parseValues(template, templateName);
  if (doc.contents === null) doc.contents = doc.createNode({});
  const set = (path: ValuePath, value: unknown) => setValue(doc, path, value);
  const p = FLYTE2_PATHS;
  const names: Flyte2Names = flyte2Names(inputs);

  set(p.serviceAccountEmail, outputs.serviceAccount);

  set(p.dbHost, outputs.cloudsqlIp);
  set(p.dbName, outputs.cloudsqlDatabase);
  set(p.dbUsername, outputs.cloudsqlUser);
  // As for v1: the secret's version stands for the password in digest and preview.
  set(p.dbPassword, passwordReference(outputs));

  set(p.storageProvider, 'gcs');
  set(p.metadataContainer, outputs.bucketName);
  set(p.gcsProject, outputs.projectId);
  set(p.storagePrefix, `gs://${outputs.bucketName}`);
  set(p.stackdriverEnabled, true);
  set(p.stackdriverTemplate, stackdriverTemplateUri(outputs.projectId));

  set(p.seedProjects, [...inputs.flyteProjects]);
  set(p.taskNamespace, names.taskNamespace);

  // Forwarded identity only behind IAP: without it anyone could send these headers and be
  // recorded as someone else.
  set(p.trustIdentityHeaders, inputs.iap);
  set(
    p.identityHeaders,
    inputs.iap
      ? { ...IAP_IDENTITY_HEADERS }
      : { claimsJwtHeader: '', subjectHeader: '', emailHeader: '' }
  );

  set(p.ingressCreate, false);
  if (inputs.ingress) {
    mergeValues(
      doc,
      flyte2ServiceAnnotations(flyteNames(inputs).backendConfig),
      p.serviceHttpAnnotations
    );
  }
  if (inputs.ingress && inputs.iap) {
    // The console's Sign out: IAP's own sign-out path, and no AWS ALB cookies to clear
    // (the chart's values.yaml, console.env).
    set(p.consoleEnv, [
      { name: 'OIDC_LOGOUT_URL', value: '/?gcp-iap-mode=CLEAR_LOGIN_COOKIE' },
      { name: 'LOGOUT_CLEAR_COOKIES', value: '' }
    ]);
  }
  return doc;
}
