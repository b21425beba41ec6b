/**
 * After Helm: wait (within a bound) for the managed certificate, find the backend service GKE
 * created for the HTTP Service, and turn on Identity-Aware Proxy for it with access per member.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { Phase, Step, TaskContext, TaskStep } from '../engine/types.js';
import {
  describeBackendServicesList,
  findBackendService,
  type BackendService,
  listBackendServices
} from '../gcp/backend-services.js';
import {
  describeIapPolicyRead,
  describeIapPolicyWrite,
  grantIapAccess,
  IAP_ACCESSOR_ROLE,
  iapAccessors,
  readIapPolicy
} from '../gcp/iap-policy.js';
import {
  getManagedCertificateArgs,
  type ManagedCertificateStatus,
  parseManagedCertificate
} from '../tools/kubectl/args.js';
import { flyteNames, PROXY_PORT } from '../values/names.js';
import { CONSOLE_PORT, FLYTE2_HTTP_PORT, flyte2Names } from '../flyte2/names.js';
import { pollUntil, runTool } from './flyte-support.js';
import { googleCall, googleOf } from './google-call.js';

/** What a failed backend service or IAP call needs, docs/security.md. */
const IAP_ADVICE =
  'The deployer needs roles/compute.loadBalancerAdmin (backend services) and roles/iap.admin (IAP policies), docs/security.md.';

const CERTIFICATE_POLL_MS = 15_000;
const BACKEND_POLL_MS = 10_000;
const BACKEND_PLACEHOLDER = '<backend-service>';

/**
 * A backend service IAP guards: the API's (for Flyte 1 the TLS proxy port, for Flyte 2 the
 * manager's port) and, for Flyte 2, the console's, each with its own IAM policy.
 */
interface IapTarget {
  /** Step id prefix: `iap` for the API (the ids Flyte 1 always had), `iap-console`. */
  readonly prefix: string;
  readonly service: string;
  readonly port: number;
  readonly backendConfig: string;
  readonly found: (state: RunState) => string | undefined;
  readonly setFound: (state: RunState, name: string) => void;
  readonly bound: (state: RunState) => readonly string[] | undefined;
  readonly setBound: (state: RunState, members: readonly string[]) => void;
}

function iapTargets(inputs: Inputs): IapTarget[] {
  const names = flyteNames(inputs);
  const api: IapTarget = {
    prefix: 'iap',
    service: names.httpService,
    // Flyte 2: the manager's own port (no TLS proxy), src/flyte2/names.ts.
    port: inputs.flyteVersion === 2 ? FLYTE2_HTTP_PORT : PROXY_PORT,
    backendConfig: names.backendConfig,
    found: (s) => s.iapBackendService,
    setFound: (s, name) => (s.iapBackendService = name),
    bound: (s) => s.iapBoundMembers,
    setBound: (s, members) => (s.iapBoundMembers = members)
  };
  if (inputs.flyteVersion !== 2) return [api];
  const v2 = flyte2Names(inputs);
  const console: IapTarget = {
    prefix: 'iap-console',
    service: v2.consoleService,
    port: CONSOLE_PORT,
    backendConfig: v2.consoleBackendConfig,
    found: (s) => s.iapConsoleBackendService,
    setFound: (s, name) => (s.iapConsoleBackendService = name),
    bound: (s) => s.iapConsoleBoundMembers,
    setBound: (s, members) => (s.iapConsoleBoundMembers = members)
  };
  return [api, console];
}

export function ingressPhase(inputs: Inputs): Phase {
  return {
    name: 'Ingress',
    steps: () => [
      certificateStep(inputs),
      ...(inputs.iap ? iapTargets(inputs).map((t) => backendServiceStep(inputs, t)) : [])
    ]
  };
}

export function iapPhase(inputs: Inputs): Phase {
  return {
    name: 'Identity-Aware Proxy',
    steps: (state) => {
      const targets = iapTargets(inputs);
      return [
        ...targets.flatMap((t) => iapSteps(inputs, t, t.found(state))),
        notesStep(inputs, targets)
      ];
    }
  };
}

/** Reads the ManagedCertificate; the read-ahead runs the same. */
export function certificateReadArgs(inputs: Inputs): string[] {
  return getManagedCertificateArgs(flyteNames(inputs).managedCertificate, inputs.namespace);
}

/**
 * One read of the ManagedCertificate (the wait polls it, the proof reads it once); undefined
 * while it does not exist yet. RBAC, a missing CRD or a broken kubeconfig fail the step.
 */
export async function readCertificate(
  ctx: TaskContext,
  inputs: Inputs,
  stepId: string
): Promise<ManagedCertificateStatus | undefined> {
  const name = flyteNames(inputs).managedCertificate;
  const result = await runTool(ctx, stepId, 'kubectl', certificateReadArgs(inputs), {
    allowFailure: true
  });
  if (result.exitCode !== 0) {
    if (/NotFound|not found/.test(result.stderr)) return undefined;
    throw new StepError(
      stepId,
      `Reading ManagedCertificate ${name} failed: ${result.stderr.trim().split('\n').slice(-5).join('\n')}`,
      result.exitCode
    );
  }
  try {
    return parseManagedCertificate(result.stdout);
  } catch {
    return undefined;
  }
}

function certificateStep(inputs: Inputs): TaskStep {
  const name = flyteNames(inputs).managedCertificate;
  return {
    kind: 'task',
    id: 'certificate-wait',
    title: `Wait for ManagedCertificate ${name} to become Active`,
    mutates: false,
    describe: () =>
      `Poll \`kubectl get managedcertificate ${name} -n ${inputs.namespace} -o json\` every ${CERTIFICATE_POLL_MS / 1000}s for up to ${inputs.timeoutSeconds}s; report its status either way (Provisioning at the bound is a warning, not a failure).`,
    run: async (ctx) => {
      let last: ManagedCertificateStatus = { status: '', domains: [] };
      const active = await pollUntil(ctx, inputs.timeoutSeconds, CERTIFICATE_POLL_MS, async () => {
        last = (await readCertificate(ctx, inputs, 'certificate-wait')) ?? last;
        ctx.log.info(`Certificate ${name}: ${last.status || 'no status yet'}`);
        return last.status === 'Active' ? last : undefined;
      });
      const status = active?.status ?? (last.status || 'Unknown');
      ctx.state.certificateStatus = status;
      const domains = last.domains.length > 0 ? ` (${last.domains.join(', ')})` : '';
      if (active) {
        ctx.state.notes.push(`Managed certificate ${name} is Active${domains}.`);
        return;
      }
      const message = `Managed certificate ${name} is ${status}${domains} after ${inputs.timeoutSeconds}s. Google issues it once DNS for ${ctx.state.domain ?? 'the domain'} points at ${ctx.state.ingressIp ?? 'the static IP'} and the Ingress refers to it; this can take up to an hour. Check with \`kubectl get managedcertificate ${name} -n ${inputs.namespace}\`, or run the action with \`command: verify\` (docs/verify.md).`;
      ctx.log.warning(message);
      ctx.state.notes.push(message);
    }
  };
}

/**
 * The BackendConfig owns IAP: the ingress controller turns it on for the backend service with the
 * OAuth client of our Secret. The action only waits, bounded, until the backend service exists
 * and reports IAP on. It never runs `gcloud iap web enable`, which (since January 2025, without a
 * client) would switch the backend to Google's managed OAuth client and race the controller.
 */
function backendServiceStep(inputs: Inputs, t: IapTarget): TaskStep {
  const names = flyteNames(inputs);
  const id = `${t.prefix}-backend-service`;
  const target = { namespace: inputs.namespace, service: t.service, port: t.port };
  return {
    kind: 'task',
    id,
    title: `Wait until the backend service of ${inputs.namespace}/${t.service} has IAP on`,
    mutates: false,
    describe: () =>
      `${describeBackendServicesList(inputs.projectId)} every ${BACKEND_POLL_MS / 1000}s until the backend service GKE created for ${target.namespace}/${target.service}:${target.port} appears with iap.enabled, as its BackendConfig asks (up to ${inputs.timeoutSeconds}s). IAP is never enabled by hand.`,
    run: async (ctx) => {
      const api = googleOf(ctx, id);
      let seen: BackendService | undefined;
      const ready = await pollUntil(ctx, inputs.timeoutSeconds, BACKEND_POLL_MS, async () => {
        const services = await googleCall(id, 'Listing the backend services', IAP_ADVICE, () =>
          listBackendServices(api, inputs.projectId)
        );
        seen = findBackendService(services, target) ?? seen;
        return seen?.iapEnabled ? seen : undefined;
      });
      if (!ready) {
        throw new StepError(
          id,
          seen
            ? `The backend service ${seen.name} of ${target.namespace}/${target.service} still has IAP off after ${inputs.timeoutSeconds}s, although its BackendConfig ${t.backendConfig} turns it on. Check the BackendConfig and the OAuth Secret ${names.oauthSecret} (\`kubectl describe backendconfig ${t.backendConfig} -n ${inputs.namespace}\`, the Ingress events), then run the action again.`
            : `GKE has not created a backend service for ${target.namespace}/${target.service} within ${inputs.timeoutSeconds}s, so IAP could not be checked. Check the Ingress events (\`kubectl describe ingress -n ${inputs.namespace}\`), then run the action again.`
        );
      }
      t.setFound(ctx.state, ready.name);
      ctx.log.info(`Backend service ${ready.name}: IAP is on, as its BackendConfig asks.`);
    }
  };
}

/**
 * Read who passes IAP, then let the missing members through in one read-modify-write of the
 * policy (src/gcp/iap-policy.ts). The grant is skipped, and sends nothing, when every member
 * already holds the accessor role without a condition.
 */
function iapSteps(inputs: Inputs, t: IapTarget, backendService: string | undefined): Step[] {
  const service = backendService ?? BACKEND_PLACEHOLDER;
  const found = (s: RunState) => t.found(s) !== undefined;
  const readId = `${t.prefix}-read-policy`;
  const readPolicy: TaskStep = {
    kind: 'task',
    id: readId,
    title: `Read who may pass IAP on ${service}`,
    mutates: false,
    when: {
      test: found,
      describe: 'the backend service was found',
      skipped: () => 'no backend service was found, so there is no policy to read.'
    },
    describe: () => describeIapPolicyRead(inputs.projectId, service),
    run: async (ctx) => {
      const name = t.found(ctx.state) ?? service;
      const policy = await googleCall(readId, `Reading the IAP policy of ${name}`, IAP_ADVICE, () =>
        readIapPolicy(googleOf(ctx, readId), inputs.projectId, name)
      );
      t.setBound(ctx.state, iapAccessors(policy));
    }
  };
  const grantId = `${t.prefix}-grant`;
  const members = inputs.iapMembers.join(', ');
  const grant: TaskStep = {
    kind: 'task',
    id: grantId,
    title: `Let ${members} through IAP${t.prefix === 'iap' ? '' : ` (${t.service})`}`,
    mutates: true,
    when: {
      test: (s) => found(s) && inputs.iapMembers.some((m) => !isBound(t.bound(s), m)),
      describe: `a member of iap-members does not hold ${IAP_ACCESSOR_ROLE} yet`,
      skipped: (s) =>
        found(s)
          ? `every member of iap-members (${members}) already holds ${IAP_ACCESSOR_ROLE} without a condition; the policy is not written.`
          : 'no backend service was found to bind on.'
    },
    describe: () => describeIapPolicyWrite(inputs.projectId, service),
    run: async (ctx) => {
      const name = t.found(ctx.state) ?? service;
      const added = await googleCall(grantId, `Writing the IAP policy of ${name}`, IAP_ADVICE, () =>
        grantIapAccess(googleOf(ctx, grantId), inputs.projectId, name, inputs.iapMembers)
      );
      if (added.length === 0) {
        ctx.log.info(
          `Every member already holds ${IAP_ACCESSOR_ROLE} on ${name}; nothing written.`
        );
        return 'unchanged';
      }
      ctx.log.info(`Granted ${IAP_ACCESSOR_ROLE} on ${name} to ${added.join(', ')}.`);
    }
  };
  return [readPolicy, grant];
}

function notesStep(inputs: Inputs, targets: readonly IapTarget[]): TaskStep {
  return {
    kind: 'task',
    id: 'iap-notes',
    title: 'Note the OAuth redirect URI',
    mutates: false,
    describe: () => 'Remind that the OAuth client needs the IAP redirect URI.',
    run: async (ctx) => {
      const services = targets.map((t) => t.found(ctx.state) ?? BACKEND_PLACEHOLDER).join(' and ');
      const added = targets
        .map((t) => inputs.iapMembers.filter((m) => !isBound(t.bound(ctx.state), m)).length)
        .reduce((a, b) => a + b, 0);
      ctx.state.notes.push(
        `IAP is on for ${services}; ${inputs.iapMembers.length} member(s) may pass (${added} added by this run). The OAuth client needs the authorized redirect URI https://iap.googleapis.com/v1/oauth/clientIds/${inputs.iapOauthClientId ?? 'CLIENT_ID'}:handleRedirect.`
      );
    }
  };
}

function isBound(bound: readonly string[] | undefined, member: string): boolean {
  return bound?.includes(member.toLowerCase()) ?? false;
}
