/**
 * The organisation policies that would refuse what the module creates, read as they apply to the
 * project: Org Policy v2 `GET /v2/projects/{project}/policies/{constraint}:getEffectivePolicy`
 * (needs `orgpolicy.policy.get`; answers a Policy whose `spec.rules[]` carry `enforce` for a
 * boolean constraint, or `allowAll` / `denyAll` / `values.allowedValues` / `values.deniedValues`
 * for a list constraint; conditions are already evaluated). Source: Google Cloud, Organization
 * Policy API v2 REST reference, projects.policies.getEffectivePolicy and Policy.
 */
import type { Inputs } from '../inputs.js';
import type { GoogleApi } from './google-api.js';
import {
  enableCommand,
  readProblem,
  type PreflightResult,
  type ReadProblem
} from './preflight-result.js';

export const ORG_POLICIES_CHECK = 'preflight-org-policies';

export interface PolicyRule {
  readonly enforce?: boolean;
  readonly allowAll?: boolean;
  readonly denyAll?: boolean;
  readonly values?: { readonly allowedValues?: string[]; readonly deniedValues?: string[] };
}

export interface EffectivePolicy {
  readonly name?: string;
  readonly spec?: { readonly rules?: readonly PolicyRule[] };
}

/** A constraint's verdict on what the module creates. */
type Verdict =
  | { readonly ok: true; readonly found: string }
  | { readonly ok: false; readonly found: string; readonly fix: string }
  | { readonly ok: 'unknown'; readonly found: string };

interface Constraint {
  readonly name: string;
  /** Judges the effective policy against what this run creates. */
  readonly judge: (policy: EffectivePolicy, inputs: Inputs) => Verdict;
}

/** Whether the module gives nodes external IPs: only with `private-nodes: false`. */
export const nodesHaveExternalIps = (inputs: Pick<Inputs, 'privateNodes'>): boolean =>
  !inputs.privateNodes;

const rulesOf = (policy: EffectivePolicy): readonly PolicyRule[] => policy.spec?.rules ?? [];
const enforced = (policy: EffectivePolicy) => rulesOf(policy).some((r) => r.enforce === true);
const allowed = (policy: EffectivePolicy) =>
  rulesOf(policy).flatMap((r) => r.values?.allowedValues ?? []);
const denied = (policy: EffectivePolicy) =>
  rulesOf(policy).flatMap((r) => r.values?.deniedValues ?? []);
const deniesAll = (policy: EffectivePolicy) => rulesOf(policy).some((r) => r.denyAll === true);
const allowsAll = (policy: EffectivePolicy) => rulesOf(policy).some((r) => r.allowAll === true);

const policyAdmin = (project: string, constraint: string, rule: string) =>
  `or an organisation policy administrator (roles/orgpolicy.policyAdmin) sets a project policy: gcloud org-policies set-policy POLICY.yaml with name: projects/${project}/policies/${constraint}, spec: {rules: [${rule}]}`;

export const CONSTRAINTS: readonly Constraint[] = [
  {
    // A list constraint of VM instance names (projects/P/zones/Z/instances/NAME) that may have
    // external IPs: GKE names nodes itself, so any allow list but allowAll refuses new nodes.
    name: 'compute.vmExternalIpAccess',
    judge: (policy, inputs) => {
      if (!nodesHaveExternalIps(inputs))
        return { ok: true, found: 'nodes have no external IPs (private nodes)' };
      const listed = allowed(policy);
      if (allowsAll(policy) || (!deniesAll(policy) && listed.length === 0))
        return { ok: true, found: 'VMs may have external IPs' };
      return {
        ok: false,
        found: `refuses external IPs on VMs (${deniesAll(policy) ? 'deny all' : `only ${listed.length} listed instance(s)`}), and the module's nodes get external IPs`,
        fix: `Give the nodes no external IPs (private-nodes: true, the default), ${policyAdmin(inputs.projectId, 'compute.vmExternalIpAccess', '{allowAll: true}')}.`
      };
    }
  },
  {
    name: 'sql.restrictPublicIp',
    // terraform/database.tf: ip_configuration.ipv4_enabled = false (private IP only).
    judge: (policy) => ({
      ok: true,
      found: enforced(policy)
        ? 'enforced; the database has a private IP only, as the policy asks'
        : 'not enforced; the database has a private IP only anyway'
    })
  },
  {
    name: 'compute.requireShieldedVm',
    // terraform/cluster.tf: shielded_instance_config with secure boot on every pool and Autopilot.
    judge: (policy) => ({
      ok: true,
      found: enforced(policy)
        ? 'enforced; every node pool is shielded with secure boot, as the policy asks'
        : 'not enforced; the nodes are shielded with secure boot anyway'
    })
  },
  {
    name: 'gcp.resourceLocations',
    judge: (policy, inputs) => locationVerdict(policy, inputs)
  }
];

/**
 * Whether the region may hold the cluster, database and bucket. Values are locations (`us-east1`,
 * zones) or value groups with the `in:` prefix (`in:us-east1-locations`, `in:us-locations`).
 * Groups other than a region's own and `in:us-locations` are not expanded here: reported as not
 * checked rather than guessed (Google Cloud, "Restricting Resource Locations").
 */
function locationVerdict(policy: EffectivePolicy, inputs: Inputs): Verdict {
  const region = inputs.region;
  const own = [region, `in:${region}-locations`];
  const fix = `Use a region the policy allows (input region), ${policyAdmin(inputs.projectId, 'gcp.resourceLocations', `{values: {allowedValues: [in:${region}-locations]}}`)}.`;
  if (deniesAll(policy)) return { ok: false, found: `denies every location`, fix };
  const deniedHere = denied(policy).filter((v) => own.includes(v) || groupHolds(v, region));
  if (deniedHere.length > 0)
    return { ok: false, found: `denies ${deniedHere.join(', ')} (region ${region})`, fix };
  const list = allowed(policy);
  if (allowsAll(policy) || list.length === 0) return { ok: true, found: 'allows every location' };
  const holding = list.filter((v) => own.includes(v) || groupHolds(v, region));
  if (holding.length > 0) return { ok: true, found: `allows ${region} (${holding.join(', ')})` };
  const unknown = list.filter(
    (v) =>
      v.startsWith('in:') &&
      !/^in:[a-z]+\d*-[a-z]+\d+-locations$/.test(v) &&
      v !== 'in:us-locations'
  );
  if (unknown.length > 0)
    return {
      ok: 'unknown',
      found: `allows ${list.join(', ')}: whether ${unknown.join(', ')} hold${unknown.length === 1 ? 's' : ''} ${region} is not known here`
    };
  return { ok: false, found: `allows only ${list.join(', ')}, not ${region}`, fix };
}

/** The value groups this check can expand: a region's own, and the United States one. */
function groupHolds(value: string, region: string): boolean {
  return value === 'in:us-locations' && region.startsWith('us-');
}

export function describeOrgPoliciesCheck(inputs: Inputs): string {
  return [
    ...CONSTRAINTS.map(
      (c) =>
        `GET orgpolicy.googleapis.com/v2/projects/${inputs.projectId}/policies/${c.name}:getEffectivePolicy`
    ),
    `Compared with what the module creates: nodes ${nodesHaveExternalIps(inputs) ? 'with' : 'without'} external IPs, a database with a private IP only, shielded nodes, everything in ${inputs.region}.`,
    'Reading needs orgpolicy.policy.get (roles/orgpolicy.policyViewer); without it the check says so and the run goes on.'
  ].join('\n');
}

export async function checkOrgPolicies(
  google: GoogleApi,
  inputs: Inputs
): Promise<PreflightResult> {
  const subject = 'organisation policies';
  const answers = await Promise.all(
    CONSTRAINTS.map(async (c) => {
      try {
        const policy = await google.request<EffectivePolicy>({
          service: 'orgpolicy',
          path: `/v2/projects/${encodeURIComponent(inputs.projectId)}/policies/${c.name}:getEffectivePolicy`
        });
        return { constraint: c.name, verdict: c.judge(policy, inputs) };
      } catch (error) {
        return { constraint: c.name, problem: readProblem(error, 'orgpolicy.googleapis.com') };
      }
    })
  );
  const problems = answers.flatMap((a) => (a.problem ? [a.problem] : []));
  if (problems.length === answers.length) {
    return {
      check: ORG_POLICIES_CHECK,
      subject,
      status: 'not-checked',
      found: unreadable(problems[0]!, inputs)
    };
  }
  const lines = answers.map((a) =>
    a.verdict
      ? `constraints/${a.constraint}: ${a.verdict.found}`
      : `constraints/${a.constraint}: not read (${a.problem!.message})`
  );
  const refusals = answers.filter((a) => a.verdict?.ok === false);
  if (refusals.length > 0) {
    return {
      check: ORG_POLICIES_CHECK,
      subject,
      status: 'fail',
      found: `An organisation policy refuses what the module creates. ${lines.join('; ')}.`,
      fixes: refusals.map(
        (a) => `constraints/${a.constraint}: ${(a.verdict as { fix: string }).fix}`
      )
    };
  }
  const unsure = answers.some((a) => a.problem || a.verdict?.ok === 'unknown');
  return {
    check: ORG_POLICIES_CHECK,
    subject,
    status: unsure ? 'not-checked' : 'pass',
    found: `${lines.join('; ')}.`
  };
}

function unreadable(problem: ReadProblem, inputs: Inputs): string {
  if (problem.kind === 'api-disabled')
    return `The Organization Policy API is off for this identity's project, so the policies could not be read (${enableCommand('orgpolicy.googleapis.com', inputs.projectId)} lets the preflight read them).`;
  if (problem.kind === 'denied')
    return `The identity may not read organisation policies (orgpolicy.policy.get, in roles/orgpolicy.policyViewer; not needed for ${inputs.command} itself). Grant it to have them checked: ${problem.message}`;
  return `Could not read the organisation policies: ${problem.message}`;
}
