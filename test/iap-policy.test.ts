/**
 * The backend services and IAP policies through Google's REST APIs on a loopback Google: the
 * list's filter and pages, who already passes (only unconditional accessor bindings count), and
 * a grant that adds only the missing members in one read-modify-write, keeps everyone else's
 * bindings (conditional ones too), retries when the policy changed meanwhile, and writes nothing
 * when there is nothing to add.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { googleApiFor } from '../src/gcp/client.js';
import { findBackendService, listBackendServices } from '../src/gcp/backend-services.js';
import {
  grantIapAccess,
  IAP_ACCESSOR_ROLE,
  iapAccessors,
  type IamPolicy
} from '../src/gcp/iap-policy.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import { googleError, GoogleServer } from './support/google-server.js';
import {
  serveBackendServicesAndIap,
  type StandinBackendService
} from './support/google-iap-routes.js';

const PROJECT = 'acme-flyte';
const BACKEND = 'k8s1-1234abcd-flyte-flyte-backend-flyte-binar-8443-5678';
let google: GoogleServer;
let api: GoogleApi;
let services: Record<string, StandinBackendService> = {};
/** Runs on each read of the model (a test's way to change the policy in between). */
let onRead: (() => void) | undefined;

beforeAll(async () => {
  google = await new GoogleServer().start();
  serveBackendServicesAndIap(google, {
    services: (project) => {
      onRead?.();
      return project === PROJECT ? services : {};
    },
    pageSize: 1
  });
  const { file, env } = google.credentials();
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());
beforeEach(() => {
  google.reset();
  google.calls.length = 0;
  onRead = undefined;
  services = {
    [BACKEND]: {
      description:
        '{"kubernetes.io/service-name":"flyte/flyte-backend-flyte-binary-http","kubernetes.io/service-port":"8443"}',
      iap: { enabled: true }
    }
  };
});

const policy = (bindings: IamPolicy['bindings']): IamPolicy => ({ bindings, etag: 'BwY=' });
const sets = () => google.calls.filter((c) => c.path.endsWith(':setIamPolicy'));

describe('iapAccessors', () => {
  it('counts unconditional accessor bindings only, lowercased; other roles and an empty policy are nobody', () => {
    const expired = {
      role: IAP_ACCESSOR_ROLE,
      members: ['user:bob@example.com'],
      condition: { expression: 'request.time < timestamp("2026-01-01T00:00:00Z")' }
    };
    expect(
      iapAccessors(
        policy([
          expired,
          { role: IAP_ACCESSOR_ROLE, members: ['user:Alice@Example.com'] },
          { role: 'roles/iap.admin', members: ['user:dave@example.com'] }
        ])
      )
    ).toEqual(['user:alice@example.com']);
    expect(iapAccessors({ etag: 'ACAB' })).toEqual([]);
  });
});

describe('backendServices.list', () => {
  it("sends the name filter and reads every page; finds the Service's backend by its description", async () => {
    services['k8s1-aaaa-flyte-other-80-bbbb'] = {
      description: '{"kubernetes.io/service-name":"flyte/other","kubernetes.io/service-port":"80"}'
    };
    services['my-own-backend'] = {};
    const list = await listBackendServices(api, PROJECT);
    // The filter keeps the hand-made backend out; one item per page here, so paging is needed.
    expect(list.map((s) => s.name).sort()).toEqual([BACKEND, 'k8s1-aaaa-flyte-other-80-bbbb']);
    const calls = google.calls.filter((c) => c.service === 'compute');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.path).toBe(`/compute/v1/projects/${PROJECT}/global/backendServices`);
    expect(calls[0]?.query.get('filter')).toBe('name eq "k8s1-.*"');
    expect(calls[1]?.query.get('pageToken')).toBe('1');
    expect(
      findBackendService(list, {
        namespace: 'flyte',
        service: 'flyte-backend-flyte-binary-http',
        port: 8443
      })
    ).toEqual({ name: BACKEND, iapEnabled: true });
  });
});

describe('grantIapAccess', () => {
  it('adds only the missing members, keeps a conditional binding whole (read at version 3), and a second grant writes nothing', async () => {
    const conditional = {
      role: IAP_ACCESSOR_ROLE,
      members: ['user:carol@example.com'],
      condition: {
        title: 'until-2027',
        expression: 'request.time < timestamp("2027-01-01T00:00:00Z")'
      }
    };
    services[BACKEND]!.policy = {
      version: 3,
      bindings: [conditional, { role: IAP_ACCESSOR_ROLE, members: ['user:alice@example.com'] }],
      etag: 'BwYfirst='
    };
    const members = ['user:Alice@example.com', 'group:flyte@example.com'];
    expect(await grantIapAccess(api, PROJECT, BACKEND, members)).toEqual([
      'group:flyte@example.com'
    ]);
    const read = google.calls.find((c) => c.path.endsWith(':getIamPolicy'));
    expect(read?.path).toBe(
      `/v1/projects/${PROJECT}/iap_web/compute/services/${BACKEND}:getIamPolicy`
    );
    expect(read?.body).toEqual({ options: { requestedPolicyVersion: 3 } });
    expect(sets()).toHaveLength(1);
    expect((sets()[0]?.body as { policy: IamPolicy }).policy.etag).toBe('BwYfirst=');
    expect(services[BACKEND]!.policy!.bindings).toEqual([
      conditional,
      { role: IAP_ACCESSOR_ROLE, members: ['group:flyte@example.com', 'user:alice@example.com'] }
    ]);

    google.calls.length = 0;
    expect(await grantIapAccess(api, PROJECT, BACKEND, members)).toEqual([]);
    expect(sets()).toEqual([]);
  });

  it('reads and writes again when the policy changed between its read and write, keeping the other change', async () => {
    let reads = 0;
    onRead = () => {
      // The model is read once for the getIamPolicy and once for the setIamPolicy: someone else
      // writes in between, the first time only.
      if (++reads === 2) {
        services[BACKEND]!.policy = {
          bindings: [{ role: 'roles/iap.admin', members: ['user:ops@example.com'] }],
          etag: 'BwYother='
        };
      }
    };
    expect(await grantIapAccess(api, PROJECT, BACKEND, ['user:alice@example.com'])).toEqual([
      'user:alice@example.com'
    ]);
    expect(sets()).toHaveLength(2);
    expect(services[BACKEND]!.policy!.bindings).toEqual([
      { role: 'roles/iap.admin', members: ['user:ops@example.com'] },
      { role: IAP_ACCESSOR_ROLE, members: ['user:alice@example.com'] }
    ]);
  });

  it("keeps Google's status and reason when IAP refuses", async () => {
    google.fail(
      /:getIamPolicy$/,
      googleError(
        403,
        'PERMISSION_DENIED',
        "Permission 'iap.webServices.getIamPolicy' denied.",
        'IAM_PERMISSION_DENIED'
      )
    );
    await expect(grantIapAccess(api, PROJECT, BACKEND, ['user:a@example.com'])).rejects.toThrow(
      /403 PERMISSION_DENIED \(IAM_PERMISSION_DENIED\): Permission 'iap.webServices.getIamPolicy' denied/
    );
  });
});
