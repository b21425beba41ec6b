/**
 * The proof from outside, against a loopback Google (backend services, getHealth,
 * generateIdToken) and a loopback Flyte endpoint with its own TLS certificate for the domain,
 * reached with the domain's TLS name and Host while DNS answers come from the test: each broken
 * link is named with its usual cause, a new certificate is pending (not a failure), and IAP must
 * refuse without a token and admit the ID token the job's account mints.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import type { TaskContext, TaskStep } from '../src/engine/types.js';
import { dryRunState } from '../src/engine/placeholders.js';
import { googleApiFor } from '../src/gcp/client.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import { proofTable } from '../src/flyte/verify-checks.js';
import type { PublicNetwork } from '../src/flyte/verify-network.js';
import { planCommand } from '../src/planner.js';
import { proofPhase } from '../src/phases/proof.js';
import { FlyteEndpoint, GET_VERSION } from './support/flyte-endpoint.js';
import { fakeClock, fakeContext, fakeExec, fakeLogger, testInputs } from './support/fakes.js';
import { GoogleServer, googleError } from './support/google-server.js';

const DOMAIN = 'flyte.acme.example';
const IP = '34.120.1.2';
const PROJECT = 'acme-flyte-dev';
const BACKEND = 'k8s1-5f2c7a10-flyte-flyte-backend-flyte-binary-http-8443-9d1e2f3a';
const NEG = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/zones/europe-west4-a/networkEndpointGroups/${BACKEND}`;
const CLIENT_ID = '123456789012-abcdef0123456789.apps.googleusercontent.com';
const DEPLOYER = `flyte-deployer@${PROJECT}.iam.gserviceaccount.com`;

let google: GoogleServer;
let api: GoogleApi;
let endpoint: FlyteEndpoint;
/** What the stand-ins answer; each test sets what it breaks. */
let world: {
  dns: string[];
  certificate: string;
  certificateAgeMin: number;
  domainStatus: string;
  health: string;
};

beforeAll(async () => {
  google = await new GoogleServer().start();
  const { file, env } = google.credentials(DEPLOYER);
  api = googleApiFor(file, env);
  endpoint = await new FlyteEndpoint(DOMAIN).start();
  google.on(
    'GET',
    'compute',
    `/compute/v1/projects/${PROJECT}/global/backendServices/${BACKEND}`,
    () => ({
      body: { name: BACKEND, protocol: 'HTTP2', backends: [{ group: NEG, balancingMode: 'RATE' }] }
    })
  );
  google.on(
    'POST',
    'compute',
    `/compute/v1/projects/${PROJECT}/global/backendServices/${BACKEND}/getHealth`,
    (call) =>
      (call.body as { group?: string }).group === NEG
        ? {
            body: {
              kind: 'compute#backendServiceGroupHealth',
              healthStatus: [{ healthState: world.health, ipAddress: '10.8.0.7', port: 8443 }]
            }
          }
        : googleError(400, 'INVALID_ARGUMENT', 'Invalid value for field resource.group')
  );
});
afterAll(async () => {
  await google.stop();
  await endpoint.stop();
});

beforeEach(() => {
  world = {
    dns: [IP],
    certificate: 'Active',
    certificateAgeMin: 90,
    domainStatus: 'Active',
    health: 'HEALTHY'
  };
  endpoint.behaviour = { healthStatus: 200, grpc: 'ok', version: 'v1.16.8' };
  endpoint.requests.length = 0;
  google.mayMintIdTokens = true;
});

function kubectl(clock: { now(): number }) {
  return fakeExec((_tool, args) => {
    if (args[1] === 'ingress') {
      return {
        stdout: JSON.stringify({
          metadata: {
            name: 'flyte-backend-ingress',
            annotations: {
              'ingress.kubernetes.io/backends': JSON.stringify({ [BACKEND]: 'HEALTHY' })
            }
          }
        })
      };
    }
    if (args[1] === 'managedcertificate') {
      return {
        stdout: JSON.stringify({
          metadata: {
            name: 'flyte-backend-cert',
            creationTimestamp: new Date(
              clock.now() - world.certificateAgeMin * 60_000
            ).toISOString()
          },
          status: {
            certificateStatus: world.certificate,
            domainStatus: [{ domain: DOMAIN, status: world.domainStatus }]
          }
        })
      };
    }
    return { exitCode: 1, stderr: `unexpected kubectl ${args.join(' ')}` };
  });
}

async function prove(values: Record<string, string> = {}) {
  const inputs = testInputs({
    ingress: 'true',
    domain: DOMAIN,
    'allow-unauthenticated': 'true',
    timeout: '1m',
    ...values
  });
  const state = new RunState(false);
  state.tfOutputs = {
    cloudsqlIp: '10.1.0.3',
    cloudsqlPasswordSecret: 'projects/p/secrets/s/versions/1',
    cloudsqlUser: 'flyte',
    cloudsqlDatabase: 'flyte',
    clusterLocation: 'europe-west4',
    clusterName: 'flyte-dev',
    bucketName: 'b',
    projectId: PROJECT,
    serviceAccount: 'flyte@x',
    staticIpAddress: IP,
    staticIpName: 'flyte-dev-flyte'
  };
  const clock = fakeClock(Date.parse('2026-12-07T12:00:00Z'));
  const { exec } = kubectl(clock);
  const logger = fakeLogger();
  const network: PublicNetwork = {
    resolve4: async (host) => (host === DOMAIN ? world.dns : []),
    // Like curl --connect-to: the TCP connection goes to loopback; TLS name and Host stay the domain.
    connectTo: (host, port) => {
      expect([host, port]).toEqual([DOMAIN, 443]);
      return { host: '127.0.0.1', port: endpoint.port };
    },
    ca: endpoint.ca
  };
  const ctx: TaskContext = {
    ...fakeContext({ inputs, state, exec, clock, log: logger.log }).ctx,
    google: () => api,
    network
  };
  let failure: Error | undefined;
  for (const step of proofPhase(inputs).steps(state) as TaskStep[]) {
    try {
      await step.run(ctx);
    } catch (error) {
      failure = error as Error;
    }
  }
  const outcome = (id: string) => state.proofChecks.find((c) => c.id === id)?.outcome;
  return { state, failure, outcome, logger };
}

describe('proof from outside', () => {
  it('passes every link and reports each with its latency', async () => {
    const { state, failure, outcome } = await prove();
    expect(failure).toBeUndefined();
    for (const id of ['dns', 'certificate', 'backends', 'healthcheck', 'grpc']) {
      expect(outcome(id)).toBe('pass');
    }
    const byId = Object.fromEntries(state.proofChecks.map((c) => [c.id, c.figure]));
    expect(byId.dns).toMatch(/^\d+ ms$/);
    expect(byId.healthcheck).toMatch(/^200 in \d+ ms$/);
    expect(byId.grpc).toMatch(/^Flyte v1\.16\.8 in \d+ ms$/);
    expect(byId.backends).toBe(`${BACKEND}: 1/1 HEALTHY`);
    // HTTP/1.1 for the health check, HTTP/2 for gRPC, both with the domain's TLS name and Host.
    expect(
      endpoint.requests.map((r) => [r.path, r.httpVersion, r.servername, r.authority])
    ).toEqual([
      ['/healthcheck', '1.1', DOMAIN, DOMAIN],
      [GET_VERSION, '2.0', DOMAIN, DOMAIN]
    ]);
    expect(proofTable(state.proofChecks)).toContain(
      '| HTTPS flyte.acme.example/healthcheck | ✅ pass | 200 in'
    );
  });

  it('names an unhealthy backend and what usually causes it', async () => {
    world.health = 'UNHEALTHY';
    const { failure, outcome } = await prove();
    expect(outcome('backends')).toBe('fail');
    expect(failure?.message).toMatch(/broken link/);
    expect(failure?.message).toContain(`${BACKEND}: 0/1 HEALTHY (UNHEALTHY 10.8.0.7:8443)`);
    expect(failure?.message).toMatch(
      /BackendConfig flyte-backend-backend must probe HTTP2 \/healthcheck on port 8443/
    );
    expect(failure?.message).toMatch(/130\.211\.0\.0\/22/);
  });

  it('calls a new Provisioning certificate pending, not broken, and says how to re-check', async () => {
    Object.assign(world, {
      certificate: 'Provisioning',
      domainStatus: 'Provisioning',
      certificateAgeMin: 5
    });
    const { failure, outcome, state } = await prove();
    expect(failure).toBeUndefined();
    expect(outcome('certificate')).toBe('pending');
    // Nothing can answer over TLS at the domain before the certificate: those wait too.
    expect(outcome('healthcheck')).toBe('pending');
    expect(outcome('grpc')).toBe('pending');
    expect(endpoint.requests).toEqual([]);
    expect(state.warnings.join('\n')).toMatch(/within about 60 minutes.*command: verify/);
  });

  it('fails a certificate stuck in Provisioning for over an hour, naming DNS for FailedNotVisible', async () => {
    Object.assign(world, {
      certificate: 'Provisioning',
      domainStatus: 'FailedNotVisible',
      certificateAgeMin: 120
    });
    const { failure, outcome } = await prove({ command: 'verify' });
    expect(outcome('certificate')).toBe('fail');
    expect(failure?.message).toMatch(
      /Certificate flyte-backend-cert: Provisioning .*FailedNotVisible.*120 min old/
    );
    expect(failure?.message).toContain(`DNS for ${DOMAIN} must point at ${IP}`);
  });

  it('names a 502 at /healthcheck as backends not ready', async () => {
    endpoint.behaviour.healthStatus = 502;
    const { failure, outcome } = await prove();
    expect(outcome('healthcheck')).toBe('fail');
    expect(outcome('grpc')).toBe('pass');
    expect(failure?.message).toMatch(
      /HTTPS flyte\.acme\.example\/healthcheck: 502 in \d+ ms\. The load balancer has no healthy backend/
    );
  });

  it('names a refused gRPC call with the HTTP/2 app-protocol and the TLS sidecar', async () => {
    endpoint.behaviour.grpc = 'refuse';
    const { failure, outcome } = await prove();
    expect(outcome('grpc')).toBe('fail');
    expect(failure?.message).toMatch(/gRPC flyte\.acme\.example GetVersion: HTTP 502/);
    expect(failure?.message).toMatch(/app-protocols HTTP2 and the TLS proxy sidecar/);
  });

  it('reads a gRPC status apart from an HTTP refusal', async () => {
    endpoint.behaviour.grpc = 'unavailable';
    const { failure } = await prove();
    expect(failure?.message).toMatch(/gRPC status 14 upstream unreachable.*gRPC port 8089/);
  });

  it('DNS not at the IP is pending right after a deploy (the user sets the record) and broken on verify', async () => {
    world.dns = ['203.0.113.9'];
    const deploy = await prove();
    expect(deploy.outcome('dns')).toBe('pending');
    const verify = await prove({ command: 'verify' });
    expect(verify.outcome('dns')).toBe('fail');
    expect(verify.failure?.message).toMatch(
      /resolves to 203\.0\.113\.9.*Point an A record for flyte\.acme\.example at 34\.120\.1\.2/
    );
  });
});

describe('proof through IAP', () => {
  const IAP = {
    iap: 'true',
    'allow-unauthenticated': 'false',
    'workload-identity-provider':
      'projects/123456/locations/global/workloadIdentityPools/github/providers/repo',
    'service-account': DEPLOYER,
    'iap-oauth-client-id': CLIENT_ID,
    'iap-oauth-client-secret': 'GOCSPX-test',
    'iap-members': 'group:ml@acme.example'
  };

  it('is refused without a token and admitted with the ID token the deployer mints for the IAP client', async () => {
    endpoint.behaviour.iapAudience = CLIENT_ID;
    const { failure, outcome, state, logger } = await prove(IAP);
    expect(failure).toBeUndefined();
    expect(outcome('id-token')).toBe('pass');
    expect(outcome('healthcheck')).toBe('pass');
    expect(outcome('grpc')).toBe('pass');
    expect(google.idTokens.at(-1)).toEqual({ account: DEPLOYER, audience: CLIENT_ID });
    expect(endpoint.requests.map((r) => [r.path, r.bearer, r.answered])).toEqual([
      ['/healthcheck', false, 401],
      ['/healthcheck', true, 200],
      [GET_VERSION, false, 401],
      [GET_VERSION, true, 200]
    ]);
    const grpc = state.proofChecks.find((c) => c.id === 'grpc')!;
    expect(grpc.figure).toMatch(
      /refused without a token \(HTTP 401 in \d+ ms\); with the ID token Flyte v1\.16\.8/
    );
    // The token is masked and appears in nothing the run reports.
    expect(logger.secrets).toContain(state.iapIdToken);
    expect(JSON.stringify([state.proofChecks, state.warnings, state.notes])).not.toContain(
      state.iapIdToken!
    );
  });

  it('fails when the endpoint answers without any token: IAP is not in front', async () => {
    delete endpoint.behaviour.iapAudience;
    const { failure } = await prove(IAP);
    expect(failure?.message).toMatch(
      /without a token: 200 in \d+ ms\. Answered without any credentials: IAP is not in front/
    );
  });

  it('names the audience when IAP rejects the token', async () => {
    endpoint.behaviour.iapAudience = 'another-client.apps.googleusercontent.com';
    const { failure } = await prove(IAP);
    expect(failure?.message).toMatch(
      /with the ID token 401 .*audience must be the IAP OAuth client ID/
    );
  });

  it('warns, and still checks the refusal, when the account may not mint ID tokens', async () => {
    endpoint.behaviour.iapAudience = CLIENT_ID;
    google.mayMintIdTokens = false;
    const { failure, outcome, state } = await prove(IAP);
    expect(failure).toBeUndefined();
    expect(outcome('id-token')).toBe('unchecked');
    expect(outcome('healthcheck')).toBe('unchecked');
    expect(endpoint.requests.map((r) => r.answered)).toEqual([401, 401]);
    expect(state.warnings.join('\n')).toContain(
      '--role roles/iam.serviceAccountOpenIdTokenCreator'
    );
  });
});

describe('the verify command', () => {
  it('plans only reads: no step of its runbook can change anything', () => {
    const inputs = testInputs({
      command: 'verify',
      ingress: 'true',
      iap: 'true',
      'iap-oauth-client-id': CLIENT_ID,
      'workload-identity-provider':
        'projects/123456/locations/global/workloadIdentityPools/github/providers/repo',
      'service-account': DEPLOYER
    });
    const state = dryRunState(inputs);
    const steps = planCommand(inputs).flatMap((phase) => phase.steps(state));
    expect(steps.filter((s) => s.mutates).map((s) => s.id)).toEqual([]);
    expect(steps.map((s) => s.id)).toEqual(
      expect.arrayContaining([
        'proof-dns',
        'proof-certificate',
        'proof-backends',
        'proof-id-token',
        'proof-healthcheck',
        'proof-grpc',
        'proof-report'
      ])
    );
    expect(steps.map((s) => s.id)).not.toEqual(expect.arrayContaining(['terraform-apply']));
  });

  it('refuses a run without ingress, naming the input', () => {
    expect(() => testInputs({ command: 'verify' })).toThrow(
      /ingress.*no public endpoint for command verify/
    );
  });
});

describe('proof through IAP by an account that is not a member', () => {
  it('reports the way behind IAP as not checked, not broken, when IAP refuses the account (403)', async () => {
    endpoint.behaviour.iapAudience = CLIENT_ID;
    endpoint.behaviour.refuseAccounts = true;
    const { failure, outcome, state } = await prove({
      iap: 'true',
      'allow-unauthenticated': 'false',
      'workload-identity-provider':
        'projects/123456/locations/global/workloadIdentityPools/github/providers/repo',
      'service-account': DEPLOYER,
      'iap-oauth-client-id': CLIENT_ID,
      'iap-oauth-client-secret': 'GOCSPX-test',
      'iap-members': 'group:ml@acme.example'
    });
    delete endpoint.behaviour.refuseAccounts;
    expect(failure).toBeUndefined();
    expect(outcome('healthcheck')).toBe('unchecked');
    expect(state.warnings.join('\n')).toMatch(/with the ID token 403 .*not in iap-members/);
  });
});
