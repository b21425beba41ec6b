/** A Mermaid flowchart of what the action deploys; GitHub renders it in the job summary. */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';

/** Mermaid labels are HTML: entity-encode what could break out of a quoted label. */
function label(...lines: string[]): string {
  const escape = (text: string) =>
    text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
  return `"${lines.map(escape).join('<br/>')}"`;
}

export function deploymentDiagram(inputs: Inputs, state: RunState): string {
  const tf = state.tfOutputs;
  const pool = inputs.gpuPool;
  const lines = [
    'flowchart LR',
    `  gha[${label('GitHub Actions', `command: ${inputs.command}`)}]`,
    `  subgraph gcp[${label(`GCP project ${inputs.projectId} · ${inputs.region}`)}]`,
    `    gke[${label(`GKE cluster ${inputs.clusterName}`, inputs.autopilot ? 'Autopilot' : `Standard · ${inputs.nodeMachineType}`)}]`
  ];
  if (pool) {
    lines.push(
      `    gpu[${label('GPU node pool', `${pool.acceleratorCount} × ${pool.acceleratorType} on ${pool.machineType}`, `${pool.minNodes} to ${pool.maxNodes} nodes`)}]`
    );
  }
  lines.push(
    `    flyte[${label(`flyte-binary ${inputs.chartVersion}`, `release ${inputs.releaseName} in ${inputs.namespace}`)}]`,
    `    sql[(${label('Cloud SQL PostgreSQL', tf ? `private IP ${tf.cloudsqlIp}` : 'private IP')})]`,
    `    gcs[(${label('GCS bucket', tf?.bucketName ?? 'data bucket')})]`
  );
  if (inputs.ingress) {
    const host =
      state.domain ??
      inputs.domain ??
      (tf?.staticIpAddress ? `${tf.staticIpAddress}.sslip.io` : 'IP.sslip.io');
    lines.push(`    ing[${label('Ingress · static IP · managed certificate', host)}]`);
    if (inputs.iap) lines.push(`    iap[${label('Identity-Aware Proxy')}]`);
  }
  lines.push('  end', '  gha -->|workload identity| gke');
  if (pool) lines.push('  gke --> gpu');
  lines.push('  gke --> flyte', '  flyte --> sql', '  flyte --> gcs');
  if (inputs.ingress) {
    lines.push(`  users((${label('Users')}))`);
    if (inputs.iap) lines.push('  users --> iap', '  iap --> ing');
    else lines.push('  users --> ing');
    lines.push('  ing --> flyte');
  }
  return ['```mermaid', ...lines, '```'].join('\n');
}
