/**
 * The move from the layout of earlier versions: flyte-binary's own two Ingresses (an HTTP one and
 * an internal gRPC one, class gce-internal, which needed a proxy-only subnet) give way to the one
 * public Ingress of the flyte-gke chart. An upgrade or deploy over such a deployment removes them
 * and says so; a deploy whose plan deletes the proxy-only subnet first removes the internal
 * Ingress and waits, bounded, until its forwarding rule is gone, since GCP refuses to delete a
 * subnet a forwarding rule still uses.
 */
import type { Inputs } from '../inputs.js';
import type { Phase, TaskStep } from '../engine/types.js';
import { StepError } from '../errors.js';
import {
  clusterRef,
  describeClusterCredentials,
  fetchClusterCredentials
} from '../auth/kubeconfig.js';
import {
  describeInternalRulesList,
  forwardingRulesOf,
  listInternalForwardingRules
} from '../gcp/forwarding-rules.js';
import { deleteIngressArgs, getIngressNamesArgs } from '../tools/kubectl/args.js';
import { flyteNames } from '../values/names.js';
import { pollUntil, runTool } from './flyte-support.js';
import { googleCall, googleOf } from './google-call.js';

/** The proxy-only subnet of earlier versions of the bundled module. */
export const LEGACY_PROXY_SUBNET = 'google_compute_subnetwork.proxy_only';
const RULE_POLL_MS = 15_000;
const RULE_WAIT_SECONDS = 600;

/** Lists the earlier layout's Ingresses that still exist; the read-ahead runs the same. */
export function legacyIngressReadArgs(inputs: Inputs): string[] {
  return getIngressNamesArgs(flyteNames(inputs).legacyIngresses, inputs.namespace);
}

/**
 * Removes the earlier layout's Ingresses. A deploy whose plan deletes the proxy-only subnet does it
 * before the apply; otherwise the Helm phase does it, and skips it when it was already done.
 */
export function legacyIngressStep(inputs: Inputs, moment: 'before-apply' | 'install'): TaskStep {
  const names = flyteNames(inputs);
  const get = legacyIngressReadArgs(inputs);
  const first = moment === 'before-apply';
  return {
    kind: 'task',
    id: 'legacy-ingress-remove',
    title: first
      ? 'Remove the Ingresses of the earlier layout before the apply'
      : 'Remove the Ingresses of the earlier layout',
    mutates: true,
    ...(first
      ? {}
      : {
          when: {
            test: (state) => !state.legacyIngressesRemoved,
            describe: 'they were not removed before the apply',
            skipped: () => 'they were removed before the apply.'
          }
        }),
    describe: () =>
      `$ kubectl ${get.join(' ')}\nIf any exist (a deployment made by an earlier version): $ kubectl ${deleteIngressArgs(['<each>'], inputs.namespace).join(' ')}`,
    run: async (ctx) => {
      const listed = await runTool(ctx, 'legacy-ingress-remove', 'kubectl', get);
      const found = listed.stdout
        .split('\n')
        .map((line) => line.trim().replace(/^ingress\.networking\.k8s\.io\//, ''))
        .filter(Boolean);
      // Checked (and removed below) before the apply: the Helm phase need not look again.
      if (first) ctx.state.legacyIngressesRemoved = true;
      if (found.length === 0) {
        ctx.log.info(
          `No Ingress of the earlier layout (${names.legacyIngresses.join(', ')}) in ${inputs.namespace}: nothing to remove.`
        );
        return 'unchanged';
      }
      await runTool(
        ctx,
        'legacy-ingress-remove',
        'kubectl',
        deleteIngressArgs(found, inputs.namespace)
      );
      const note = `Removed the Ingresses of the earlier layout (${found.join(', ')}): the console, /api and gRPC are now served by one public Ingress, ${names.ingress}.`;
      ctx.log.info(note);
      ctx.state.notes.push(note);
    }
  };
}

function forwardingRuleWaitStep(inputs: Inputs): TaskStep {
  const names = flyteNames(inputs);
  const grpcIngress = names.legacyIngresses[1]!;
  return {
    kind: 'task',
    id: 'legacy-forwarding-rule-wait',
    title: `Wait until the internal load balancer of ${grpcIngress} is gone`,
    mutates: false,
    describe: () =>
      `Poll ${describeInternalRulesList(inputs.projectId)} (rules whose description names ingress ${inputs.namespace}/${grpcIngress}) every ${RULE_POLL_MS / 1000}s, up to ${RULE_WAIT_SECONDS}s, so Terraform can delete the proxy-only subnet.`,
    run: async (ctx) => {
      const api = googleOf(ctx, 'legacy-forwarding-rule-wait');
      let left: string[] = [];
      const gone = await pollUntil(ctx, RULE_WAIT_SECONDS, RULE_POLL_MS, async () => {
        const { items, unreachables } = await googleCall(
          'legacy-forwarding-rule-wait',
          'Listing the internal forwarding rules',
          'The deployer needs compute.forwardingRules.list (roles/compute.loadBalancerAdmin), docs/security.md.',
          () => listInternalForwardingRules(api, inputs.projectId)
        );
        left = forwardingRulesOf(items, inputs.namespace, grpcIngress);
        // A region Google could not read may still hold the rule: not gone until all answer.
        if (left.length === 0 && unreachables.length > 0) {
          left = [`(regions not answering: ${unreachables.join(', ')})`];
        }
        return left.length === 0 ? true : undefined;
      });
      if (!gone) {
        throw new StepError(
          'legacy-forwarding-rule-wait',
          `The internal forwarding rule ${left.join(', ')} of the removed Ingress ${grpcIngress} still exists after ${RULE_WAIT_SECONDS}s, so the proxy-only subnet cannot be deleted yet. Nothing was applied; run the deploy again in a few minutes.`
        );
      }
      const note = `The internal gRPC load balancer is gone; Terraform removes the proxy-only subnet it needed.`;
      ctx.log.info(note);
      ctx.state.notes.push(note);
    }
  };
}

/** Between a deploy's plan and its apply: only when the plan deletes the proxy-only subnet. */
export function legacyLayoutPhase(inputs: Inputs): Phase {
  return {
    name: 'Move from the earlier ingress layout',
    steps: (state) => {
      const removesSubnet = state.planSummary?.resources.some(
        (r) =>
          r.address === LEGACY_PROXY_SUBNET && (r.action === 'delete' || r.action === 'replace')
      );
      if (!removesSubnet && !state.dryRun) return [];
      const credentials: TaskStep = {
        kind: 'task',
        id: 'legacy-cluster-credentials',
        title: 'Get cluster credentials (to remove the internal Ingress first)',
        mutates: false,
        describe: (s) =>
          `Only when the plan deletes ${LEGACY_PROXY_SUBNET} (a deployment of an earlier version):\n${describeClusterCredentials(clusterRef(inputs, s))}`,
        run: (ctx) => fetchClusterCredentials(ctx)
      };
      return [
        credentials,
        legacyIngressStep(inputs, 'before-apply'),
        forwardingRuleWaitStep(inputs)
      ];
    }
  };
}
