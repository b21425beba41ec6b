/**
 * How users reach Flyte 2: the `flyte` SDK's config file and the console URL. The file's keys are
 * the ones the SDK's loader reads (flyte-sdk src/flyte/config/_internal.py: `admin.endpoint`,
 * `admin.insecure`, `admin.proxyCommand` (a list), `task.project`, `task.domain`), and its
 * endpoint forms are those normalize_rpc_endpoint accepts (src/flyte/remote/_client/auth/
 * _session.py): `dns:///HOST` becomes https://HOST, `localhost:8090` with insecure http://.
 * The proxy command's output goes out as `proxy-authorization: Bearer TOKEN`, which IAP accepts.
 */
import { stringify } from 'yaml';
import type { Inputs } from '../inputs.js';
import {
  DESKTOP_CLIENT_ID,
  DESKTOP_SECRET_NAME,
  iapProxyCommand,
  type FlyteAccess
} from '../values/client-access.js';
import { portForwardCommand } from '../tools/kubectl/args.js';
import { chartFullName } from '../values/names.js';
import { CONSOLE_BASE_PATH, CONSOLE_PORT, FLYTE2_HTTP_PORT, flyte2Names } from './names.js';

export type Flyte2ClientInputs = Pick<
  Inputs,
  'iap' | 'iapOauthClientId' | 'projectId' | 'flyteProjects' | 'namespace' | 'releaseName'
>;

/** The console's own Service in the v2 chart (port 80 by default, console.service.port). */
const CONSOLE_SERVICE_PORT = 80;

/** The `flyte` SDK's config.yaml for the domain (TLS, IAP through flyte-iap) or a port-forward. */
export function flyte2ClientConfigYaml(
  inputs: Flyte2ClientInputs,
  domain: string | undefined
): string {
  const task = { project: inputs.flyteProjects[0] ?? 'flytesnacks', domain: 'development' };
  if (!domain) {
    return stringify({
      admin: { endpoint: `localhost:${FLYTE2_HTTP_PORT}`, insecure: true },
      task
    });
  }
  const admin: Record<string, unknown> = { endpoint: `dns:///${domain}`, insecure: false };
  if (inputs.iap) admin.proxyCommand = iapProxyCommand(inputs);
  return stringify({ admin, task });
}

function steps(inputs: Flyte2ClientInputs, domain: string | undefined, config: string): string {
  const fence = (lang: string, text: string) => `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
  const run = [
    'pip install flyte',
    'flyte --config flyte-config.yaml run hello.py main',
    'flyte --config flyte-config.yaml get run'
  ].join('\n');
  const http = `${chartFullName(inputs.releaseName)}-http`;
  if (!domain) {
    return [
      `Without the Ingress, Flyte 2 is reachable through a port-forward. Run \`${portForwardCommand(inputs.namespace, http, FLYTE2_HTTP_PORT)}\`, save this as \`flyte-config.yaml\`:`,
      fence('yaml', config),
      'then:',
      fence('shell', run)
    ].join('\n\n');
  }
  const out = [
    'Save this as `flyte-config.yaml` for the `flyte` SDK (also the `client-config` output):',
    fence('yaml', config)
  ];
  if (inputs.iap) {
    out.push(
      'The API is behind Identity-Aware Proxy: the SDK runs the `proxyCommand` for an ID token and sends it as `Proxy-Authorization`.',
      [
        '1. `pip install flytekitplugins-identity-aware-proxy` (it provides `flyte-iap`; it brings flytekit along, which the `flyte` SDK does not need otherwise).',
        `2. Create an OAuth client of type **Desktop app** in ${inputs.projectId}; put its ID in place of \`${DESKTOP_CLIENT_ID}\`.`,
        `3. Store the Desktop client's secret in Secret Manager and put the secret's name in place of \`${DESKTOP_SECRET_NAME}\`; users need \`roles/secretmanager.secretAccessor\` on it and run \`gcloud auth application-default login\` once.`,
        '4. Users need `roles/iap.httpsResourceAccessor`: the action grants it to `iap-members`.'
      ].join('\n')
    );
  }
  out.push('Then run:', fence('shell', run));
  return out.join('\n\n');
}

export function flyte2Access(
  inputs: Flyte2ClientInputs,
  domain: string | undefined,
  ingressIp: string | undefined
): FlyteAccess {
  const names = flyte2Names(inputs);
  const consoleService = `${chartFullName(inputs.releaseName)}-console`;
  const forwardApi = portForwardCommand(inputs.namespace, names.httpService, FLYTE2_HTTP_PORT);
  const forwardConsole = `kubectl port-forward --namespace ${inputs.namespace} svc/${consoleService} ${CONSOLE_PORT}:${CONSOLE_SERVICE_PORT}`;
  const localNotes = [
    `Console without the Ingress: run \`${forwardConsole}\` and \`${forwardApi}\`, open http://localhost:${CONSOLE_PORT}${CONSOLE_BASE_PATH}`,
    `flyte SDK through port-forward: run \`${forwardApi}\`, endpoint localhost:${FLYTE2_HTTP_PORT} with insecure: true`
  ];
  const clientConfig = flyte2ClientConfigYaml(inputs, domain);
  const clientSteps = steps(inputs, domain, clientConfig);
  if (!domain) {
    return {
      consoleUrl: `http://localhost:${CONSOLE_PORT}${CONSOLE_BASE_PATH}`,
      notes: localNotes,
      clientConfig,
      clientSteps
    };
  }
  return {
    domain,
    ...(ingressIp ? { ingressIp } : {}),
    consoleUrl: `https://${domain}${CONSOLE_BASE_PATH}`,
    notes: [
      `Console: https://${domain}${CONSOLE_BASE_PATH}`,
      `flyte SDK: the client-config output (dns:///${domain}, TLS)`,
      ...localNotes
    ],
    clientConfig,
    clientSteps
  };
}
