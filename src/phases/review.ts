/**
 * Apply only what was reviewed. `plan` fingerprints its plan for the pull request comment; the
 * deploy after the merge fingerprints its own plan the same way, between the saved plan and its
 * apply, and stops before any change unless the two match.
 */
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Phase, Step, TaskStep } from '../engine/types.js';
import { fingerprintDifferences, planFingerprint } from '../review/fingerprint.js';
import { valuesSourcesDigest } from '../review/values-sources.js';

const HOW_TO_GO_ON =
  'Merge through a pull request whose plan comment shows this plan, or, for a manual deploy behind an approved environment, set require-reviewed-plan: false.';

function fingerprintStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'plan-fingerprint',
    title: 'Fingerprint the plan',
    mutates: false,
    describe: () =>
      `sha256 of the resource changes (planned values, sensitive ones masked), chart ${inputs.chartVersion} and the digest of the values sources (${inputs.valuesFile}${inputs.extraValuesFiles.map((f) => `, ${f}`).join('')}).`,
    run: async (ctx) => {
      const resources = ctx.state.planResourceLines;
      if (!resources)
        throw new StepError('plan-fingerprint', 'No plan was summarised to fingerprint.');
      ctx.state.planFingerprint = planFingerprint({
        resources,
        chartVersion: inputs.chartVersion,
        valuesDigest: valuesSourcesDigest(inputs)
      });
      ctx.log.info(`Plan fingerprint: ${ctx.state.planFingerprint.hex.slice(0, 12)}.`);
    }
  };
}

function checkStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'reviewed-plan-check',
    title: 'Check the plan against the reviewed one',
    mutates: false,
    describe: () =>
      inputs.requireReviewedPlan
        ? "Find the pull request of this commit and its plan comment for this cluster; apply only if that comment's fingerprint equals this plan's, otherwise stop before any change and say what differs."
        : "require-reviewed-plan is false: apply this run's own plan without a reviewed one (announced as a warning).",
    run: async (ctx) => {
      const own = ctx.state.planFingerprint;
      if (!own) throw new StepError('reviewed-plan-check', 'This run has no plan fingerprint.');
      if (!inputs.requireReviewedPlan) {
        const warning = `require-reviewed-plan is false: applying this run's plan (fingerprint ${own.hex.slice(0, 12)}) without a reviewed one.`;
        ctx.log.warning(warning);
        ctx.state.notes.push(`⚠️ ${warning}`);
        return;
      }
      if (!ctx.reviewedPlan) {
        throw new StepError(
          'reviewed-plan-check',
          `No reviewed plan: github-token is empty, so the pull request comment cannot be read. ${HOW_TO_GO_ON}`
        );
      }
      const found = await ctx.reviewedPlan();
      if ('reason' in found) {
        throw new StepError(
          'reviewed-plan-check',
          `No reviewed plan: ${found.reason}. ${HOW_TO_GO_ON}`
        );
      }
      ctx.state.reviewedIn = found.pullNumber;
      if (!found.fingerprint) {
        throw new StepError(
          'reviewed-plan-check',
          `No reviewed plan: pull request #${found.pullNumber} has no plan comment for ${inputs.projectId}/${inputs.clusterName} (a pull request from a fork gets none). ${HOW_TO_GO_ON}`
        );
      }
      ctx.state.reviewedFingerprint = found.fingerprint;
      const differences = fingerprintDifferences(found.fingerprint, own);
      if (differences.length > 0) {
        ctx.state.reviewDifferences = differences;
        throw new StepError(
          'reviewed-plan-check',
          `This plan differs from the one reviewed in pull request #${found.pullNumber}; nothing was applied:\n${differences.map((d) => `- ${d}`).join('\n')}\n${HOW_TO_GO_ON}`
        );
      }
      ctx.log.info(
        `The plan matches the one reviewed in pull request #${found.pullNumber} (fingerprint ${own.hex.slice(0, 12)}).`
      );
    }
  };
}

/** After `terraform plan`: the fingerprint, and in a deploy the check against the reviewed one. */
export function reviewPhase(inputs: Inputs): Phase {
  const steps: Step[] =
    inputs.command === 'deploy'
      ? [fingerprintStep(inputs), checkStep(inputs)]
      : [fingerprintStep(inputs)];
  return { name: 'Reviewed plan', steps: () => steps };
}
