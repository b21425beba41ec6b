import type { Inputs } from '../inputs.js';
import type { Phase } from '../engine/types.js';

export function authPhase(_inputs: Inputs): Phase {
  return { name: 'Authenticate to Google Cloud', steps: () => [] };
}

export function clusterCredentialsPhase(_inputs: Inputs): Phase {
  return { name: 'Cluster credentials', steps: () => [] };
}
