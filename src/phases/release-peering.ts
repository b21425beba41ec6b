/**
 * The destroy's release of Cloud SQL's VPC peering, once the database is gone and before the
 * network goes: through Compute's REST API (src/gcp/network-peering.ts), no gcloud. Bounded: the
 * producer may hold the peering a while, and Compute then answers busy. Absent already is
 * success, so a second destroy does nothing.
 */
import { StepError } from '../errors.js';
import type { Step } from '../engine/types.js';
import type { Inputs } from '../inputs.js';
import { GoogleApiError } from '../gcp/google-api.js';
import {
  describePeeringRelease,
  networkPath,
  releaseServiceNetworkingPeering,
  SERVICE_NETWORKING_PEERING
} from '../gcp/network-peering.js';
import { googleOf } from './google-call.js';

/** How long a destroy waits, at most, for the producer side to let the peering go. */
export const PEERING_ATTEMPTS = 10;
export const PEERING_WAIT_MS = 30_000;

const STEP_ID = 'release-peering';

/** What a person can run instead, with gcloud or any HTTP client. */
function byHand(project: string, network: string): string {
  return (
    `remove it by hand — \`gcloud compute networks peerings delete ${SERVICE_NETWORKING_PEERING} --network=${network} --project=${project}\`, ` +
    `or POST https://compute.googleapis.com${networkPath(project, network)}/removePeering with the body {"name":"${SERVICE_NETWORKING_PEERING}"} — then run destroy again`
  );
}

function failureAdvice(error: unknown): string {
  if (error instanceof GoogleApiError && error.httpStatus === 403) {
    return ' The deployer needs compute.networks.get and compute.networks.removePeering (roles/compute.networkAdmin) on the project; grant them, or remove the peering by hand, then run destroy again.';
  }
  return '';
}

export function releasePeeringStep(inputs: Inputs): Step {
  return {
    kind: 'task',
    id: STEP_ID,
    title: "Release Cloud SQL's VPC peering",
    mutates: true,
    describe: (state) =>
      [
        ...describePeeringRelease(
          inputs.projectId,
          state.tfOutputs?.networkName ?? '<network_name output>'
        ),
        `(a missing network or peering counts as done; retried up to ${PEERING_ATTEMPTS} times, ${PEERING_WAIT_MS / 1000} s apart, while Compute reports it busy)`
      ].join('\n'),
    run: async (ctx) => {
      const network = ctx.state.tfOutputs?.networkName;
      if (!network) {
        ctx.log.info(
          'The module has no network_name output, so no VPC peering is released; a network still peered with servicenetworking cannot be deleted.'
        );
        return 'unchanged';
      }
      const project = inputs.projectId;
      const google = googleOf(ctx, STEP_ID);
      for (let attempt = 1; ; attempt++) {
        let outcome;
        try {
          outcome = await releaseServiceNetworkingPeering(google, project, network);
        } catch (error) {
          throw new StepError(
            STEP_ID,
            `Could not release the peering ${SERVICE_NETWORKING_PEERING} of network ${network}: ${(error as Error).message}.${failureAdvice(error) || ` Fix that and run destroy again, or ${byHand(project, network)}.`}`
          );
        }
        if (outcome.kind === 'removed') {
          ctx.log.info(`Released the peering ${SERVICE_NETWORKING_PEERING} of network ${network}.`);
          return;
        }
        if (outcome.kind === 'absent') {
          ctx.log.info(
            outcome.why === 'no-network'
              ? `Network ${network} does not exist: no peering to release.`
              : `Network ${network} has no ${SERVICE_NETWORKING_PEERING} peering: nothing to release.`
          );
          return 'unchanged';
        }
        if (attempt >= PEERING_ATTEMPTS) {
          throw new StepError(
            STEP_ID,
            `Could not release the peering ${SERVICE_NETWORKING_PEERING} of network ${network} (attempt ${attempt} of ${PEERING_ATTEMPTS}): Compute still reports it busy (${outcome.detail}). Cloud SQL can hold it for some days after the instance is gone; once it lets go, ${byHand(project, network)}.`
          );
        }
        ctx.log.info(
          `The peering of network ${network} is still busy (attempt ${attempt} of ${PEERING_ATTEMPTS}): ${outcome.detail}; waiting ${PEERING_WAIT_MS / 1000} s.`
        );
        await ctx.clock.sleep(PEERING_WAIT_MS);
      }
    }
  };
}
