/**
 * Flyte on the cluster, one file per concern: values (flyte-values.ts), release reads
 * (flyte-release.ts), install (flyte-install.ts), the IAP OAuth Secret (flyte-oauth-secret.ts),
 * uninstall (flyte-uninstall.ts), drift (flyte-drift.ts), ingress and IAP (flyte-ingress.ts).
 * This file maps a Helm mode to its phase.
 */
import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';
import { driftSteps } from './flyte-drift.js';
import { installSteps } from './flyte-install.js';
import { liveReleaseReadSteps } from './release-record.js';
import { uninstallSteps } from './flyte-uninstall.js';

export { iapPhase, ingressPhase } from './flyte-ingress.js';
export { flyteDrift } from './flyte-drift.js';
export { valuesPhase } from './flyte-values.js';

/** `preview` only reads the release, so a plan can show the chart and values change. */
export type HelmMode = 'install' | 'uninstall' | 'drift' | 'preview';

export function helmPhase(inputs: Inputs, mode: HelmMode): Phase {
  switch (mode) {
    case 'install':
      return { name: 'Install Flyte with Helm', steps: (state) => installSteps(inputs, state) };
    case 'uninstall':
      return { name: 'Uninstall Flyte', steps: () => uninstallSteps(inputs) };
    case 'drift':
      return { name: 'Flyte drift check', steps: () => driftSteps(inputs) };
    case 'preview':
      // The planner reads no Secret: the live Deployment and the record, not `helm get`.
      return { name: 'Read the Flyte release', steps: () => liveReleaseReadSteps(inputs) };
  }
}
