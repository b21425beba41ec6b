/**
 * Deploy and upgrade read the database password from Secret Manager, the one place it is kept
 * (Terraform state and plan files never hold it, see terraform/database-password.tf). It is a
 * secret from the moment it is read: never echoed, registered before the step returns.
 */
import { StepError } from '../errors.js';
import type { TaskStep } from '../engine/types.js';
import { GoogleApiError } from '../gcp/google-api.js';
import {
  accessSecretVersion,
  describeSecretAccess,
  isSecretVersionName
} from '../gcp/secret-version.js';
import { googleOf } from './google-call.js';

const STEP = 'database-password';

export function databasePasswordStep(): TaskStep {
  return {
    kind: 'task',
    id: STEP,
    title: 'Read the database password from Secret Manager',
    mutates: false,
    describe: (state) =>
      `${describeSecretAccess(state.tfOutputs?.cloudsqlPasswordSecret ?? '<cloudsql_password_secret>')}\n(payload.data decoded and checked against payload.dataCrc32c; never echoed, registered as a secret and written only into the 0600 values file)`,
    run: async (ctx) => {
      const name = ctx.state.tfOutputs?.cloudsqlPasswordSecret ?? '';
      // A module output becomes a request path: only a version name, never an alias or more path.
      if (!isSecretVersionName(name)) {
        throw new StepError(
          STEP,
          `Terraform output cloudsql_password_secret is ${JSON.stringify(name)}, not a Secret Manager version (projects/P/secrets/S/versions/N). A custom terraform-dir module must output the version holding the database password (see terraform/outputs.tf).`
        );
      }
      let data: Buffer;
      try {
        data = await accessSecretVersion(googleOf(ctx, STEP), name);
      } catch (error) {
        const denied = error instanceof GoogleApiError && error.httpStatus === 403;
        throw new StepError(
          STEP,
          `Reading the database password from Secret Manager failed: ${(error as Error).message}${denied ? ` The deployer may not read ${name}: it needs secretmanager.versions.access (roles/secretmanager.admin in the README's quick start). The planner never has it, by design.` : ''}`
        );
      }
      // Masked before it leaves this function, in both forms a log line could carry it.
      const base64 = data.toString('base64');
      if (base64 !== '') ctx.log.setSecret(base64);
      // Written by the module without a newline; one at the end is not part of the password.
      const password = data.toString('utf8').replace(/\r?\n$/, '');
      if (password === '') {
        throw new StepError(STEP, `Secret Manager version ${name} holds no password.`);
      }
      ctx.log.setSecret(password);
      ctx.state.databasePassword = password;
    }
  };
}
