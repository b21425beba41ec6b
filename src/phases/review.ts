/**
 * Apply only what was reviewed. `plan` fingerprints its plan for the pull request comment; the
 * deploy after the merge first asks GitHub for the merged, approved pull request and the action's
 * own plan comment there (before any tool runs as the deployer), then fingerprints its own plan
 * the same way, between the saved plan and its apply, and stops before any change unless the two
 * match. A manual deploy instead applies the plan a plan job saved (save-plan) and showed in its
 * job summary: its digest must be the one that job reported, and its fingerprint, taken again
 * here, the one that job recorded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { Phase, Step, TaskStep } from '../engine/types.js';
import { fingerprintDifferences, planFingerprint } from '../review/fingerprint.js';
import { moduleDigests } from '../review/module-digest.js';
import { valuesSourcesDigest } from '../review/values-sources.js';
import { readSavedPlan, writeSavedPlan } from '../review/saved-plan.js';
import { ensureChart } from './chart-fetch.js';
import { terraformFiles } from './terraform.js';
import { protectionWarning } from '../github/environment-rules.js';

/** The safe ways to deploy, named wherever a deploy stops for want of a reviewed plan. */
export const MANUAL_DEPLOY_PATH =
  'deploy by hand: "Run workflow" on the deploy workflow plans, shows that plan in its job summary and applies exactly it once the environment\'s reviewers approve (docs/workflows.md, "Manual deploy")';
const HOW_TO_GO_ON = `Merge through a pull request whose plan comment shows this plan, or ${MANUAL_DEPLOY_PATH}.`;
const HOW_TO_GO_ON_SAVED =
  'Nothing was applied. Run the manual deploy again ("Run workflow"): it plans afresh and asks for approval of the new plan.';

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
      test: () => inputs.requireReviewedPlan && !inputs.savedPlan,
      describe: 'require-reviewed-plan is true and no saved plan is given',
      skipped: () =>
        inputs.savedPlan
          ? 'A saved plan is applied: the environment approval, not a pull request, is its review.'
          : 'require-reviewed-plan is false: no reviewed plan is looked for.'
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
      inputs.savedPlan
        ? "Compare the saved plan's fingerprint, taken again here (module files and lock file as checked out, the chart archive, the values sources, the plan's resource changes), with the one the plan job recorded and showed; apply only if they are equal."
        : inputs.requireReviewedPlan
          ? "Compare this plan's fingerprint with the one in the reviewed pull request's plan comment (found before any tool ran); apply only if they are equal, otherwise stop before any change and say what differs."
          : "require-reviewed-plan is false: apply this run's own plan without a reviewed one (announced as a warning).",
    run: async (ctx) => {
      const own = ctx.state.planFingerprint;
      if (!own) throw new StepError('reviewed-plan-check', 'This run has no plan fingerprint.');
      const saved = ctx.state.savedPlan;
      if (inputs.savedPlan) {
        if (!saved)
          throw new StepError('reviewed-plan-check', 'The saved plan was not checked before.');
        const differences = fingerprintDifferences(saved.fingerprint, own);
        if (differences.length > 0) {
          ctx.state.reviewDifferences = differences;
          throw new StepError(
            'reviewed-plan-check',
            `This deploy differs from the plan the plan job saved and showed:\n${differences.map((d) => `- ${d}`).join('\n')}\n${HOW_TO_GO_ON_SAVED}`
          );
        }
        ctx.log.info(
          `The saved plan matches the one the plan job showed (fingerprint ${own.hex.slice(0, 12)}); applying exactly it.`
        );
        ctx.state.notes.push(
          `Applied the saved plan with fingerprint ${own.hex.slice(0, 12)}, approved in environment ${inputs.environment ?? ''}.`
        );
        return;
      }
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

/** Before any tool: the saved plan is the one the plan job reported, for this cluster. */
function savedPlanGateStep(inputs: Inputs): TaskStep {
  const saved = inputs.savedPlan!;
  return {
    kind: 'task',
    id: 'saved-plan-check',
    title: 'Check the saved plan against the digest the plan job reported',
    mutates: false,
    describe: () =>
      `sha256 of ${path.join(saved.dir, 'manifest.json')} must be ${saved.digest.slice(0, 12)}… (saved-plan-digest), the plan file's sha256 the one the manifest records, and the manifest's project, cluster, state bucket and prefix this deploy's. Otherwise stop before any tool runs.`,
    run: async (ctx) => {
      const found = readSavedPlan(saved.dir, saved.digest, inputs);
      if ('reason' in found) {
        throw new StepError(
          'saved-plan-check',
          `Saved plan refused: ${found.reason}. ${HOW_TO_GO_ON_SAVED}`
        );
      }
      ctx.state.savedPlan = found.manifest;
      ctx.log.info(
        `The saved plan is the one the plan job reported (manifest ${saved.digest.slice(0, 12)}, fingerprint ${found.manifest.fingerprint.hex.slice(0, 12)}, ${found.manifest.planHasChanges ? 'with' : 'without'} Terraform changes).`
      );
    }
  };
}

/** After the fingerprint: the plan file and its manifest, for the manual deploy's second job. */
function savePlanStep(inputs: Inputs): TaskStep {
  const dir = inputs.savePlan!;
  return {
    kind: 'task',
    id: 'save-plan',
    title: 'Save the plan for a manual deploy',
    mutates: false,
    describe: () =>
      `Copy the plan file to ${dir}/flyte.tfplan and write ${dir}/manifest.json (the plan file's sha256, the fingerprint, the cluster and state); the manifest's sha256 becomes the saved-plan-digest output.`,
    run: async (ctx) => {
      const fingerprint = ctx.state.planFingerprint;
      if (!fingerprint) throw new StepError('save-plan', 'This run has no plan fingerprint.');
      const planBytes = readFileSync(terraformFiles(ctx.state).plan);
      const digest = writeSavedPlan(
        dir,
        planBytes,
        inputs,
        ctx.state.planHasChanges === true,
        fingerprint
      );
      ctx.state.savedPlanDigest = digest;
      ctx.log.info(`Saved the plan in ${dir} (manifest ${digest.slice(0, 12)}).`);
      ctx.state.notes.push(
        `Saved this plan for a manual deploy: saved-plan-digest ${digest}, fingerprint ${fingerprint.hex.slice(0, 12)}. The deploy job applies exactly this plan, and only after the environment's reviewers approve it.`
      );
    }
  };
}

/** Before the tools: the environment, a deploy's pull request checks, the module's digests. */
export function reviewGatePhase(inputs: Inputs): Phase {
  const changing = ['deploy', 'upgrade', 'destroy'].includes(inputs.command);
  const steps: Step[] = [
    ...(changing ? [environmentStep(inputs)] : []),
    ...(inputs.command === 'deploy' && inputs.savedPlan ? [savedPlanGateStep(inputs)] : []),
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
      : [fingerprintStep(inputs), ...(inputs.savePlan ? [savePlanStep(inputs)] : [])];
  return { name: 'Reviewed plan', steps: () => steps };
}
