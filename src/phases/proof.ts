/**
 * Proof from outside, after the Ingress phase (deploy, upgrade) and as the whole of `verify`:
 * each link a data scientist's request meets, checked in order from where they stand. DNS, the
 * managed certificate, the load balancer's view of the backends, `/healthcheck` through it, and
 * the first gRPC call of every client; with IAP, refused without a token and admitted with an ID
 * token the job's account mints. Every step only reads; the last one fails the run for a broken
 * link and warns for one still being made (a new certificate). See docs/verify.md.
 */
import { readFileSync } from 'node:fs';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { Phase, TaskContext, TaskStep } from '../engine/types.js';
import { backendHealth, type BackendHealth, ingressBackendNames } from '../gcp/proof-backends.js';
import { mintIdToken } from '../gcp/proof-id-token.js';
import type { GoogleApi } from '../gcp/google-api.js';
import { proofLine, type ProofCheck } from '../flyte/verify-checks.js';
import { getVersion, GET_VERSION_PATH, type GrpcAnswer } from '../flyte/verify-grpc.js';
import { httpsGet, type HttpsAnswer } from '../flyte/verify-https.js';
import type { PublicNetwork } from '../flyte/verify-network.js';
import { getIngressArgs } from '../tools/kubectl/args.js';
import { ingressDomain } from '../values/access.js';
import { flyteNames, PROXY_PORT } from '../values/names.js';
import { readCertificate } from './flyte-ingress.js';
import { pollUntil, runTool } from './flyte-support.js';

/** Google's own bound for a new managed certificate: Provisioning longer than this is stuck. */
const CERTIFICATE_GRACE_MS = 60 * 60_000;
const BACKEND_POLL_MS = 10_000;
const HEALTHCHECK_PATH = '/healthcheck';
const VERIFY_HINT = 'Re-check later with `command: verify` (docs/verify.md).';

export function proofPhase(inputs: Inputs): Phase {
  return {
    name: 'Proof from outside',
    steps: () => [
      dnsStep(inputs),
      certificateStep(inputs),
      backendsStep(inputs),
      ...(inputs.iap ? [idTokenStep(inputs)] : []),
      healthcheckStep(inputs),
      grpcStep(inputs),
      reportStep(inputs)
    ]
  };
}

function domainOf(inputs: Inputs, state: RunState): string {
  return ingressDomain(inputs, state.tfOutputs) ?? '<domain>';
}

function ipOf(state: RunState): string {
  return state.tfOutputs?.staticIpAddress ?? '<static_ip_address>';
}

function networkOf(ctx: TaskContext, stepId: string): PublicNetwork {
  if (!ctx.network) throw new StepError(stepId, 'No network to check the domain from.');
  return ctx.network;
}

function googleOf(ctx: TaskContext, stepId: string): GoogleApi {
  if (!ctx.google) throw new StepError(stepId, 'No Google API client in this run.');
  return ctx.google();
}

function record(ctx: TaskContext, check: ProofCheck): void {
  ctx.state.proofChecks.push(check);
  const line = proofLine(check);
  if (check.outcome === 'pass') ctx.log.info(line);
  else ctx.log.warning(line);
}

const ms = (latency: number) => `${latency} ms`;
const afterDeploy = (inputs: Inputs) => inputs.command !== 'verify';

function dnsStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'proof-dns',
    title: 'Proof: the domain resolves to the static IP',
    mutates: false,
    describe: (state) =>
      `Resolve ${domainOf(inputs, state)} (A records, public DNS) and expect ${ipOf(state)}.`,
    run: async (ctx) => {
      const domain = domainOf(inputs, ctx.state);
      const ip = ipOf(ctx.state);
      // verify installs nothing, so this is where it learns them (the domain output).
      ctx.state.domain ??= domain;
      ctx.state.ingressIp ??= ip;
      const started = performance.now();
      let addresses: string[] = [];
      let error = '';
      try {
        addresses = await networkOf(ctx, 'proof-dns').resolve4(domain);
      } catch (e) {
        error = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
      const latency = Math.round(performance.now() - started);
      const link = `DNS ${domain} → ${ip}`;
      if (addresses.includes(ip)) {
        return record(ctx, { id: 'dns', link, outcome: 'pass', figure: ms(latency) });
      }
      const seen =
        addresses.length > 0
          ? `resolves to ${addresses.join(', ')}`
          : `no A record (${error || 'empty answer'})`;
      record(ctx, {
        id: 'dns',
        link,
        // A custom domain's record is the user's to make, often only after the first deploy
        // showed the IP: pending then; a scheduled verify, or sslip.io, means it is broken.
        outcome: inputs.domain && afterDeploy(inputs) ? 'pending' : 'fail',
        figure: `${seen} in ${ms(latency)}`,
        cause: inputs.domain
          ? `Point an A record for ${domain} at ${ip} (the ingress-ip output); until then the certificate stays Provisioning (FailedNotVisible).`
          : `${domain} answers with the IP it names by itself (sslip.io); the runner's DNS resolver cannot reach sslip.io or filters it.`
      });
    }
  };
}

function certificateStep(inputs: Inputs): TaskStep {
  const name = flyteNames(inputs).managedCertificate;
  return {
    kind: 'task',
    id: 'proof-certificate',
    title: `Proof: ManagedCertificate ${name} is Active`,
    mutates: false,
    describe: () =>
      `Read \`kubectl get managedcertificate ${name} -n ${inputs.namespace} -o json\` once: Active passes; Provisioning younger than 60 minutes is pending (a warning), older or failed fails.`,
    run: async (ctx) => {
      const cert = await readCertificate(ctx, inputs, 'proof-certificate');
      const link = `Certificate ${name}`;
      if (!cert) {
        return record(ctx, {
          id: 'certificate',
          link,
          outcome: 'fail',
          figure: 'not found',
          cause: `The flyte-gke release installs it (\`helm status ${flyteNames(inputs).gkeRelease} -n ${inputs.namespace}\`); deploy or upgrade again.`
        });
      }
      ctx.state.certificateStatus = cert.status || 'Unknown';
      const domains = cert.domains.length > 0 ? ` (${cert.domains.join(', ')})` : '';
      const created = cert.createdAt ? Date.parse(cert.createdAt) : Number.NaN;
      const ageMs = Number.isNaN(created) ? undefined : ctx.clock.now() - created;
      const age = ageMs === undefined ? '' : `, ${Math.round(ageMs / 60_000)} min old`;
      if (cert.status === 'Active') {
        return record(ctx, {
          id: 'certificate',
          link,
          outcome: 'pass',
          figure: `Active${domains}`
        });
      }
      const young = ageMs === undefined ? afterDeploy(inputs) : ageMs < CERTIFICATE_GRACE_MS;
      const notVisible = cert.domains.some((d) => /FailedNotVisible/i.test(d));
      const provisioning = cert.status === 'Provisioning' || cert.status === '';
      record(ctx, {
        id: 'certificate',
        link,
        outcome: provisioning && young ? 'pending' : 'fail',
        figure: `${cert.status || 'no status yet'}${domains}${age}`,
        cause: notVisible
          ? `Google cannot see the domain at the load balancer: DNS for ${domainOf(inputs, ctx.state)} must point at ${ipOf(ctx.state)}.`
          : provisioning && young
            ? `Google issues a new certificate within about 60 minutes of DNS pointing at the IP. ${VERIFY_HINT}`
            : `Provisioning for over an hour or failed: check DNS, CAA records that exclude pki.goog, and \`kubectl describe managedcertificate ${name} -n ${inputs.namespace}\`.`
      });
    }
  };
}

function backendsStep(inputs: Inputs): TaskStep {
  const ingress = flyteNames(inputs).ingress;
  return {
    kind: 'task',
    id: 'proof-backends',
    title: `Proof: every backend of Ingress ${ingress} is HEALTHY`,
    mutates: false,
    describe: () =>
      `Read the backend services of \`kubectl get ingress ${ingress} -n ${inputs.namespace} -o json\` (annotation ingress.kubernetes.io/backends), then GET compute.googleapis.com/compute/v1/projects/${inputs.projectId}/global/backendServices/NAME and POST …/NAME/getHealth {group} for each of its NEGs${afterDeploy(inputs) ? `, every ${BACKEND_POLL_MS / 1000}s for up to ${inputs.timeoutSeconds}s until all are HEALTHY` : ' (once)'}.`,
    run: async (ctx) => {
      const link = `Load balancer backends of ${ingress}`;
      let last: BackendHealth[] | undefined;
      let problem: string | undefined;
      const bound = afterDeploy(inputs) ? inputs.timeoutSeconds : 0;
      const healthy = await pollUntil(ctx, bound, BACKEND_POLL_MS, async () => {
        const read = await runTool(
          ctx,
          'proof-backends',
          'kubectl',
          getIngressArgs(ingress, inputs.namespace),
          {
            allowFailure: true
          }
        );
        if (read.exitCode !== 0) {
          problem = `kubectl could not read Ingress ${ingress}: ${read.stderr.trim().split('\n').at(-1) ?? ''}`;
          return undefined;
        }
        const names = ingressBackendNames(read.stdout);
        if (names.length === 0) {
          problem =
            'the GKE ingress controller has not listed any backend service on the Ingress yet';
          return undefined;
        }
        try {
          last = [];
          for (const name of names)
            last.push(await backendHealth(googleOf(ctx, 'proof-backends'), inputs.projectId, name));
        } catch (e) {
          problem = (e as Error).message;
          return undefined;
        }
        problem = undefined;
        return last.every((b) => b.healthy > 0) ? last : undefined;
      });
      const figureOf = (list: readonly BackendHealth[]) =>
        list.map((b) => `${b.name}: ${b.healthy}/${b.endpoints} HEALTHY`).join('; ');
      if (healthy) {
        return record(ctx, { id: 'backends', link, outcome: 'pass', figure: figureOf(healthy) });
      }
      const unhealthy = (last ?? []).filter((b) => b.healthy === 0);
      record(ctx, {
        id: 'backends',
        link,
        outcome: 'fail',
        figure:
          problem ??
          `${figureOf(last ?? [])} (${unhealthy.flatMap((b) => b.states).join(', ') || 'no endpoints'})`,
        cause: problem
          ? `Check the Ingress events (\`kubectl describe ingress ${ingress} -n ${inputs.namespace}\`) and that the job's identity may read backend services (roles/compute.viewer).`
          : `Google's health check fails: the BackendConfig ${flyteNames(inputs).backendConfig} must probe HTTP2 ${HEALTHCHECK_PATH} on port ${PROXY_PORT}; the VPC firewall must admit 130.211.0.0/22 and 35.191.0.0/16 to the pods; the flyte-binary pod and its TLS proxy must be Ready (\`kubectl get pods -n ${inputs.namespace}\`).`
      });
    }
  };
}

function idTokenStep(inputs: Inputs): TaskStep {
  const account = inputs.serviceAccount ?? "the service account the job's credentials impersonate";
  const audience = inputs.iapOauthClientId ?? '<iap-oauth-client-id>';
  return {
    kind: 'task',
    id: 'proof-id-token',
    title: 'Proof: mint an ID token for the IAP OAuth client',
    mutates: false,
    describe: () =>
      `POST iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${account}:generateIdToken {audience: ${audience}, includeEmail: true} (needs roles/iam.serviceAccountOpenIdTokenCreator on itself); the token is masked and kept in memory only.`,
    run: async (ctx) => {
      const minter = inputs.serviceAccount ?? impersonatedAccount(ctx.state.credentialsFile);
      const link = `ID token of ${minter ?? 'the job'} for IAP`;
      if (!minter) {
        return record(ctx, {
          id: 'id-token',
          link,
          outcome: 'unchecked',
          figure: 'no service-account input',
          cause:
            'Direct workload identity federation cannot mint ID tokens; set service-account to check the way through IAP.'
        });
      }
      const started = performance.now();
      try {
        const token = await mintIdToken(googleOf(ctx, 'proof-id-token'), minter, audience);
        ctx.log.setSecret(token);
        ctx.state.iapIdToken = token;
        record(ctx, {
          id: 'id-token',
          link,
          outcome: 'pass',
          figure: `minted in ${ms(Math.round(performance.now() - started))}`
        });
      } catch (e) {
        record(ctx, {
          id: 'id-token',
          link,
          outcome: 'unchecked',
          figure: (e as Error).message,
          cause: `Grant it on itself: \`gcloud iam service-accounts add-iam-policy-binding ${minter} --member serviceAccount:${minter} --role roles/iam.serviceAccountOpenIdTokenCreator\` (docs/security.md).`
        });
      }
    }
  };
}

/**
 * The account a reused credentials file (google-github-actions/auth) impersonates, from its
 * service_account_impersonation_url; undefined for direct federation or no file.
 */
function impersonatedAccount(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    const url = (
      JSON.parse(readFileSync(file, 'utf8')) as { service_account_impersonation_url?: string }
    ).service_account_impersonation_url;
    return /\/serviceAccounts\/([^/:]+):generateAccessToken$/.exec(url ?? '')?.[1];
  } catch {
    return undefined;
  }
}

/** Why an HTTPS or gRPC check cannot run yet: the certificate link is not made. */
function blockedByCertificate(state: RunState): ProofCheck['outcome'] | undefined {
  const cert = state.proofChecks.find((c) => c.id === 'certificate');
  if (!cert || cert.outcome === 'pass') return undefined;
  return cert.outcome === 'pending' ? 'pending' : 'unchecked';
}

const iapRefused = (status: number, location?: string) =>
  status === 401 || (status === 302 && /^https:\/\/accounts\.google\.com\//.test(location ?? ''));

function iapCause(status: number, what: string): string {
  if (status === 403)
    return `IAP checked the token and refused the account: the job's service account is not in iap-members (roles/iap.httpsResourceAccessor on the backend service). Add serviceAccount:ACCOUNT to iap-members for the deployer to prove the way behind IAP; never the planner (docs/verify.md).`;
  if (status === 401)
    return `IAP rejected the token: its audience must be the IAP OAuth client ID (iap-oauth-client-id) of the BackendConfig's Secret.`;
  return what;
}

function httpCause(status: number): string {
  if (status === 502)
    return 'The load balancer has no healthy backend yet (see the backends line) or cannot speak TLS to the proxy.';
  if (status === 404)
    return 'The URL map does not send the path to Flyte: the Ingress defaultBackend must be the flyte-binary HTTP Service.';
  return `Unexpected answer from the load balancer.`;
}

function healthcheckStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'proof-healthcheck',
    title: `Proof: https://DOMAIN${HEALTHCHECK_PATH} answers 200 through the load balancer`,
    mutates: false,
    describe: (state) =>
      inputs.iap
        ? `GET https://${domainOf(inputs, state)}${HEALTHCHECK_PATH} without a token (IAP must refuse: 401, or 302 to accounts.google.com), then with the ID token (must answer 200).`
        : `GET https://${domainOf(inputs, state)}${HEALTHCHECK_PATH} (must answer 200).`,
    run: async (ctx) => {
      const domain = domainOf(inputs, ctx.state);
      const link = `HTTPS ${domain}${HEALTHCHECK_PATH}`;
      const blocked = blockedByCertificate(ctx.state);
      if (blocked) {
        return record(ctx, {
          id: 'healthcheck',
          link,
          outcome: blocked,
          figure: 'waits for the certificate'
        });
      }
      const network = networkOf(ctx, 'proof-healthcheck');
      const get = (token?: string) => httpsGet(network, domain, HEALTHCHECK_PATH, token);
      await checkThroughIap(ctx, inputs, 'healthcheck', link, get, (a: HttpsAnswer) => ({
        ok: a.status === 200,
        refused: iapRefused(a.status, a.location),
        status: a.status,
        figure: `${a.status} in ${ms(a.latencyMs)}`,
        cause: httpCause(a.status)
      }));
    }
  };
}

function grpcStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'proof-grpc',
    title: 'Proof: gRPC AdminService/GetVersion answers at the domain',
    mutates: false,
    describe: (state) =>
      `Call ${GET_VERSION_PATH} at ${domainOf(inputs, state)}:443 over TLS and HTTP/2, as pyflyte and flytectl do first${inputs.iap ? ' (refused without a token, answered with the ID token)' : ''}.`,
    run: async (ctx) => {
      const domain = domainOf(inputs, ctx.state);
      const link = `gRPC ${domain} GetVersion`;
      const blocked = blockedByCertificate(ctx.state);
      if (blocked) {
        return record(ctx, {
          id: 'grpc',
          link,
          outcome: blocked,
          figure: 'waits for the certificate'
        });
      }
      const network = networkOf(ctx, 'proof-grpc');
      const call = (token?: string) => getVersion(network, domain, token);
      await checkThroughIap(ctx, inputs, 'grpc', link, call, (a: GrpcAnswer) => ({
        ok: a.kind === 'ok',
        refused: a.kind === 'http' && iapRefused(a.status),
        status: a.kind === 'http' ? a.status : 200,
        figure:
          a.kind === 'ok'
            ? `Flyte ${a.version || '(no version)'} in ${ms(a.latencyMs)}`
            : a.kind === 'http'
              ? `HTTP ${a.status} in ${ms(a.latencyMs)}`
              : `gRPC status ${a.code} ${a.message} in ${ms(a.latencyMs)}`,
        cause: grpcCause(a)
      }));
    }
  };
}

function grpcCause(a: GrpcAnswer): string {
  const sidecar =
    'The load balancer must speak HTTP/2 over TLS to the backend: the Service port needs cloud.google.com/app-protocols HTTP2 and the TLS proxy sidecar must be up and pass gRPC to port 8089 (docs/remote-access.md).';
  if (a.kind === 'http')
    return a.status === 502 ? `${sidecar} A 502 also means no backend is ready.` : sidecar;
  if (a.kind === 'grpc' && a.code === 12) return 'The proxy sent gRPC to the HTTP port, not 8089.';
  if (a.kind === 'grpc' && a.code === 14)
    return "The TLS proxy could not reach flyte-binary's gRPC port 8089.";
  return sidecar;
}

interface Judged {
  readonly ok: boolean;
  readonly refused: boolean;
  readonly status: number;
  readonly figure: string;
  readonly cause: string;
}

/**
 * Without IAP: one request must pass. With IAP: without a token it must be refused (else IAP is
 * not in front), and with the minted ID token it must pass.
 */
async function checkThroughIap<A>(
  ctx: TaskContext,
  inputs: Inputs,
  id: string,
  link: string,
  send: (token?: string) => Promise<A>,
  judge: (answer: A) => Judged
): Promise<void> {
  const attempt = async (token?: string): Promise<Judged> => {
    try {
      return judge(await send(token));
    } catch (e) {
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      return {
        ok: false,
        refused: false,
        status: 0,
        figure: `no answer (${reason})`,
        cause: `TLS or the connection failed: the certificate may not be served yet, or DNS points elsewhere.`
      };
    }
  };
  if (!inputs.iap) {
    const a = await attempt();
    return record(ctx, {
      id,
      link,
      outcome: a.ok ? 'pass' : 'fail',
      figure: a.figure,
      ...(a.ok ? {} : { cause: a.cause })
    });
  }
  const anonymous = await attempt();
  if (!anonymous.refused) {
    return record(ctx, {
      id,
      link,
      outcome: 'fail',
      figure: `without a token: ${anonymous.figure}`,
      cause: anonymous.ok
        ? 'Answered without any credentials: IAP is not in front of the backend (BackendConfig iap.enabled, the OAuth Secret).'
        : anonymous.cause
    });
  }
  const refusedFigure = `refused without a token (${anonymous.figure})`;
  const token = ctx.state.iapIdToken;
  if (!token) {
    return record(ctx, {
      id,
      link,
      outcome: 'unchecked',
      figure: `${refusedFigure}; not tried with a token`,
      cause: 'No ID token could be minted (see the ID token line).'
    });
  }
  const admitted = await attempt(token);
  // 403: IAP knows the token and refuses the account. IAP works; only an account that is not a
  // member (the planner should never be one) cannot prove the way behind it.
  const outsider = admitted.status === 403;
  record(ctx, {
    id,
    link,
    outcome: admitted.ok ? 'pass' : outsider ? 'unchecked' : 'fail',
    figure: `${refusedFigure}; with the ID token ${admitted.figure}`,
    ...(admitted.ok ? {} : { cause: iapCause(admitted.status, admitted.cause) })
  });
}

function reportStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'proof-report',
    title: 'Proof: report each link',
    mutates: false,
    describe: () =>
      'Report every link with its figure in the summary; fail the run for a broken link, warn for a pending one (a new certificate) or one not checked.',
    run: async (ctx) => {
      const checks = ctx.state.proofChecks;
      const broken = checks.filter((c) => c.outcome === 'fail');
      for (const c of checks.filter((c) => c.outcome === 'pending' || c.outcome === 'unchecked')) {
        ctx.state.warnings.push(`Proof from outside: ${proofLine(c)}`);
      }
      if (broken.length > 0) {
        throw new StepError(
          'proof-report',
          [
            `Flyte is not reachable as a data scientist meets it at ${domainOf(inputs, ctx.state)}; the broken link${broken.length > 1 ? 's' : ''}:`,
            ...broken.map((c) => `- ${proofLine(c)}`)
          ].join('\n')
        );
      }
      const pending = checks.some((c) => c.outcome === 'pending');
      ctx.log.info(
        pending
          ? `Proof from outside: pending. ${VERIFY_HINT}`
          : `Proof from outside: every link checked holds (${checks.length} checks).`
      );
    }
  };
}
