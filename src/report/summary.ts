/**
 * The job summary every command writes, also on failure: status, console URL, phases with their
 * durations, resources changed, the Helm change, tool versions, client configuration, a diagram
 * and the full plan. Redacted, and cut to stay well under the 1 MiB step summary limit.
 */
import { proofTable } from '../flyte/verify-checks.js';
import { unsafeChoiceWarnings, type Inputs } from '../inputs.js';
import { redact } from '../engine/redact.js';
import type { RunState } from '../engine/state.js';
import type { PhaseReport } from '../engine/types.js';
import { deploymentDiagram } from './diagram.js';
import { codeBlock, cutOnLineBytes, details, inlineCode, seconds } from './markdown.js';
import { chartChange, driftList, planSection, statusLine, valuesChange } from './sections.js';

/** GitHub's limit per step summary is 1 MiB; stay clear of it. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
export const SUMMARY_BUDGET_BYTES = 900 * 1024;

export interface SummaryArgs {
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly reports: readonly PhaseReport[];
  readonly failure: Error | undefined;
  readonly secrets: readonly string[];
  readonly runUrl?: string | undefined;
}

export function renderSummary(args: SummaryArgs): string {
  const { inputs, state, secrets } = args;
  const parts: string[] = [
    `## Flyte on GKE: ${inputs.command} ${inlineCode(`${inputs.projectId}/${inputs.clusterName}`)}`,
    statusLine(inputs, state, args.failure)
  ];
  for (const warning of unsafeChoiceWarnings(inputs)) parts.push(`> [!WARNING]\n> ${warning}`);
  for (const warning of state.warnings) parts.push(`> [!WARNING]\n> ${warning}`);
  if (!args.failure && nothingChanged(inputs, args.reports)) {
    parts.push(
      'Nothing changed: no changing step had to run; the cloud and cluster already match.'
    );
  }
  if (args.failure && args.failure.message.includes('\n')) {
    parts.push(codeBlock(args.failure.message, 'text'));
  }
  if (state.consoleUrl) parts.push(`**Flyte console:** ${state.consoleUrl}`);
  if (args.reports.length > 0) parts.push('### Phases', phaseTable(args.reports));
  if (state.preflight.length > 0) parts.push('### Preflight', preflightLines(state));

  const plan = planSection(state);
  if (plan !== undefined) parts.push('### Resources changed', plan);

  if (inputs.command === 'drift' && state.driftDetails.length > 0) {
    parts.push('### Drift', driftList(state));
  }
  if (state.proofChecks.length > 0) {
    parts.push('### Proof from outside', proofTable(state.proofChecks));
  }
  if (inputs.command !== 'verify') parts.push('### Helm', `Chart: ${chartChange(inputs, state)}`);
  const values = ['destroy', 'verify'].includes(inputs.command)
    ? ''
    : valuesChange(state, secrets, inputs.chartVersion);
  if (values) parts.push(values);

  const tools = toolTable(state);
  if (tools) parts.push('### Tool versions', tools);
  if (state.clientSteps) parts.push('### Use Flyte from your laptop', state.clientSteps);
  if (state.notes.length > 0) {
    parts.push('### Notes', codeBlock(state.notes.join('\n'), 'shell'));
  }
  if (inputs.command === 'destroy' && !args.failure) {
    parts.push('### Deployment', 'Nothing is deployed for this cluster any more.');
  } else {
    parts.push('### Deployment', deploymentDiagram(inputs, state));
  }

  const body = redact(parts.join('\n\n'), secrets);
  if (!state.planText) return `${body}\n`;
  return `${body}\n\n${fullPlan(redact(state.planText, secrets), body, args.runUrl)}\n`;
}

/** One line per preflight check: pass, FAIL or not checked, with what it found. */
function preflightLines(state: RunState): string {
  const mark = { pass: '✅ pass', fail: '❌ FAIL', 'not-checked': '⚠️ not checked' } as const;
  return state.preflight
    .map((r) => `- ${mark[r.status]}: **${r.subject}**: ${r.found.replace(/\n/g, ' ')}`)
    .join('\n');
}

/** The full plan, cut on a line so the whole summary stays within its budget. */
function fullPlan(plan: string, rest: string, runUrl: string | undefined): string {
  const room = SUMMARY_BUDGET_BYTES - Buffer.byteLength(rest, 'utf8') - 1024;
  const cut = cutOnLineBytes(plan, Math.max(0, room));
  const note = cut.cut
    ? `\n\n✂️ Cut at ${cut.text.split('\n').length} of ${plan.split('\n').length} lines to fit the summary; the step log${runUrl ? ` of the [run](${runUrl})` : ''} has all of it.`
    : '';
  return `### Full Terraform plan\n\n${details('Show the plan', codeBlock(cut.text, 'hcl'))}${note}`;
}

/** A deploy, upgrade or destroy in which every changing step was skipped. */
function nothingChanged(inputs: Inputs, reports: readonly PhaseReport[]): boolean {
  if (!['deploy', 'upgrade', 'destroy'].includes(inputs.command) || reports.length === 0)
    return false;
  return !reports.some((phase) => phase.steps.some((s) => s.mutates && s.status === 'ran'));
}

function phaseTable(reports: readonly PhaseReport[]): string {
  const rows = reports.map((phase) => {
    const ran = phase.steps.filter((s) => s.status === 'ran');
    const failed = phase.steps.find((s) => s.status === 'failed');
    const skipped = phase.steps.filter((s) => s.status === 'skipped').length;
    const result = failed
      ? `❌ ${failed.title}`
      : `✅ ${ran.length} ran${skipped ? `, ${skipped} skipped` : ''}`;
    const changing = ran.filter((s) => s.mutates).length;
    return `| ${phase.name} | ${seconds(phase.durationMs)} | ${result} | ${changing} |`;
  });
  return [
    '| Phase | Duration | Steps | Changing steps |',
    '| --- | ---: | --- | ---: |',
    ...rows
  ].join('\n');
}

function toolTable(state: RunState): string {
  const entries = Object.entries(state.tools);
  if (entries.length === 0) return '';
  return [
    '| Tool | Version | Source |',
    '| --- | --- | --- |',
    ...entries.map(([tool, info]) => `| ${tool} | ${inlineCode(info.version)} | ${info.source} |`)
  ].join('\n');
}
