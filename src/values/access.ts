/**
 * How users reach Flyte after a deploy: the domain and console URL with ingress, the
 * port-forward address without, and the client commands for the job summary.
 */
import { stringify } from 'yaml';
import type { Inputs } from '../inputs.js';
import type { TerraformOutputs } from '../engine/state.js';
import { portForwardCommand } from '../tools/kubectl/args.js';
import { flyte2Access } from '../flyte2/client-config.js';
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT, flyteNames } from './names.js';
import {
  DESKTOP_CLIENT_ID,
  DESKTOP_SECRET_NAME,
  iapProxyCommand,
  type ClientConfigInputs,
  type FlyteAccess
} from './client-access.js';

export type { ClientConfigInputs, FlyteAccess };
export { DESKTOP_CLIENT_ID, DESKTOP_SECRET_NAME, iapProxyCommand };

/**
 * The flytekit/flytectl client configuration for the endpoint: gRPC at the domain over TLS (the
 * Google-managed certificate), with IAP the flytekitplugins-identity-aware-proxy command as the
 * proxyCommand; without ingress, the port-forward.
 */
export function clientConfigYaml(inputs: ClientConfigInputs, domain: string | undefined): string {
  if (!domain) {
    return stringify({ admin: { endpoint: `localhost:${FLYTE_GRPC_PORT}`, insecure: true } });
  }
  const admin: Record<string, unknown> = { endpoint: `dns:///${domain}`, insecure: false };
  if (inputs.iap) admin.proxyCommand = iapProxyCommand(inputs);
  return stringify({ admin });
}

/** The steps around the config, as Markdown. */
export function clientSteps(
  inputs: ClientConfigInputs & Pick<Inputs, 'namespace' | 'releaseName'>,
  domain: string | undefined,
  config: string
): string {
  const fence = (lang: string, text: string) => `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
  const run =
    'pyflyte --config flyte-config.yaml run --remote hello.py hello_world\nflytectl --config flyte-config.yaml get projects';
  if (!domain) {
    const names = flyteNames(inputs);
    return [
      `Without the Ingress, Flyte is reachable through a port-forward. Run \`${portForwardCommand(inputs.namespace, names.grpcService, FLYTE_GRPC_PORT)}\`, save this as \`flyte-config.yaml\`:`,
      fence('yaml', config),
      'then:',
      fence('shell', run)
    ].join('\n\n');
  }
  const steps = [
    `Save this as \`flyte-config.yaml\` (also the \`client-config\` output):`,
    fence('yaml', config)
  ];
  if (inputs.iap) {
    steps.push(
      'The API is behind Identity-Aware Proxy, so each client needs an ID token for it:',
      [
        '1. `pip install flytekitplugins-identity-aware-proxy` (it provides `flyte-iap`).',
        `2. Create an OAuth client of type **Desktop app** (APIs & Services → Credentials) in ${inputs.projectId}; put its ID in place of \`${DESKTOP_CLIENT_ID}\`.`,
        `3. Enable the Secret Manager API (\`gcloud services enable secretmanager.googleapis.com --project ${inputs.projectId}\`), store the Desktop client's secret there (\`gcloud secrets create ${DESKTOP_SECRET_NAME.toLowerCase().replace(/_/g, '-')} --project ${inputs.projectId} --data-file=-\`), put the secret's name in place of \`${DESKTOP_SECRET_NAME}\`, and grant users \`roles/secretmanager.secretAccessor\` on it.`,
        '4. Each user runs `gcloud auth application-default login` once: `flyte-iap` reads the secret with those credentials, then opens the browser for the IAP login.',
        `5. Users need \`roles/iap.httpsResourceAccessor\` on the backend service: the action grants it to \`iap-members\`.`,
        `6. A CI job has no browser: it runs as a service account in \`iap-members\`, with \`flyte-iap generate-service-account-id-token --webapp_client_id ${inputs.iapOauthClientId ?? 'IAP_OAUTH_CLIENT_ID'}\` as the proxyCommand.`
      ].join('\n')
    );
  }
  steps.push('Then run:', fence('shell', run));
  return steps.join('\n\n');
}

/** The domain the certificate is issued for: the `domain` input, else `IP.sslip.io`. */
export function ingressDomain(
  inputs: Pick<Inputs, 'domain'>,
  outputs: Pick<TerraformOutputs, 'staticIpAddress'> | undefined
): string | undefined {
  if (inputs.domain) return inputs.domain;
  const ip = outputs?.staticIpAddress;
  return ip ? `${ip}.sslip.io` : undefined;
}

export function flyteAccess(
  inputs: Pick<Inputs, 'domain' | 'ingress' | 'namespace' | 'releaseName'> &
    ClientConfigInputs &
    Partial<Pick<Inputs, 'flyteVersion' | 'flyteProjects'>>,
  outputs: Pick<TerraformOutputs, 'staticIpAddress'> | undefined
): FlyteAccess {
  if (inputs.flyteVersion === 2) {
    // The `flyte` SDK's config and the v2 console (src/flyte2/client-config.ts).
    return flyte2Access(
      { ...inputs, flyteProjects: inputs.flyteProjects ?? ['flytesnacks'] },
      inputs.ingress ? ingressDomain(inputs, outputs) : undefined,
      outputs?.staticIpAddress
    );
  }
  const names = flyteNames(inputs);
  const forwardHttp = portForwardCommand(inputs.namespace, names.httpService, FLYTE_HTTP_PORT);
  const forwardGrpc = portForwardCommand(inputs.namespace, names.grpcService, FLYTE_GRPC_PORT);
  const localNotes = [
    `Console without the Ingress: run \`${forwardHttp}\` and open http://localhost:${FLYTE_HTTP_PORT}/console`,
    `flytectl through port-forward: run \`${forwardGrpc}\`, then \`flytectl config init --host localhost:${FLYTE_GRPC_PORT} --insecure\``
  ];
  const domain = inputs.ingress ? ingressDomain(inputs, outputs) : undefined;
  const clientConfig = clientConfigYaml(inputs, domain);
  const steps = clientSteps(inputs, domain, clientConfig);
  if (!domain) {
    return {
      consoleUrl: `http://localhost:${FLYTE_HTTP_PORT}/console`,
      notes: localNotes,
      clientConfig,
      clientSteps: steps
    };
  }
  return {
    clientConfig,
    clientSteps: steps,
    domain,
    ...(outputs?.staticIpAddress ? { ingressIp: outputs.staticIpAddress } : {}),
    consoleUrl: `https://${domain}/console`,
    notes: [
      `Console: https://${domain}/console`,
      `pyflyte and flytectl: the client-config output (dns:///${domain}, TLS)`,
      ...localNotes
    ]
  };
}
