/**
 * How users reach Flyte after a deploy: the domain and console URL with ingress, the
 * port-forward address without, and the client commands for the job summary.
 */
import type { Inputs } from '../inputs.js';
import type { TerraformOutputs } from '../engine/state.js';
import { portForwardCommand } from '../tools/kubectl/args.js';
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT, flyteNames } from './names.js';

export interface FlyteAccess {
  /** Set only with ingress. */
  readonly domain?: string;
  readonly ingressIp?: string;
  readonly consoleUrl: string;
  /** Lines for the job summary: port-forward and flytectl commands. */
  readonly notes: readonly string[];
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
  inputs: Pick<Inputs, 'domain' | 'ingress' | 'namespace' | 'releaseName'>,
  outputs: Pick<TerraformOutputs, 'staticIpAddress'> | undefined
): FlyteAccess {
  const names = flyteNames(inputs);
  const forwardHttp = portForwardCommand(inputs.namespace, names.httpService, FLYTE_HTTP_PORT);
  const forwardGrpc = portForwardCommand(inputs.namespace, names.grpcService, FLYTE_GRPC_PORT);
  const localNotes = [
    `Console without the Ingress: run \`${forwardHttp}\` and open http://localhost:${FLYTE_HTTP_PORT}/console`,
    `flytectl through port-forward: run \`${forwardGrpc}\`, then \`flytectl config init --host localhost:${FLYTE_GRPC_PORT} --insecure\``
  ];
  const domain = inputs.ingress ? ingressDomain(inputs, outputs) : undefined;
  if (!domain) {
    return { consoleUrl: `http://localhost:${FLYTE_HTTP_PORT}/console`, notes: localNotes };
  }
  return {
    domain,
    ...(outputs?.staticIpAddress ? { ingressIp: outputs.staticIpAddress } : {}),
    consoleUrl: `https://${domain}/console`,
    notes: [
      `Console: https://${domain}/console`,
      `flytectl: \`flytectl config init --host ${domain}\``,
      ...localNotes
    ]
  };
}
