/**
 * Names of the Kubernetes objects the action creates or refers to. One place, so the annotations
 * written into the flyte-binary values and the objects of the flyte-gke chart always agree.
 */
import type { Inputs } from '../inputs.js';

/** The flyte-binary chart's own name, which its `fullname` helper folds into the release name. */
const CHART_NAME = 'flyte-binary';

export interface FlyteNames {
  /** The flyte-binary release (`release-name` input). */
  readonly release: string;
  /** What the chart calls its objects, e.g. `flyte-backend-flyte-binary`. */
  readonly fullName: string;
  readonly httpService: string;
  readonly grpcService: string;
  /** Release of the action's own flyte-gke chart. */
  readonly gkeRelease: string;
  readonly managedCertificate: string;
  readonly backendConfig: string;
  readonly frontendConfig: string;
  /** Kubernetes Secret holding the IAP OAuth client (keys client_id, client_secret). */
  readonly oauthSecret: string;
  /** The one public Ingress (flyte-gke chart). */
  readonly ingress: string;
  /** ConfigMap with the TLS proxy's nginx.conf (flyte-gke chart). */
  readonly proxyConfig: string;
  /** kubernetes.io/tls Secret of the TLS proxy, kept by the action. */
  readonly proxyTlsSecret: string;
  /** The Ingresses flyte-binary's own chart made before 2.0 of this action (removed on upgrade). */
  readonly legacyIngresses: readonly string[];
}

/** Mirrors the chart's `fullname` helper: a release name that contains the chart name is used as is. */
export function chartFullName(release: string): string {
  const name = release.includes(CHART_NAME) ? release : `${release}-${CHART_NAME}`;
  return name.slice(0, 63).replace(/-+$/, '');
}

export function flyteNames(inputs: Pick<Inputs, 'releaseName'>): FlyteNames {
  const release = inputs.releaseName;
  const fullName = chartFullName(release);
  return {
    release,
    fullName,
    httpService: `${fullName}-http`,
    grpcService: `${fullName}-grpc`,
    gkeRelease: `${release}-gke`,
    managedCertificate: `${release}-cert`,
    backendConfig: `${release}-backend`,
    frontendConfig: `${release}-frontend`,
    oauthSecret: `${release}-iap-oauth`,
    ingress: `${release}-ingress`,
    proxyConfig: `${release}-proxy`,
    proxyTlsSecret: `${release}-proxy-tls`,
    legacyIngresses: [`${fullName}-http`, `${fullName}-grpc`]
  };
}

/** Flyte's default domains; every project gets one namespace per domain. */
export const FLYTE_DOMAINS = ['production', 'staging', 'development'] as const;

/** The HTTP port flyte-binary serves the console, API and /healthcheck on. */
export const FLYTE_HTTP_PORT = 8088;
/** The gRPC port (flytectl, pyflyte). */
export const FLYTE_GRPC_PORT = 8089;
/** The TLS proxy's port (HTTP/2 and TLS), the only one the load balancer reaches. */
export const PROXY_PORT = 8443;
/** Name of that port on the flyte-binary HTTP Service (annotations refer to it by name). */
export const PROXY_PORT_NAME = 'https';
/** nginx for the TLS proxy: the unprivileged build (runs as uid 101, listens above 1024). */
// By digest: the tag is mutable, and this container holds the TLS key beside the Flyte identity.
// The digest of the 1.27-alpine image index, as pinned by several public Dockerfiles
// (`docker inspect --format '{{index .RepoDigests 0}}'`); refresh both together.
export const PROXY_IMAGE =
  'nginxinc/nginx-unprivileged:1.27-alpine@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0';
