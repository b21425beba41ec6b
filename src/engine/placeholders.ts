/** The state a dry run plans with: every value a real run would learn, as a readable placeholder. */
import type { Inputs } from '../inputs.js';
import { RunState } from './state.js';

export function dryRunState(inputs: Inputs): RunState {
  const state = new RunState(true);
  state.planHasChanges = true;
  state.workDir = '$RUNNER_TEMP/flyte-gke';
  state.tfOutputs = {
    cloudsqlIp: '<cloudsql_ip>',
    cloudsqlPassword: '<cloudsql_password>',
    cloudsqlUser: '<cloudsql_user>',
    cloudsqlDatabase: '<cloudsql_database>',
    clusterLocation: inputs.region,
    clusterName: inputs.clusterName,
    bucketName: '<bucket_name>',
    projectId: inputs.projectId,
    serviceAccount: '<service_account>',
    ...(inputs.ingress
      ? { staticIpAddress: '<static_ip_address>', staticIpName: inputs.staticIpName }
      : {})
  };
  return state;
}
