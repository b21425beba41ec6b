/**
 * Deploy and upgrade read the database password from Secret Manager, the one place it is kept
 * (Terraform state and plan files never hold it, see terraform/database-password.tf). It is a
 * secret from the moment it is read: never echoed, registered before the step returns.
 */
import { StepError } from '../errors.js';
import { runChecked } from '../engine/run-checked.js';
import type { TaskStep } from '../engine/types.js';
import { displayCommand } from '../engine/redact.js';
import { accessSecretVersionArgs, isSecretVersionName } from '../tools/gcloud/secrets.js';

const STEP = 'database-password';

export function databasePasswordStep(): TaskStep {
  return {
    kind: 'task',
    id: STEP,
    title: 'Read the database password from Secret Manager',
    mutates: false,
    describe: (state) =>
      `$ ${displayCommand('gcloud', accessSecretVersionArgs(state.tfOutputs?.cloudsqlPasswordSecret ?? '<cloudsql_password_secret>'), [])}\n(output not echoed; registered as a secret and written only into the 0600 values file)`,
    run: async (ctx) => {
      const name = ctx.state.tfOutputs?.cloudsqlPasswordSecret ?? '';
      // A module output becomes an argument: only a version name, never a flag or an alias.
      if (!isSecretVersionName(name)) {
        throw new StepError(
          STEP,
          `Terraform output cloudsql_password_secret is ${JSON.stringify(name)}, not a Secret Manager version (projects/P/secrets/S/versions/N). A custom terraform-dir module must output the version holding the database password (see terraform/outputs.tf).`
        );
      }
      const result = await runChecked(ctx, {
        stepId: STEP,
        title: 'Reading the database password from Secret Manager',
        tool: 'gcloud',
        args: accessSecretVersionArgs(name),
        quiet: true,
        explainFailure: (r) =>
          /PERMISSION_DENIED|versions\.access/.test(r.stderr)
            ? `The deployer may not read ${name}: it needs secretmanager.versions.access (roles/secretmanager.admin in the README's quick start). The planner never has it, by design.`
            : undefined
      });
      const password = result.stdout.replace(/\r?\n$/, '');
      if (password === '') {
        throw new StepError(STEP, `Secret Manager version ${name} holds no password.`);
      }
      ctx.log.setSecret(password);
      ctx.state.databasePassword = password;
    }
  };
}
