/**
 * Terraform through the action: the state bucket, then init, a saved plan, its summary, an apply
 * of exactly that plan when it has changes, and the outputs later phases use. Plan files and
 * Terraform's data folder live in the run's scratch folder (state.workDir, under RUNNER_TEMP),
 * never in the module folder, and the post step removes them: a plan file holds secrets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inputs } from '../inputs.js';
import { StepError } from '../errors.js';
import { displayCommand } from '../engine/redact.js';
import type { RunState } from '../engine/state.js';
import type { ExecStep, Phase, Step, StepCondition, TaskContext } from '../engine/types.js';
import {
  applyPlanArgs,
  actionVarsFile,
  DESTROY_OVERRIDES,
  destroyPlanArgs,
  terraformVarsJson,
  targetedDestroyPlanArgs,
  driftPlanArgs,
  initArgs,
  liftProtectionPlanArgs,
  outputJsonArgs,
  planArgs,
  showJsonArgs,
  showTextArgs,
  stateListArgs
} from '../tools/terraform/args.js';
import { explainTerraformFailure } from '../terraform/lock.js';
import { readSavedPlan } from '../review/saved-plan.js';
import {
  dataSourceLines,
  resourceChangeLines,
  type JsonPlanSources
} from '../review/fingerprint.js';
import { readOutputs, requireOutputs } from '../terraform/outputs.js';
import {
  describeChanges,
  driftedOutside,
  planLine,
  readPlanJson,
  summarisePlan
} from '../terraform/plan-summary.js';
import { runTerraform } from '../terraform/task-exec.js';
import { stateLockStep } from './state-lock.js';
import { pluginCacheDir } from '../terraform/provider-cache.js';
import { releasePeeringStep } from './release-peering.js';

/**
 * `deploy-plan` and `apply` are the two halves of a deploy: the saved plan, then its apply. They are
 * separate phases so that checks on the plan (reviewed-plan match, layout moves) can run between.
 */
export type TerraformMode = 'deploy-plan' | 'apply' | 'plan' | 'outputs' | 'drift' | 'destroy';

/** Resources whose deletion protection (or kept objects) would stop `terraform destroy`. */
export const PROTECTED_RESOURCES = [
  'google_container_cluster.main',
  'google_sql_database_instance.main',
  'google_storage_bucket.data'
] as const;

const PHASE_NAMES: Record<TerraformMode, string> = {
  'deploy-plan': 'Terraform plan',
  apply: 'Terraform apply',
  plan: 'Terraform plan',
  outputs: 'Terraform outputs',
  drift: 'Terraform drift check',
  destroy: 'Terraform destroy'
};

/** Where this run keeps Terraform's files. */
export interface TerraformFiles {
  readonly dir: string;
  readonly dataDir: string;
  readonly plan: string;
  readonly destroyPlan: string;
  readonly databasePlan: string;
  readonly liftPlan: string;
  readonly driftPlan: string;
}

export function terraformFiles(state: RunState): TerraformFiles {
  // run.ts sets workDir from RUNNER_TEMP; the fallback only serves callers that do not.
  const dir = path.join(state.workDir ?? path.join(os.tmpdir(), 'flyte-gke-action'), 'terraform');
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    plan: path.join(dir, 'flyte.tfplan'),
    destroyPlan: path.join(dir, 'destroy.tfplan'),
    databasePlan: path.join(dir, 'destroy-database.tfplan'),
    liftPlan: path.join(dir, 'lift-protection.tfplan'),
    driftPlan: path.join(dir, 'drift.tfplan')
  };
}

/**
 * What every terraform command of the run gets: its data folder and, when the tools phase put the
 * locked providers' verified zips in a mirror, the CLI configuration that points init there.
 */
export function terraformEnv(state: RunState): Record<string, string> {
  return {
    TF_DATA_DIR: terraformFiles(state).dataDir,
    ...(state.terraformCliConfig ? { TF_CLI_CONFIG_FILE: state.terraformCliConfig } : {})
  };
}

const PLAN_HAS_CHANGES: StepCondition = {
  test: (state) => state.planHasChanges === true,
  describe: 'the plan has changes',
  skipped: () => 'the plan has no changes, so there is nothing to apply.'
};

// The state bucket's phase lives in state-bucket.ts (the action's own Storage API calls).
export { stateBackendPhase } from './state-bucket.js';

// ---------------------------------------------------------------------------------------------
// Terraform

export function terraformPhase(inputs: Inputs, mode: TerraformMode): Phase {
  return { name: PHASE_NAMES[mode], steps: (state) => terraformSteps(inputs, mode, state) };
}

/**
 * A deploy's Terraform work: the saved plan (with read-only work `alongside` it), the checks on
 * it (`between`: the reviewed-plan check), then the apply of exactly that plan.
 */
export function deployTerraformPhases(
  inputs: Inputs,
  alongside?: Phase['alongside'],
  ...between: Phase[]
): Phase[] {
  return [
    { ...terraformPhase(inputs, 'deploy-plan'), ...(alongside ? { alongside } : {}) },
    ...between,
    terraformPhase(inputs, 'apply')
  ];
}

function terraformSteps(inputs: Inputs, mode: TerraformMode, state: RunState): Step[] {
  const files = terraformFiles(state);
  const env = terraformEnv(state);
  const terraform = (
    step: Omit<ExecStep, 'kind' | 'tool' | 'cwd' | 'env' | 'explainFailure'>
  ): ExecStep => ({
    kind: 'exec',
    tool: 'terraform',
    cwd: inputs.terraformDir,
    env,
    explainFailure: (result) =>
      explainTerraformFailure(result, inputs.terraformDir, state.stateLockReport),
    ...step
  });

  const prepare = prepareStep(inputs, files);
  const init = terraform({
    id: 'terraform-init',
    title: 'Terraform init',
    mutates: false,
    args: initArgs(inputs),
    // Unpacked providers come from the runner's tool cache when the lock file's h1: vouch for them.
    ...(state.toolCacheDir
      ? { env: { ...env, TF_PLUGIN_CACHE_DIR: pluginCacheDir(state.toolCacheDir) } }
      : {})
  });
  const summarise = (planFile: string, drift: boolean) => [
    terraform({
      id: 'terraform-show-json',
      title: 'Summarise the plan',
      mutates: false,
      quiet: true,
      args: showJsonArgs(planFile),
      onResult: (result, s) => {
        const plan = readPlanJson(result.stdout, 'terraform-show-json');
        const summary = summarisePlan(plan);
        s.planSummary = summary;
        s.planResourceLines = resourceChangeLines(plan.resource_changes);
        // The same parsed JSON, read for the prior state's data sources.
        s.planDataSourceLines = dataSourceLines(plan as JsonPlanSources);
        if (drift) s.driftDetails = [...driftedOutside(plan), ...describeChanges(summary)];
        else s.notes.push(planLine(summary));
      }
    }),
    ...(drift
      ? []
      : [
          terraform({
            id: 'terraform-show-text',
            title: 'Render the plan for the summary',
            mutates: false,
            quiet: true,
            args: showTextArgs(planFile),
            // An empty plan renders as "No changes."; the summary says that already.
            when: PLAN_HAS_CHANGES,
            // Terraform prints sensitive values as "(sensitive value)"; the publisher redacts
            // every registered secret on top of that.
            onResult: (result, s) => {
              s.planText = result.stdout.trim();
            }
          })
        ])
  ];
  const plan = (id: string, title: string, args: string[]) =>
    terraform({
      id,
      title,
      mutates: false,
      args,
      okExitCodes: [0, 2],
      onResult: (result, s) => {
        s.planExitCode = result.exitCode;
        s.planHasChanges = result.exitCode === 2;
        if (result.exitCode === 0) s.notes.push(`${title}: no changes, nothing to apply.`);
      }
    });
  const apply = (id: string, title: string, planFile: string) =>
    terraform({ id, title, mutates: true, args: applyPlanArgs(planFile), when: PLAN_HAS_CHANGES });

  switch (mode) {
    case 'deploy-plan':
      return [
        prepare,
        // Before init: nothing reads ahead yet while it may release a lock.
        stateLockStep(inputs),
        init,
        // A manual deploy plans nothing: it applies the plan its plan job saved and showed.
        inputs.savedPlan
          ? takeSavedPlanStep(inputs, files)
          : plan('terraform-plan', 'Terraform plan', planArgs(inputs, files.plan)),
        ...summarise(files.plan, false)
      ];
    case 'apply':
      return [
        apply('terraform-apply', 'Terraform apply of the saved plan', files.plan),
        outputsStep(inputs, files, 'strict')
      ];
    case 'plan':
      // Read-only like drift: no state lock, so a pull request's plan never blocks a deploy.
      return [
        prepare,
        init,
        plan('terraform-plan', 'Terraform plan', driftPlanArgs(inputs, files.plan)),
        ...summarise(files.plan, false),
        outputsStep(inputs, files, 'lenient')
      ];
    case 'outputs':
      return [
        prepare,
        init,
        // Before a destroy, an empty state is an answer (nothing left), not an error.
        outputsStep(inputs, files, inputs.command === 'destroy' ? 'lenient' : 'strict')
      ];
    case 'drift':
      return [
        prepare,
        init,
        terraform({
          id: 'terraform-drift-plan',
          title: 'Terraform plan (read-only, no lock)',
          mutates: false,
          args: driftPlanArgs(inputs, files.driftPlan),
          okExitCodes: [0, 2],
          onResult: (result, s) => {
            s.planExitCode = result.exitCode;
            s.driftDetected = result.exitCode === 2;
          }
        }),
        ...summarise(files.driftPlan, true),
        outputsStep(inputs, files, 'lenient')
      ];
    case 'destroy':
      // The destroy command's outputs phase prepared the folder and ran init; the same backend
      // and data folder serve here.
      return [
        stateLockStep(inputs),
        liftProtectionStep(inputs, files, env),
        databaseFirstStep(inputs, files, env),
        releasePeeringStep(inputs),
        plan(
          'terraform-destroy-plan',
          'Terraform destroy plan',
          destroyPlanArgs(inputs, files.destroyPlan)
        ),
        ...summarise(files.destroyPlan, false),
        apply('terraform-destroy-apply', 'Terraform apply of the destroy plan', files.destroyPlan)
      ];
  }
}

/**
 * The saved plan, checked once more against its manifest (checked before any tool ran), written
 * where this run's plan would be: the apply then takes exactly those bytes.
 */
function takeSavedPlanStep(inputs: Inputs, files: TerraformFiles): Step {
  const saved = inputs.savedPlan!;
  return {
    kind: 'task',
    id: 'terraform-saved-plan',
    title: 'Take the saved plan instead of planning',
    mutates: false,
    describe: () =>
      `Copy ${path.join(saved.dir, 'flyte.tfplan')} to ${files.plan} (mode 0600) once its sha256 is again the one its manifest records; no new plan is made.`,
    run: async (ctx) => {
      const found = readSavedPlan(saved.dir, saved.digest, inputs);
      if ('reason' in found) {
        throw new StepError('terraform-saved-plan', `Saved plan refused: ${found.reason}.`);
      }
      writeFileSync(files.plan, found.planBytes, { mode: 0o600 });
      ctx.state.planHasChanges = found.manifest.planHasChanges;
      ctx.state.planExitCode = found.manifest.planHasChanges ? 2 : 0;
      if (!found.manifest.planHasChanges) {
        ctx.state.notes.push('The saved plan has no Terraform changes: nothing to apply.');
      }
      ctx.log.info(`Took the saved plan (sha256 ${found.manifest.planSha256.slice(0, 12)}).`);
    }
  };
}

function prepareStep(inputs: Inputs, files: TerraformFiles): Step {
  return {
    kind: 'task',
    id: 'terraform-workdir',
    title: 'Prepare the Terraform work folder',
    mutates: false,
    describe: () =>
      `Create ${files.dir} (mode 0700) for plan files and TF_DATA_DIR; the post step removes it (plan files hold secrets).\nProviders: TF_PLUGIN_CACHE_DIR=${pluginCacheDir('$RUNNER_TOOL_CACHE')}; TF_CLI_CONFIG_FILE names the mirror of verified provider zips the tools phase prepared, when it did.\nWrite the module's variables to ${actionVarsFile(files.plan, false)} (a destroy's, with deletion_protection false, to ${actionVarsFile(files.plan, true)}):\n${terraformVarsJson(inputs).trimEnd()}`,
    run: async (ctx) => {
      mkdirSync(files.dataDir, { recursive: true, mode: 0o700 });
      ctx.registerCleanup(files.dir);
      if (ctx.state.toolCacheDir) {
        mkdirSync(pluginCacheDir(ctx.state.toolCacheDir), { recursive: true });
      }
      // The action's variables, for every plan of this run (see actionVarsFile).
      writeFileSync(actionVarsFile(files.plan, false), terraformVarsJson(inputs), {
        mode: 0o600
      });
      writeFileSync(
        actionVarsFile(files.plan, true),
        terraformVarsJson(inputs, DESTROY_OVERRIDES),
        {
          mode: 0o600
        }
      );
    }
  };
}

/**
 * Reads `terraform output -json` inside a task step so the password is registered as a secret
 * (ctx.log.setSecret) before anything else runs; the command's output is never echoed.
 * `lenient`: an empty state (first plan) or missing outputs leave tfOutputs unset with a note.
 */
function outputsStep(
  inputs: Inputs,
  files: TerraformFiles,
  strictness: 'strict' | 'lenient'
): Step {
  const args = outputJsonArgs();
  return {
    kind: 'task',
    id: 'terraform-output',
    title: 'Read Terraform outputs',
    mutates: false,
    describe: () =>
      `$ ${displayCommand('terraform', args, [])}\n(output not echoed; sensitive values are registered as secrets before use)`,
    run: async (ctx: TaskContext) => {
      const result = await runTerraform(ctx, {
        stepId: 'terraform-output',
        what: 'Reading Terraform outputs',
        args,
        cwd: inputs.terraformDir,
        env: { TF_DATA_DIR: files.dataDir },
        quiet: true
      });
      const read = readOutputs(result.stdout, (value) => ctx.log.setSecret(value));
      if (read.kind === 'complete' || strictness === 'strict') {
        ctx.state.tfOutputs = requireOutputs(read);
        return;
      }
      ctx.state.notes.push(
        read.kind === 'empty'
          ? 'Terraform state has no outputs yet (nothing deployed under this state prefix); values that depend on them are placeholders.'
          : `Terraform outputs ${read.missing.join(', ')} are not in the state yet; values that depend on them are placeholders.`
      );
    }
  };
}

/** The Cloud SQL instance of the bundled module; a custom module without it skips the step. */
export const DATABASE_RESOURCE = 'google_sql_database_instance.main';

/**
 * Destroy the database first, on its own: Cloud SQL's peering can only be released once the
 * instance is gone, and the network only deleted once the peering is.
 */
function databaseFirstStep(
  inputs: Inputs,
  files: TerraformFiles,
  env: Readonly<Record<string, string>>
): Step {
  const base = { cwd: inputs.terraformDir, env };
  return {
    kind: 'task',
    id: 'terraform-destroy-database',
    title: 'Destroy the database first',
    mutates: true,
    describe: () =>
      [
        `$ ${displayCommand('terraform', stateListArgs(), [])}`,
        `If ${DATABASE_RESOURCE} is in the state:`,
        `$ ${displayCommand('terraform', targetedDestroyPlanArgs(inputs, files.databasePlan, [DATABASE_RESOURCE]), [])}`,
        `$ ${displayCommand('terraform', applyPlanArgs(files.databasePlan), [])}`
      ].join('\n'),
    run: async (ctx) => {
      const listed = await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-destroy-database',
        what: 'Listing the Terraform state',
        args: stateListArgs(),
        quiet: true
      });
      const inState = listed.stdout.split('\n').some((line) => line.trim() === DATABASE_RESOURCE);
      if (!inState) {
        ctx.log.info(
          `${DATABASE_RESOURCE} is not in the state (already destroyed): nothing to do.`
        );
        return 'unchanged';
      }
      const planned = await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-destroy-database',
        what: 'Planning the destroy of the database',
        args: targetedDestroyPlanArgs(inputs, files.databasePlan, [DATABASE_RESOURCE]),
        okExitCodes: [0, 2]
      });
      if (planned.exitCode === 0) return 'unchanged';
      await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-destroy-database',
        what: 'Destroying the database',
        args: applyPlanArgs(files.databasePlan)
      });
    }
  };
}

/**
 * Before a destroy: sets deletion_protection=false on the protected resources that exist, with a
 * targeted plan and an apply of exactly that plan. Only existing resources are targeted, so a
 * half-deployed setup never gets anything created on its way out.
 */
function liftProtectionStep(
  inputs: Inputs,
  files: TerraformFiles,
  env: Readonly<Record<string, string>>
): Step {
  const base = { cwd: inputs.terraformDir, env };
  return {
    kind: 'task',
    id: 'terraform-lift-protection',
    title: 'Lift deletion protection',
    mutates: true,
    describe: () =>
      [
        `$ ${displayCommand('terraform', stateListArgs(), [])}`,
        `For those of ${PROTECTED_RESOURCES.join(', ')} in the state:`,
        `$ ${displayCommand('terraform', liftProtectionPlanArgs(inputs, files.liftPlan, ['<each>']), [])}`,
        `$ ${displayCommand('terraform', applyPlanArgs(files.liftPlan), [])}   (only if that plan has changes)`
      ].join('\n'),
    run: async (ctx) => {
      const listed = await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-lift-protection',
        what: 'Listing the Terraform state',
        args: stateListArgs(),
        quiet: true
      });
      const inState = new Set(listed.stdout.split('\n').map((line) => line.trim()));
      const targets = PROTECTED_RESOURCES.filter((address) => inState.has(address));
      if (targets.length === 0) {
        ctx.log.info('No protected resource is in the state; nothing to unlock.');
        return 'unchanged';
      }
      const planned = await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-lift-protection',
        what: 'Planning to lift deletion protection',
        args: liftProtectionPlanArgs(inputs, files.liftPlan, targets),
        okExitCodes: [0, 2]
      });
      if (planned.exitCode === 0) {
        ctx.log.info('Deletion protection is already off.');
        return 'unchanged';
      }
      await runTerraform(ctx, {
        ...base,
        stepId: 'terraform-lift-protection',
        what: 'Lifting deletion protection',
        args: applyPlanArgs(files.liftPlan)
      });
    }
  };
}
