/**
 * Cloud SQL's peering released through Compute's REST API (src/gcp/network-peering.ts) against a
 * loopback Compute that answers as the real one does (google-network-routes.ts): absent network
 * or peering, a removal waited on until DONE, Compute's busy answers, and a failed operation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { googleApiFor } from '../src/gcp/client.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import {
  describePeeringRelease,
  OPERATION_WAITS,
  PeeringOperationError,
  releaseServiceNetworkingPeering,
  SERVICE_NETWORKING_PEERING
} from '../src/gcp/network-peering.js';
import { GoogleServer } from './support/google-server.js';
import { computeError, serveNetworks, type BusyAnswer } from './support/google-network-routes.js';

const PROJECT = 'acme-flyte-dev';
const NETWORK = 'flyte-vpc';

let google: GoogleServer;
let api: GoogleApi;
let networks: Record<string, string[]>;
let busy: (BusyAnswer | undefined)[];

beforeAll(async () => {
  google = await new GoogleServer().start();
  serveNetworks(google, {
    peerings: (project, network) => (project === PROJECT ? networks[network] : undefined),
    remove: (_project, network, peering) => {
      networks[network] = (networks[network] ?? []).filter((p) => p !== peering);
    },
    busy: () => busy.shift()
  });
  const { file, env } = google.credentials();
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());
beforeEach(() => {
  networks = { [NETWORK]: [SERVICE_NETWORKING_PEERING, 'other-peering'] };
  busy = [];
  google.calls.length = 0;
  google.reset();
});

const computeCalls = () =>
  google.calls.filter((c) => c.service === 'compute').map((c) => `${c.method} ${c.path}`);

describe('releaseServiceNetworkingPeering', () => {
  it('removes a listed peering and waits for its operation', async () => {
    await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).resolves.toEqual({
      kind: 'removed'
    });
    expect(networks[NETWORK]).toEqual(['other-peering']);
    const calls = computeCalls();
    expect(calls[0]).toBe(`GET /compute/v1/projects/${PROJECT}/global/networks/${NETWORK}`);
    expect(calls[1]).toBe(
      `POST /compute/v1/projects/${PROJECT}/global/networks/${NETWORK}/removePeering`
    );
    expect(calls[2]).toMatch(
      new RegExp(`^POST /compute/v1/projects/${PROJECT}/global/operations/operation-[\\w-]+/wait$`)
    );
    expect(calls).toHaveLength(3);
    const remove = google.calls.find((c) => c.path.endsWith('/removePeering'))!;
    expect(remove.body).toEqual({ name: SERVICE_NETWORKING_PEERING });
  });

  it('is absent, with no removal, when the network has no such peering or no network', async () => {
    networks = { [NETWORK]: ['other-peering'] };
    await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).resolves.toEqual({
      kind: 'absent',
      why: 'no-peering'
    });
    await expect(releaseServiceNetworkingPeering(api, PROJECT, 'gone-vpc')).resolves.toEqual({
      kind: 'absent',
      why: 'no-network'
    });
    expect(computeCalls().filter((c) => c.startsWith('POST'))).toEqual([]);
  });

  it('is absent when the peering went between the read and the removal', async () => {
    google.fail(
      /\/removePeering$/,
      computeError(
        400,
        `There is no peering (${SERVICE_NETWORKING_PEERING}) for the network.`,
        'invalid'
      )
    );
    await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).resolves.toEqual({
      kind: 'absent',
      why: 'no-peering'
    });
  });

  it('is busy for each of the answers Compute gives while it is busy, then removes', async () => {
    for (const answer of ['in-progress', 'not-ready', 'operation-not-ready'] as const) {
      busy = [answer];
      const outcome = await releaseServiceNetworkingPeering(api, PROJECT, NETWORK);
      expect(outcome.kind).toBe('busy');
      expect(networks[NETWORK]).toContain(SERVICE_NETWORKING_PEERING);
    }
    await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).resolves.toEqual({
      kind: 'removed'
    });
    expect(networks[NETWORK]).toEqual(['other-peering']);
  });

  it('throws a failed operation with its codes, and other Google errors as they are', async () => {
    busy = ['operation-failed'];
    const failed = releaseServiceNetworkingPeering(api, PROJECT, NETWORK);
    await expect(failed).rejects.toBeInstanceOf(PeeringOperationError);
    await expect(failed).rejects.toThrow(/INTERNAL_ERROR: Internal error/);
    google.fail(
      /\/removePeering$/,
      computeError(
        403,
        `Required 'compute.networks.removePeering' permission for 'projects/${PROJECT}/global/networks/${NETWORK}'`,
        'forbidden'
      )
    );
    await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).rejects.toThrow(
      /answered 403 \(forbidden\): Required 'compute.networks.removePeering'/
    );
  });

  it('waits on a slow operation, bounded', async () => {
    google.on('POST', 'compute', /\/global\/operations\/[^/]+\/wait$/, (call) => ({
      body: { kind: 'compute#operation', name: call.path.split('/').at(-2), status: 'RUNNING' }
    }));
    try {
      await expect(releaseServiceNetworkingPeering(api, PROJECT, NETWORK)).rejects.toThrow(
        /is still RUNNING after 5 waits/
      );
      expect(computeCalls().filter((c) => c.endsWith('/wait'))).toHaveLength(OPERATION_WAITS);
    } finally {
      // Later routes win: put the stand-in's own wait back on top.
      google.on('POST', 'compute', /\/global\/operations\/[^/]+\/wait$/, () =>
        computeError(404, 'no such operation', 'notFound')
      );
    }
  });
});

describe('the stand-in Compute is strict', () => {
  it('refuses a removal body other than {name}, and an unknown peering name', async () => {
    const path = `/compute/v1/projects/${PROJECT}/global/networks/${NETWORK}/removePeering`;
    await expect(
      api.request({ service: 'compute', method: 'POST', path, body: { peering: 'x' } })
    ).rejects.toThrow(/answered 400/);
    await expect(
      api.request({ service: 'compute', method: 'POST', path, body: { name: 'nope' } })
    ).rejects.toThrow(/answered 400 \(invalid\): There is no peering \(nope\) for the network/);
  });
});

describe('describePeeringRelease', () => {
  it('names the REST calls a dry run shows', () => {
    const lines = describePeeringRelease(PROJECT, NETWORK).join('\n');
    expect(lines).toContain(
      `GET https://compute.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/${NETWORK}`
    );
    expect(lines).toContain(
      `POST https://compute.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/${NETWORK}/removePeering {"name":"${SERVICE_NETWORKING_PEERING}"}`
    );
    expect(lines).toContain('/global/operations/<operation>/wait');
  });
});
