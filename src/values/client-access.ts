/**
 * What Flyte 1 and Flyte 2 share about reaching a deployment: the shape of the access the
 * summary shows, and the IAP proxy command both SDKs' clients run (so values/access.ts and
 * flyte2/client-config.ts need not import each other).
 */
import type { Inputs } from '../inputs.js';

export interface FlyteAccess {
  /** Set only with ingress. */
  readonly domain?: string;
  readonly ingressIp?: string;
  readonly consoleUrl: string;
  /** Lines for the job summary: port-forward and flytectl commands. */
  readonly notes: readonly string[];
  /** A ready `config.yaml` for pyflyte and flytectl (`client-config` output). */
  readonly clientConfig: string;
  /** Markdown: how to use it from a laptop (the summary's section, the README's too). */
  readonly clientSteps: string;
}

export type ClientConfigInputs = Pick<Inputs, 'iap' | 'iapOauthClientId' | 'projectId'>;

/** Placeholders the user fills in: the Desktop OAuth client is theirs, not the action's. */
export const DESKTOP_CLIENT_ID = 'DESKTOP_CLIENT_ID';
export const DESKTOP_SECRET_NAME = 'DESKTOP_CLIENT_SECRET_NAME';

/**
 * The `proxyCommand` both SDKs' clients run behind IAP: flytekitplugins-identity-aware-proxy's
 * `flyte-iap` mints a user ID token for the IAP OAuth client.
 */
export function iapProxyCommand(inputs: ClientConfigInputs): string[] {
  return [
    'flyte-iap',
    'generate-user-id-token',
    '--desktop_client_id',
    DESKTOP_CLIENT_ID,
    '--desktop_client_secret_gcp_secret_name',
    DESKTOP_SECRET_NAME,
    '--webapp_client_id',
    inputs.iapOauthClientId ?? 'IAP_OAUTH_CLIENT_ID',
    '--project',
    inputs.projectId
  ];
}
