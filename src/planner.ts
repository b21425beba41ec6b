/**
 * Pure planning: the command and inputs decide which phases run, in which order. Each phase
 * module builds its own steps; this file only composes them.
 */
import type { Inputs } from './inputs.js';
import type { Phase } from './engine/types.js';
import { toolsPhase } from './phases/tools.js';
import { authPhase, clusterCredentialsPhase } from './phases/auth.js';
import { deployTerraformPhases, stateBackendPhase, terraformPhase } from './phases/terraform.js';
import { reviewGatePhase, reviewPhase } from './phases/review.js';
import { planReadAheadPhase, READ_AHEAD_AFTER, readAheadPhase } from './phases/read-ahead.js';
import { chartCheckPhase } from './phases/chart-check.js';
import { legacyLayoutPhase } from './phases/legacy-ingress.js';
import { helmPhase, iapPhase, ingressPhase, valuesPhase } from './phases/flyte.js';
import { proofPhase } from './phases/proof.js';
import { finalBackupPhase } from './phases/database-backup.js';
import { preflightPhase } from './phases/preflight.js';

/** Skips a phase that needs the cluster when Terraform state holds nothing (destroy run twice). */
function whenDeployed(phase: Phase): Phase {
  return {
    name: phase.name,
    steps: (state) =>
      state.tfOutputs
        ? phase.steps(state)
        : [
            {
              kind: 'task',
              id: 'nothing-deployed',
              title: 'Nothing deployed',
              mutates: false,
              describe: () => 'Skipped when Terraform state holds no cluster.',
              run: async (ctx) =>
                ctx.log.info(`${phase.name}: skipped, Terraform state holds no cluster.`)
            }
          ]
  };
}

export function planCommand(inputs: Inputs): Phase[] {
  const setup = [toolsPhase(inputs), authPhase(inputs)];
  switch (inputs.command) {
    case 'deploy':
      return [
        // GitHub alone decides whether there is a reviewed plan: asked before any tool runs.
        reviewGatePhase(inputs),
        ...setup,
        // Read-only checks of the project, before the state bucket or Terraform changes anything.
        preflightPhase(inputs),
        stateBackendPhase(inputs),
        ...deployTerraformPhases(
          inputs,
          { after: READ_AHEAD_AFTER, phase: readAheadPhase(inputs) },
          reviewPhase(inputs),
          chartCheckPhase(inputs),
          legacyLayoutPhase(inputs)
        ),
        clusterCredentialsPhase(inputs),
        valuesPhase(inputs),
        helmPhase(inputs, 'install'),
        ...(inputs.ingress ? [ingressPhase(inputs)] : []),
        ...(inputs.iap ? [iapPhase(inputs)] : []),
        ...(inputs.ingress && inputs.verifyAfterDeploy ? [proofPhase(inputs)] : [])
      ];
    case 'plan':
      return [
        reviewGatePhase(inputs),
        ...setup,
        preflightPhase(inputs),
        stateBackendPhase(inputs),
        {
          ...terraformPhase(inputs, 'plan'),
          alongside: { after: READ_AHEAD_AFTER, phase: planReadAheadPhase(inputs) }
        },
        reviewPhase(inputs),
        valuesPhase(inputs),
        // Read-only: what is deployed now, so the comment shows the chart and values change.
        whenDeployed(clusterCredentialsPhase(inputs)),
        whenDeployed(helmPhase(inputs, 'preview'))
      ];
    case 'upgrade':
      return [
        reviewGatePhase(inputs),
        ...setup,
        terraformPhase(inputs, 'outputs'),
        clusterCredentialsPhase(inputs),
        valuesPhase(inputs),
        helmPhase(inputs, 'install'),
        ...(inputs.ingress ? [ingressPhase(inputs)] : []),
        ...(inputs.iap ? [iapPhase(inputs)] : []),
        ...(inputs.ingress && inputs.verifyAfterDeploy ? [proofPhase(inputs)] : [])
      ];
    case 'destroy':
      return [
        reviewGatePhase(inputs),
        ...setup,
        terraformPhase(inputs, 'outputs'),
        // Before anything is removed; a failed backup stops the destroy here.
        finalBackupPhase(inputs),
        whenDeployed(clusterCredentialsPhase(inputs)),
        whenDeployed(helmPhase(inputs, 'uninstall')),
        terraformPhase(inputs, 'destroy')
      ];
    case 'drift':
      return [
        ...setup,
        terraformPhase(inputs, 'drift'),
        clusterCredentialsPhase(inputs),
        valuesPhase(inputs),
        helmPhase(inputs, 'drift')
      ];
    case 'verify':
      // Read-only, for a schedule: the outputs from state, then the proof from outside.
      return [
        ...setup,
        terraformPhase(inputs, 'outputs'),
        clusterCredentialsPhase(inputs),
        proofPhase(inputs)
      ];
  }
}
