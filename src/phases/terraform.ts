import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';

export type TerraformMode = 'apply' | 'plan' | 'outputs' | 'drift' | 'destroy';

export function stateBackendPhase(_inputs: Inputs): Phase {
  return { name: 'Terraform state bucket', steps: () => [] };
}

export function terraformPhase(_inputs: Inputs, mode: TerraformMode): Phase {
  return { name: `Terraform ${mode}`, steps: () => [] };
}
