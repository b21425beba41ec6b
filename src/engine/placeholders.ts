/** The state a dry run plans with: every value a real run would learn, as a readable placeholder. */
import type { Inputs } from '../inputs.js';
import { flyteAccess } from '../values/access.js';
import { FLYTE_DOMAINS } from '../values/names.js';
import { RunState } from './state.js';

export function dryRunState(inputs: Inputs): RunState {
  const state = new RunState(true);
  // Every step that follows a plan is shown; upgrade and verify run no plan, so claim none.
  if (inputs.command !== 'upgrade' && inputs.command !== 'verify') state.planHasChanges = true;
  state.workDir = '$RUNNER_TEMP/flyte-gke';
  state.tfOutputs = {
    cloudsqlIp: '<cloudsql_ip>',
    cloudsqlPasswordSecret: '<cloudsql_password_secret>',
    cloudsqlUser: '<cloudsql_user>',
    cloudsqlDatabase: '<cloudsql_database>',
    clusterLocation: inputs.region,
    clusterName: inputs.clusterName,
    bucketName: '<bucket_name>',
    projectId: inputs.projectId,
    serviceAccount: '<service_account>',
    taskServiceAccounts: Object.fromEntries(
      FLYTE_DOMAINS.map((domain) => [domain, `<task_service_accounts.${domain}>`])
    ),
    cloudsqlInstance: '<cloudsql_instance>',
    ...(inputs.flyteVersion === 2
      ? { flyte2TasksServiceAccount: '<flyte2_tasks_service_account>' }
      : {}),
    ...(inputs.ingress
      ? { staticIpAddress: '<static_ip_address>', staticIpName: inputs.staticIpName }
      : {})
  };
  // What a data scientist would get after the deploy: the client-config output and the
  // summary's "Use Flyte from your laptop" section, with the placeholders above.
  if (inputs.command === 'deploy' || inputs.command === 'upgrade') {
    const access = flyteAccess(inputs, state.tfOutputs);
    state.consoleUrl = access.consoleUrl;
    state.clientConfig = access.clientConfig;
    state.clientSteps = access.clientSteps;
  }
  return state;
}
