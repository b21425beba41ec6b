/** Hidden markers that tie a comment or an issue to one cluster, so it is found and updated. */
import type { Inputs } from '../inputs.js';

export function commentMarker(inputs: Pick<Inputs, 'projectId' | 'clusterName'>): string {
  return `<!-- flyte-gke-action:${inputs.projectId}/${inputs.clusterName} -->`;
}

export function driftMarker(inputs: Pick<Inputs, 'projectId' | 'clusterName'>): string {
  return `<!-- flyte-gke-action:drift:${inputs.projectId}/${inputs.clusterName} -->`;
}

export const DRIFT_LABEL = 'flyte-drift';
