import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';

export function toolsPhase(_inputs: Inputs): Phase {
  return { name: 'Install tools', steps: () => [] };
}
