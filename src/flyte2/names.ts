/**
 * Ports, paths and object names of a Flyte 2 deployment (flyte-binary v2.x), checked against the
 * v2.0.42 chart: templates/deployment.yaml (container port `http` 8090, probes GET /healthz),
 * templates/service/http.yaml (Service RELEASE-flyte-binary-http, port `http` 8090),
 * templates/console/*.yaml (console container port 8080, probes GET /v2, selector labels) and
 * flytestdlib/app/app.go (the manager's mux serves /healthz and /readyz on the same port).
 */
import type { Inputs } from '../inputs.js';
import { TASK_NAMESPACE_SUFFIX } from '../inputs.js';
import { chartFullName } from '../values/names.js';

/** The manager's one port: ConnectRPC, gRPC and gRPC-Web over HTTP/1.1 and h2c. */
export const FLYTE2_HTTP_PORT = 8090;
/** Name of that port on the chart's HTTP Service (annotations refer to it by name). */
export const FLYTE2_HTTP_PORT_NAME = 'http';
/** 200 only when the manager's ready checks pass (app.go); /healthz always answers 200. */
export const FLYTE2_HEALTH_PATH = '/readyz';
/** The console SPA: its container port, its path (console.basePath) and what it answers 200 on. */
export const CONSOLE_PORT = 8080;
export const CONSOLE_BASE_PATH = '/v2';

export interface Flyte2Names {
  readonly httpService: string;
  /** The chart's console Deployment's pod labels (flyte-binary.console.selectorLabels). */
  readonly consoleSelector: Readonly<Record<string, string>>;
  /** The flyte-gke chart's Service in front of the console pods (it carries the GKE annotations). */
  readonly consoleService: string;
  readonly consoleBackendConfig: string;
  /** Where task pods run (flyte-core-components.actions.kubernetes.namespace). */
  readonly taskNamespace: string;
  /** The manager's Kubernetes service account (flyte-binary.serviceAccountName: the full name). */
  readonly serviceAccount: string;
}

export function flyte2Names(inputs: Pick<Inputs, 'releaseName' | 'namespace'>): Flyte2Names {
  const fullName = chartFullName(inputs.releaseName);
  return {
    httpService: `${fullName}-http`,
    consoleSelector: {
      'app.kubernetes.io/name': 'flyte-binary',
      'app.kubernetes.io/instance': inputs.releaseName,
      'app.kubernetes.io/component': 'console'
    },
    consoleService: `${inputs.releaseName}-console-lb`,
    consoleBackendConfig: `${inputs.releaseName}-console-backend`,
    taskNamespace: `${inputs.namespace}${TASK_NAMESPACE_SUFFIX}`,
    serviceAccount: fullName
  };
}

/**
 * The headers Identity-Aware Proxy adds to every request it lets through, for the manager's
 * `runs.identityHeaders` (runs/config/config.go, read in runs/service/identity.go): the signed
 * JWT first (its payload has `sub` and `email`, the claims identityFromJWT reads), then the
 * plain headers. IAP documents all three at cloud.google.com/iap/docs/identity-howto.
 */
export const IAP_IDENTITY_HEADERS = {
  claimsJwtHeader: 'X-Goog-Iap-Jwt-Assertion',
  subjectHeader: 'X-Goog-Authenticated-User-Id',
  emailHeader: 'X-Goog-Authenticated-User-Email'
} as const;
