/**
 * Apply only what was reviewed. `plan` fingerprints its plan for the pull request comment; the
 * deploy after the merge first asks GitHub for the merged, approved pull request and the action's
 * own plan comment there (before any tool runs as the deployer), then fingerprints its own plan
 * the same way, between the saved plan and its apply, and stops before any change unless the two
 * match.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Phase, Step, TaskStep } from '../engine/types.js';
import { fingerprintDifferences, planFingerprint } from '../review/fingerprint.js';
import { moduleDigests } from '../review/module-digest.js';
import { valuesSourcesDigest } from '../review/values-sources.js';
import { ensureChart } from './chart-fetch.js';
import { protectionWarning } from '../github/environment-rules.js';

const HOW_TO_GO_ON =
  'Merge through a pull request whose plan comment shows this plan, or, for a manual deploy behind an approved environment, set require-reviewed-plan: false.';

function sourcesStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'review-sources',
    title: 'Hash the Terraform module and its lock file',
    mutates: false,
    describe: () =>
      `sha256 of every file in ${inputs.terraformDir} (but .terraform/)${inputs.terraformVarFile ? ` and ${inputs.terraformVarFile}` : ''}, and of its lock file, as committed: before terraform init adds checksums.`,
    run: async (ctx) => {
      ctx.state.moduleDigests = moduleDigests(inputs);
    }
  };
}

function fingerprintStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'plan-fingerprint',
    title: 'Fingerprint the plan',
    mutates: false,
    describe: () =>
      `sha256 of the resource changes (planned values, sensitive ones masked), the data sources read, the module's files and lock file, chart ${inputs.chartVersion} and its archive's SHA-256, and the digest of the values sources (${inputs.valuesFile}${inputs.extraValuesFiles.map((f) => `, ${f}`).join('')}).`,
    run: async (ctx) => {
      const resources = ctx.state.planResourceLines;
      if (!resources)
        throw new StepError('plan-fingerprint', 'No plan was summarised to fingerprint.');
      const sources = ctx.state.moduleDigests;
      if (!sources)
        throw new StepError('plan-fingerprint', 'The module was not hashed before init.');
      const chart = await ensureChart(ctx);
      ctx.state.planFingerprint = planFingerprint({
        resources,
        dataSources: ctx.state.planDataSourceLines ?? [],
        chartVersion: inputs.chartVersion,
        chartDigest: createHash('sha256').update(readFileSync(chart)).digest('hex'),
        valuesDigest: valuesSourcesDigest(inputs),
        moduleDigest: sources.module,
        lockDigest: sources.lock
      });
      ctx.log.info(`Plan fingerprint: ${ctx.state.planFingerprint.hex.slice(0, 12)}.`);
    }
  };
}

/** A warning, never a stop: the environment's rules are the maintainer's to set. */
function environmentStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'environment-protection',
    title: `Check the protection rules of environment ${inputs.environment ?? '(none)'}`,
    mutates: false,
    when: {
      test: () => inputs.environment !== undefined,
      describe: 'the job runs in an environment',
      skipped: () => 'The job names no environment, so there are no protection rules to check.'
    },
    describe: () =>
      `GET /repos/{o}/{r}/environments/${inputs.environment ?? ''}: warn when it has no protection rules or accepts every branch, or when github-token may not read it.`,
    run: async (ctx) => {
      const name = inputs.environment!;
      const found = ctx.environmentProtection
        ? await ctx.environmentProtection(name)
        : ({ readable: false, why: 'github-token is empty' } as const);
      const warning = protectionWarning(name, found);
      if (!warning) {
        ctx.log.info(`Environment "${name}" has protection rules and a deployment branch policy.`);
        return;
      }
      ctx.log.warning(warning);
      ctx.state.warnings.push(warning);
    }
  };
}

/** Before any tool: the merged pull request, its approval at head and the action's own comment. */
function pullRequestStep(inputs: Inputs): TaskStep {
  return {
    kind: 'task',
    id: 'reviewed-pull-request',
    title: 'Find the merged, approved pull request and its plan comment',
    mutates: false,
    when: {
      test: () => inputs.requireReviewedPlan,
      describe: 'require-reviewed-plan is true',
      skipped: () => 'require-reviewed-plan is false: no reviewed plan is looked for.'
    },
    describe: () =>
      "GET /repos/{o}/{r}/commits/{sha}/pulls: the pull request merged as this commit into the default branch; GET its reviews: approved at its head commit, no changes requested; GET its comments: the plan comment for this cluster written by github-token's own identity. Otherwise stop before any tool runs.",
    run: async (ctx) => {
      if (!ctx.reviewedPlan) {
        throw new StepError(
          'reviewed-pull-request',
          `No reviewed plan: github-token is empty, so the pull request comment cannot be read. ${HOW_TO_GO_ON}`
        );
      }
      const found = await ctx.reviewedPlan();
      if ('reason' in found) {
        throw new StepError(
          'reviewed-pull-request',
          `No reviewed plan: ${found.reason}. ${HOW_TO_GO_ON}`
        );
      }
      ctx.state.reviewedIn = found.pullNumber;
      if (!found.fingerprint) {
        throw new StepError(
          'reviewed-pull-request',
          `No reviewed plan: pull request #${found.pullNumber} has no plan comment for ${inputs.projectId}/${inputs.clusterName} (a pull request from a fork gets none). ${HOW_TO_GO_ON}`
        );
      }
      ctx.state.reviewedFingerprint = found.fingerprint;
      ctx.state.reviewApprovers = found.approvers;
      ctx.log.info(
        `Pull request #${found.pullNumber} was merged as this commit, approved at its head by ${found.approvers.join(', ')}; its plan comment has fingerprint ${found.fingerprint.hex.slice(0, 12)}.`
      );
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
        ? "Compare this plan's fingerprint with the one in the reviewed pull request's plan comment (found before any tool ran); apply only if they are equal, otherwise stop before any change and say what differs."
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
      const reviewed = ctx.state.reviewedFingerprint;
      const pullNumber = ctx.state.reviewedIn;
      if (!reviewed || pullNumber === undefined) {
        throw new StepError(
          'reviewed-plan-check',
          `No reviewed plan was found before the plan. ${HOW_TO_GO_ON}`
        );
      }
      const differences = fingerprintDifferences(reviewed, own);
      if (differences.length > 0) {
        ctx.state.reviewDifferences = differences;
        throw new StepError(
          'reviewed-plan-check',
          `This plan differs from the one reviewed in pull request #${pullNumber}; nothing was applied:\n${differences.map((d) => `- ${d}`).join('\n')}\n${HOW_TO_GO_ON}`
        );
      }
      ctx.log.info(
        `The plan matches the one reviewed in pull request #${pullNumber} (fingerprint ${own.hex.slice(0, 12)}).`
      );
    }
  };
}

/** Before the tools: the environment, a deploy's pull request checks, the module's digests. */
export function reviewGatePhase(inputs: Inputs): Phase {
  const changing = ['deploy', 'upgrade', 'destroy'].includes(inputs.command);
  const steps: Step[] = [
    ...(changing ? [environmentStep(inputs)] : []),
    ...(inputs.command === 'deploy' ? [pullRequestStep(inputs)] : []),
    ...(inputs.command === 'deploy' || inputs.command === 'plan' ? [sourcesStep(inputs)] : [])
  ];
  return { name: 'Checks before the tools', steps: () => steps };
}

/** After `terraform plan`: the fingerprint, and in a deploy the check against the reviewed one. */
export function reviewPhase(inputs: Inputs): Phase {
  const steps: Step[] =
    inputs.command === 'deploy'
      ? [fingerprintStep(inputs), checkStep(inputs)]
      : [fingerprintStep(inputs)];
  return { name: 'Reviewed plan', steps: () => steps };
}
