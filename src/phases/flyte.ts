import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';

export type HelmMode = 'install' | 'uninstall' | 'drift';

export function valuesPhase(_inputs: Inputs): Phase {
  return { name: 'Helm values', steps: () => [] };
}

export function helmPhase(_inputs: Inputs, mode: HelmMode): Phase {
  return { name: `Flyte ${mode}`, steps: () => [] };
}

export function ingressPhase(_inputs: Inputs): Phase {
  return { name: 'Ingress', steps: () => [] };
}

export function iapPhase(_inputs: Inputs): Phase {
  return { name: 'Identity-Aware Proxy', steps: () => [] };
}
