/** Google Cloud credentials for the job, then a private kubeconfig for the cluster. */
import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';
import type { RunState } from '../engine/state.js';
import { authenticate, describeAuth } from '../auth/authenticate.js';
import {
  clusterRef,
  describeClusterCredentials,
  fetchClusterCredentials
} from '../auth/kubeconfig.js';
import { readAheadCredentialsHold } from './read-ahead.js';

export function authPhase(inputs: Inputs): Phase {
  return {
    name: 'Authenticate to Google Cloud',
    steps: () => [
      {
        kind: 'task',
        id: 'auth',
        title: inputs.workloadIdentityProvider
          ? 'Authenticate with workload identity federation'
          : 'Reuse existing Google Cloud credentials',
        mutates: false,
        describe: () => describeAuth(inputs),
        run: (ctx) => authenticate(ctx)
      }
    ]
  };
}

export function clusterCredentialsPhase(inputs: Inputs): Phase {
  return {
    name: 'Cluster credentials',
    steps: () => [
      {
        kind: 'task',
        id: 'cluster-credentials',
        title: 'Get cluster credentials into a private kubeconfig',
        mutates: false,
        // A deploy and a plan read the cluster while Terraform plans; the others fetch always.
        ...(inputs.command === 'deploy' || inputs.command === 'plan'
          ? {
              when: {
                test: (state: RunState) => !readAheadCredentialsHold(inputs, state),
                describe:
                  'the credentials read while Terraform planned do not serve (none, or the plan makes a new cluster)',
                skipped: (state: RunState) =>
                  `the credentials for cluster ${state.readAheadCluster?.name ?? ''} fetched while Terraform planned still serve: the plan keeps the cluster.`
              }
            }
          : {}),
        describe: (state) => describeClusterCredentials(clusterRef(inputs, state)),
        run: (ctx) => fetchClusterCredentials(ctx)
      }
    ]
  };
}
