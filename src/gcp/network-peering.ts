/**
 * Releasing the VPC peering Cloud SQL's private services access creates
 * (`servicenetworking-googleapis-com` on the consumer network) through Compute Engine's REST API,
 * instead of `gcloud compute networks peerings delete`. Terraform's connection resource abandons
 * it (deletion_policy ABANDON): the producer keeps it busy for days after the instance is gone,
 * and the network cannot be deleted while it is peered.
 *
 * The calls, and the fields this file relies on (Compute Engine API v1; request shapes as in the
 * `compute` v1 discovery document that Google's Node client ships, @googleapis/compute
 * build/v1.js):
 * - networks.get, `GET compute.googleapis.com/compute/v1/projects/P/global/networks/N`
 *   (compute.networks.get): the Network's `peerings[].name` says whether the peering is there;
 *   an unknown network answers 404.
 *   cloud.google.com/compute/docs/reference/rest/v1/networks/get
 * - networks.removePeering, `POST .../global/networks/N/removePeering` with the body
 *   NetworksRemovePeeringRequest `{name}` (compute.networks.removePeering): answers an Operation
 *   (`name`, `status` PENDING / RUNNING / DONE, and once DONE `error.errors[]` of
 *   `{code, message}` when it failed). A name the network has no peering of is a 400.
 *   cloud.google.com/compute/docs/reference/rest/v1/networks/removePeering
 * - globalOperations.wait, `POST .../global/operations/OP/wait` (compute.globalOperations.get):
 *   answers the Operation once DONE or near its own two-minute deadline, whichever is first, so
 *   it is called again while not DONE.
 *   cloud.google.com/compute/docs/reference/rest/v1/globalOperations/wait
 *
 * When Compute is busy with the network, it says so in the ways terraform-provider-google retries
 * on (google/transport/error_retry_predicates.go: IsPeeringOperationInProgress and
 * isNetworkUnreadyError; google/services/compute/compute_operation.go: IsRetryable): a 400
 * "There is a peering operation in progress …", a 400 with reason `resourceNotReady`, or a DONE
 * operation whose error code is RESOURCE_NOT_READY. Those are `busy`; the caller waits and asks
 * again. Anything else is a failure with Google's own words.
 */
import { GoogleApiError, type GoogleApi } from './google-api.js';

export const SERVICE_NETWORKING_PEERING = 'servicenetworking-googleapis-com';

/** How many times one removal's operation is waited on (each wait is up to ~2 minutes). */
export const OPERATION_WAITS = 5;

export type PeeringRelease =
  /** The peering was listed and is removed now. */
  | { readonly kind: 'removed' }
  /** Nothing to do: the network, or its peering, is not there. */
  | { readonly kind: 'absent'; readonly why: 'no-network' | 'no-peering' }
  /** Compute is busy with the network or the peering; ask again later. */
  | { readonly kind: 'busy'; readonly detail: string };

interface NetworkResource {
  peerings?: { name?: string; state?: string }[];
}

interface ComputeOperation {
  name?: string;
  status?: string;
  error?: { errors?: { code?: string; message?: string }[] };
}

const COMPUTE = 'https://compute.googleapis.com';

export function networkPath(project: string, network: string): string {
  return `/compute/v1/projects/${encodeURIComponent(project)}/global/networks/${encodeURIComponent(network)}`;
}

function operationWaitPath(project: string, operation: string): string {
  return `/compute/v1/projects/${encodeURIComponent(project)}/global/operations/${encodeURIComponent(operation)}/wait`;
}

/** The calls, for a dry run and for a person who removes the peering by hand. */
export function describePeeringRelease(project: string, network: string): string[] {
  // Not encoded: a dry run shows placeholders such as <network_name output> as they are.
  const at = `${COMPUTE}/compute/v1/projects/${project}/global/networks/${network}`;
  return [
    `GET ${at} (compute.networks.get): is ${SERVICE_NETWORKING_PEERING} among peerings[]?`,
    `If it is: POST ${at}/removePeering {"name":"${SERVICE_NETWORKING_PEERING}"} (compute.networks.removePeering)`,
    `then POST ${COMPUTE}/compute/v1/projects/${project}/global/operations/<operation>/wait until it is DONE`
  ];
}

/** Busy as terraform-provider-google judges it (see the file comment). */
function busyError(error: unknown): string | undefined {
  if (!(error instanceof GoogleApiError) || error.httpStatus !== 400) return undefined;
  if (/peering operation in progress/i.test(error.googleMessage)) return error.googleMessage;
  if (error.reason === 'resourceNotReady') return error.googleMessage;
  return undefined;
}

/** Compute's 400 for a peering name the network does not have (it went in the meantime). */
function noSuchPeering(error: unknown): boolean {
  return (
    error instanceof GoogleApiError &&
    ((error.httpStatus === 400 && /there is no peering/i.test(error.googleMessage)) ||
      error.httpStatus === 404)
  );
}

/** A DONE operation that failed; its codes and messages are Compute's. */
export class PeeringOperationError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: readonly { code?: string; message?: string }[]
  ) {
    super(
      `Compute's operation ${operation} (removePeering) failed: ${errors
        .map((e) => `${e.code ?? 'UNKNOWN'}: ${e.message ?? ''}`.trim())
        .join('; ')}`
    );
    this.name = 'PeeringOperationError';
  }
}

/**
 * One attempt: reads the network, removes the peering when it is listed, waits for the removal's
 * operation. Throws for failures that waiting will not fix (GoogleApiError,
 * PeeringOperationError, or an operation still not DONE after OPERATION_WAITS waits).
 */
export async function releaseServiceNetworkingPeering(
  api: GoogleApi,
  project: string,
  network: string
): Promise<PeeringRelease> {
  const path = networkPath(project, network);
  let found: NetworkResource;
  try {
    found = await api.request<NetworkResource>({ service: 'compute', path });
  } catch (error) {
    if (error instanceof GoogleApiError && error.httpStatus === 404) {
      return { kind: 'absent', why: 'no-network' };
    }
    throw error;
  }
  if (!(found.peerings ?? []).some((p) => p?.name === SERVICE_NETWORKING_PEERING)) {
    return { kind: 'absent', why: 'no-peering' };
  }
  let operation: ComputeOperation;
  try {
    operation = await api.request<ComputeOperation>({
      service: 'compute',
      method: 'POST',
      path: `${path}/removePeering`,
      body: { name: SERVICE_NETWORKING_PEERING }
    });
  } catch (error) {
    if (noSuchPeering(error)) return { kind: 'absent', why: 'no-peering' };
    const busy = busyError(error);
    if (busy !== undefined) return { kind: 'busy', detail: busy };
    throw error;
  }
  const done = await waitForOperation(api, project, operation);
  const errors = done.error?.errors ?? [];
  if (errors.length === 0) return { kind: 'removed' };
  const name = done.name ?? '(unnamed)';
  if (errors.some((e) => e.code === 'RESOURCE_NOT_READY')) {
    return { kind: 'busy', detail: new PeeringOperationError(name, errors).message };
  }
  throw new PeeringOperationError(name, errors);
}

async function waitForOperation(
  api: GoogleApi,
  project: string,
  first: ComputeOperation
): Promise<ComputeOperation> {
  let operation = first;
  for (let wait = 0; operation.status !== 'DONE'; wait++) {
    if (!operation.name) {
      throw new Error('Compute answered removePeering with an operation that has no name.');
    }
    if (wait >= OPERATION_WAITS) {
      throw new Error(
        `Compute's operation ${operation.name} (removePeering) is still ${operation.status ?? 'not DONE'} after ${OPERATION_WAITS} waits of up to two minutes each.`
      );
    }
    operation = await api.request<ComputeOperation>({
      service: 'compute',
      method: 'POST',
      path: operationWaitPath(project, operation.name)
    });
  }
  return operation;
}
