/** The values of the action's own flyte-gke chart (helm/flyte-gke), for Flyte 1 and Flyte 2. */

export interface GkeChartValues {
  readonly ingress: {
    readonly enabled: boolean;
    readonly domain: string;
    readonly staticIpName: string;
    readonly serviceName: string;
  };
  readonly names: {
    readonly managedCertificate: string;
    readonly backendConfig: string;
    readonly frontendConfig: string;
    readonly ingress: string;
    readonly proxyConfig: string;
  };
  readonly healthCheck: {
    readonly port: number;
    readonly type?: string;
    readonly requestPath?: string;
  };
  readonly proxy: { readonly listenPort: number; readonly tlsSecretName: string };
  readonly iap: { readonly enabled: boolean; readonly secretName: string };
  /** Flyte 2 only (absent for Flyte 1, so a v1 release's values stay as they were). */
  readonly flyte2?: Flyte2GkeValues;
}

/** What a Flyte 2 release adds: its API and console behind the same Ingress. */
export interface Flyte2GkeValues {
  readonly enabled: boolean;
  readonly apiPort: number;
  readonly apiTimeoutSec: number;
  readonly console: {
    readonly release: string;
    readonly serviceName: string;
    readonly backendConfig: string;
    readonly port: number;
    readonly basePath: string;
  };
}
