/** Publishes a run's results: the job summary (and, later, pull request comments and drift issues). */
import type { Inputs } from '../inputs.js';
import type { RunState } from '../engine/state.js';
import type { PhaseReport, TaskContext } from '../engine/types.js';
import type { ActionIO } from '../run.js';
import { redact } from '../engine/redact.js';

export interface PublishArgs {
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly reports: readonly PhaseReport[];
  readonly failure: Error | undefined;
  readonly ctx: TaskContext;
  readonly io: ActionIO;
  readonly secrets: readonly string[];
}

export function renderSummary(args: Omit<PublishArgs, 'ctx' | 'io'>): string {
  const { inputs, reports, failure } = args;
  const lines = [
    `## Flyte on GKE: ${inputs.command} ${inputs.projectId}/${inputs.clusterName}`,
    ''
  ];
  lines.push(failure ? `**Failed:** ${failure.message}` : '**Succeeded.**', '');
  lines.push('| Phase | Duration | Steps run | Changing steps |', '| --- | ---: | ---: | ---: |');
  for (const phase of reports) {
    const ran = phase.steps.filter((s) => s.status === 'ran');
    lines.push(
      `| ${phase.name} | ${(phase.durationMs / 1000).toFixed(1)} s | ${ran.length} | ${ran.filter((s) => s.mutates).length} |`
    );
  }
  return redact(lines.join('\n'), args.secrets);
}

export async function publishResults(args: PublishArgs): Promise<void> {
  await args.io.appendSummary(renderSummary(args));
}

/** What the dry run prints under "what would be posted". */
export function renderPostsPreview(inputs: Inputs, _state: RunState): string {
  return `## What would be posted\nJob summary for ${inputs.command} ${inputs.projectId}/${inputs.clusterName}.\n`;
}
