/**
 * Stand-in Compute Engine network routes on the loopback GoogleServer, for the destroy's release
 * of Cloud SQL's peering, in the shapes Google documents (compute v1 discovery document;
 * cloud.google.com/compute/docs/reference/rest/v1/networks/get, /networks/removePeering,
 * /globalOperations/wait):
 * - networks.get: GET /compute/v1/projects/P/global/networks/N answers a Network
 *   {kind: compute#network, name, selfLink, peerings: [{name, state}]}, 404 for an unknown one.
 * - networks.removePeering: POST .../networks/N/removePeering with exactly {name}; another body
 *   is a 400, a name the network has no peering of is the 400 Compute gives ("There is no peering
 *   (NAME) for the network."). Answers a PENDING Operation and removes the peering once waited on.
 * - globalOperations.wait: POST .../global/operations/OP/wait answers the Operation DONE (with
 *   `error.errors[]` when the model makes it fail); an unknown operation is a 404.
 * Busy answers come from the model (`busy`): a 400 "peering operation in progress" or a 400
 * with reason resourceNotReady before any operation, or a DONE operation whose error code is
 * RESOURCE_NOT_READY. Errors have Compute's shape: {error: {code, message, errors: [{message,
 * domain, reason}]}}.
 */
import type { GoogleAnswer, GoogleServer } from './google-server.js';

export type BusyAnswer = 'in-progress' | 'not-ready' | 'operation-not-ready' | 'operation-failed';

/** Compute's error body (it names the reason in `errors[]`, not in `details`). */
export function computeError(code: number, message: string, reason: string): GoogleAnswer {
  return {
    status: code,
    body: { error: { code, message, errors: [{ message, domain: 'global', reason }] } }
  };
}

export interface NetworkModel {
  /** The network's peering names, or undefined when the project has no such network. */
  peerings(project: string, network: string): string[] | undefined;
  /** Called once a removal's operation is done. */
  remove(project: string, network: string, peering: string): void;
  /** How this removal attempt answers, when not plainly (one value is taken per attempt). */
  busy?(): BusyAnswer | undefined;
}

const NETWORK = /^\/compute\/v1\/projects\/([^/]+)\/global\/networks\/([^/]+)$/;
const REMOVE = /^\/compute\/v1\/projects\/([^/]+)\/global\/networks\/([^/]+)\/removePeering$/;
const WAIT = /^\/compute\/v1\/projects\/([^/]+)\/global\/operations\/([^/]+)\/wait$/;

const selfLink = (project: string, network: string) =>
  `https://www.googleapis.com/compute/v1/projects/${project}/global/networks/${network}`;

interface PendingRemoval {
  project: string;
  network: string;
  peering: string;
  fails?: { code: string; message: string };
  done?: boolean;
}

export function serveNetworks(google: GoogleServer, model: NetworkModel): void {
  const operations = new Map<string, PendingRemoval>();
  const operation = (name: string, removal: PendingRemoval, status: string) => ({
    kind: 'compute#operation',
    id: String(operations.size),
    name,
    operationType: 'removePeering',
    targetLink: selfLink(removal.project, removal.network),
    status,
    progress: status === 'DONE' ? 100 : 0,
    ...(status === 'DONE' && removal.fails
      ? {
          error: { errors: [removal.fails] },
          httpErrorStatusCode: 400,
          httpErrorMessage: 'BAD REQUEST'
        }
      : {}),
    selfLink: `https://www.googleapis.com/compute/v1/projects/${removal.project}/global/operations/${name}`
  });

  const networkNotFound = (project: string, network: string): GoogleAnswer =>
    computeError(
      404,
      `The resource 'projects/${project}/global/networks/${network}' was not found`,
      'notFound'
    );

  google.on('GET', 'compute', NETWORK, (call): GoogleAnswer => {
    const [, project = '', network = ''] = NETWORK.exec(call.path)!.map(decodeURIComponent);
    const peerings = model.peerings(project, network);
    if (!peerings) {
      return networkNotFound(project, network);
    }
    return {
      body: {
        kind: 'compute#network',
        name: network,
        selfLink: selfLink(project, network),
        autoCreateSubnetworks: false,
        ...(peerings.length > 0
          ? {
              peerings: peerings.map((name) => ({
                name,
                network: `https://www.googleapis.com/compute/v1/projects/tenant-${project}/global/networks/servicenetworking`,
                state: 'ACTIVE',
                autoCreateRoutes: true
              }))
            }
          : {})
      }
    };
  });

  google.on('POST', 'compute', REMOVE, (call): GoogleAnswer => {
    const [, project = '', network = ''] = REMOVE.exec(call.path)!.map(decodeURIComponent);
    const body = call.body as Record<string, unknown> | undefined;
    if (
      !body ||
      typeof body !== 'object' ||
      Object.keys(body).join() !== 'name' ||
      typeof body.name !== 'string'
    ) {
      return computeError(
        400,
        "Invalid value for field 'resource.name': ''. Must be a match of regex '[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?'",
        'invalid'
      );
    }
    const peerings = model.peerings(project, network);
    if (!peerings) {
      return networkNotFound(project, network);
    }
    if (!peerings.includes(body.name)) {
      return computeError(400, `There is no peering (${body.name}) for the network.`, 'invalid');
    }
    const busy = model.busy?.();
    if (busy === 'in-progress') {
      return computeError(
        400,
        'There is a peering operation in progress on the local or peer network. Try again later.',
        'badRequest'
      );
    }
    if (busy === 'not-ready') {
      return computeError(
        400,
        `The resource 'projects/${project}/global/networks/${network}' is not ready`,
        'resourceNotReady'
      );
    }
    const name = `operation-${Date.now()}-${operations.size}`;
    const removal: PendingRemoval = { project, network, peering: body.name };
    if (busy === 'operation-not-ready') {
      removal.fails = {
        code: 'RESOURCE_NOT_READY',
        message: `The resource 'projects/${project}/global/networks/${network}' is not ready`
      };
    } else if (busy === 'operation-failed') {
      removal.fails = {
        code: 'INTERNAL_ERROR',
        message: 'Internal error. Please try again or contact Google Support.'
      };
    }
    operations.set(name, removal);
    return { body: operation(name, removal, 'PENDING') };
  });

  google.on('POST', 'compute', WAIT, (call): GoogleAnswer => {
    const [, project = '', name = ''] = WAIT.exec(call.path)!.map(decodeURIComponent);
    const removal = operations.get(name);
    if (!removal || removal.project !== project) {
      return computeError(
        404,
        `The resource 'projects/${project}/global/operations/${name}' was not found`,
        'notFound'
      );
    }
    if (!removal.done && !removal.fails) {
      model.remove(removal.project, removal.network, removal.peering);
    }
    removal.done = true;
    return { body: operation(name, removal, 'DONE') };
  });
}
