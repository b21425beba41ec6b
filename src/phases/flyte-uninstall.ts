/**
 * Uninstall both releases and the OAuth Secret, then wait (bounded) for GKE to delete the
 * Services' network endpoint groups so Terraform can delete the subnet.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { ExecStep, Step, TaskStep } from '../engine/types.js';
import { isReleaseNotFound, uninstallArgs } from '../tools/helm/args.js';
import { deleteSecretArgs } from '../tools/kubectl/args.js';
import { describeNegList, flyteNegNames, listGkeNegs } from '../gcp/gke-negs.js';
import { flyte2Names } from '../flyte2/names.js';
import { flyteNames } from '../values/names.js';
import { pollUntil } from './flyte-support.js';
import { googleCall, googleOf } from './google-call.js';

export function uninstallStep(id: string, release: string, inputs: Inputs): ExecStep {
  return {
    kind: 'exec',
    id,
    title: `Uninstall Helm release ${release}`,
    mutates: true,
    tool: 'helm',
    args: uninstallArgs(release, inputs.namespace, inputs.timeoutSeconds),
    okExitCodes: [0, 1],
    onResult: (result, state) => {
      if (result.exitCode === 0) {
        state.notes.push(`Uninstalled Helm release ${release}.`);
        return;
      }
      if (!isReleaseNotFound(`${result.stderr}\n${result.stdout}`)) {
        throw new StepError(id, `helm uninstall ${release} failed: ${result.stderr.trim()}`, 1);
      }
      state.notes.push(`Helm release ${release} was not installed; nothing to remove.`);
    }
  };
}

/** Time GKE usually needs to garbage-collect NEGs after their Services are gone. */
const NEG_WAIT_SECONDS = 600;
const NEG_POLL_MS = 15_000;

/**
 * Waits, within a bound, until GKE has deleted the Services' network endpoint groups: Terraform
 * destroys the cluster and then the subnet, and a subnet that still holds a NEG cannot go.
 */
function negWaitStep(inputs: Inputs): TaskStep {
  const names = flyteNames(inputs);
  // Flyte 2 adds the console's Service, whose NEGs hold the subnet the same way.
  const services = [
    names.httpService,
    names.grpcService,
    ...(inputs.flyteVersion === 2 ? [flyte2Names(inputs).consoleService] : [])
  ];
  const bound = Math.min(inputs.timeoutSeconds, NEG_WAIT_SECONDS);
  return {
    kind: 'task',
    id: 'neg-wait',
    title: 'Wait for GKE to delete the network endpoint groups',
    mutates: false,
    describe: () =>
      `Poll ${describeNegList(inputs.projectId)} (NEGs whose description names namespace ${inputs.namespace} and Service ${services.join(' or ')}) every ${NEG_POLL_MS / 1000}s for up to ${bound}s until it lists none, with no zone unreachable; warn and go on at the bound.`,
    run: async (ctx) => {
      const api = googleOf(ctx, 'neg-wait');
      let left: string[] = [];
      const gone = await pollUntil(ctx, bound, NEG_POLL_MS, async () => {
        const { items, unreachables } = await googleCall(
          'neg-wait',
          'Listing the network endpoint groups',
          'The deployer needs compute.networkEndpointGroups.list (roles/compute.loadBalancerAdmin), docs/security.md.',
          () => listGkeNegs(api, inputs.projectId)
        );
        left = flyteNegNames(items, inputs.namespace, services);
        // A zone Google could not read may still hold one: not gone until every zone answers.
        if (left.length === 0 && unreachables.length > 0) {
          left = [`(zones not answering: ${unreachables.join(', ')})`];
        }
        return left.length === 0 ? true : undefined;
      });
      if (!gone) {
        ctx.log.warning(
          `GKE has not yet deleted ${left.join(', ')} after ${bound}s; if Terraform cannot delete the subnet, delete them with \`gcloud compute network-endpoint-groups delete\` and run destroy again.`
        );
      }
    }
  };
}

export function uninstallSteps(inputs: Inputs): Step[] {
  const names = flyteNames(inputs);
  return [
    // flyte-binary first: removing its Ingress releases the load balancer.
    uninstallStep('helm-uninstall', inputs.releaseName, inputs),
    uninstallStep('gke-uninstall', names.gkeRelease, inputs),
    {
      kind: 'exec',
      id: 'iap-oauth-secret-delete',
      title: `Delete Secret ${names.oauthSecret} (IAP OAuth client), if present`,
      mutates: true,
      tool: 'kubectl',
      args: deleteSecretArgs(names.oauthSecret, inputs.namespace)
    },
    negWaitStep(inputs),
    {
      kind: 'task',
      id: 'flyte-uninstall-notes',
      title: 'List what to remove by hand',
      mutates: false,
      describe: () => 'Note the OAuth client, which only its owner can delete.',
      run: async (ctx) => {
        ctx.state.notes.push(
          'Remove by hand: the OAuth 2.0 client used for IAP, if you created one (Google Cloud console, APIs & Services, Credentials). The Terraform state bucket is kept.'
        );
      }
    }
  ];
}
