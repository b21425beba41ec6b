/**
 * The pull request comment for one cluster: status, console URL, the Terraform plan (counts,
 * resources by action, the full plan collapsed) and the Helm change. Always under GitHub's
 * 65,536-character limit: a long plan is cut on a line boundary with a link to the run.
 */
import { unsafeChoiceWarnings, type Inputs } from '../inputs.js';
import { redact } from '../engine/redact.js';
import type { RunState } from '../engine/state.js';
import { codeBlock, cutOnLine, details, inlineCode } from './markdown.js';
import { commentMarker } from './marker.js';
import { parse } from 'yaml';
import { fingerprintMarker } from '../review/fingerprint.js';
import { valuesKeyChanges } from './values-diff.js';
import {
  chartChange,
  maskedValuesChanged,
  MASKED_ONLY_CHANGE,
  planSection,
  statusLine,
  valuesDiff
} from './sections.js';

/** GitHub rejects a longer comment body with 422. */
export const COMMENT_LIMIT = 65_536;
/** What we allow ourselves, leaving room for redaction markers and fences. */
export const COMMENT_BUDGET = 60_000;
const VALUES_DIFF_BUDGET = 15_000;
/** The plan counts, resource table and attribute changes together. */
const PLAN_SECTION_BUDGET = 20_000;

export interface CommentArgs {
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly failure: Error | undefined;
  readonly secrets: readonly string[];
  /** This run's page; the full plan is in its job summary. */
  readonly runUrl: string | undefined;
  /** What triggered the run, for the footer (e.g. `push abc1234`). */
  readonly trigger: string;
}

export function renderComment(args: CommentArgs): string {
  const { inputs, state, secrets } = args;
  const head = [
    commentMarker(inputs),
    `### Flyte on GKE · ${inlineCode(inputs.command)} · ${inlineCode(`${inputs.projectId}/${inputs.clusterName}`)}`,
    '',
    statusLine(inputs, state, args.failure)
  ];
  for (const warning of unsafeChoiceWarnings(inputs)) head.push('', `> [!WARNING]\n> ${warning}`);
  for (const warning of state.warnings) head.push('', `> [!WARNING]\n> ${warning}`);
  if (state.consoleUrl) head.push('', `**Flyte console:** ${state.consoleUrl}`);
  head.push(...reviewLines(inputs, state));

  // The table and attribute lists are cut to what fits; the job summary has them whole.
  const plan = [Infinity, 200, 50, 10, 0]
    .map((limit) => planSection(state, limit))
    .find((section) => (section?.length ?? 0) <= PLAN_SECTION_BUDGET);
  const helm = helmSection(inputs, state, secrets);
  const runLink = args.runUrl ? `[run](${args.runUrl})` : 'run';
  const footer = `<sub>Updated by ${runLink} · ${args.trigger}</sub>`;

  const build = (planText: string) =>
    redact(
      [
        ...head,
        ...(plan !== undefined ? ['', '#### Terraform plan', '', plan] : []),
        ...(planText ? ['', planText] : []),
        ...(helm ? ['', '#### Helm', '', helm] : []),
        '',
        footer
      ].join('\n'),
      secrets
    );

  const withoutPlan = build('');
  const fullPlan = state.planText ? redact(state.planText, secrets) : '';
  if (!fullPlan) return withoutPlan;
  // The plan gets whatever the rest leaves, minus room for the fence and the cut notice.
  const room = COMMENT_BUDGET - withoutPlan.length - 600;
  const cut = cutOnLine(fullPlan, Math.max(0, room));
  const notice = cut.cut
    ? `\n\n✂️ The plan was cut at ${cut.text.split('\n').length} of ${fullPlan.split('\n').length} lines; the full plan is in the job summary of the ${runLink}.`
    : '';
  return build(details('Full Terraform plan', codeBlock(cut.text, 'hcl')) + notice);
}

/**
 * The plan's fingerprint: a plan comment carries its own, a deploy keeps the reviewed one (never
 * its own: a deploy that differs must not turn its plan into a reviewed one) and says what differs.
 */
function reviewLines(inputs: Inputs, state: RunState): string[] {
  const lines: string[] = [];
  const carried = inputs.command === 'plan' ? state.planFingerprint : state.reviewedFingerprint;
  if (state.reviewDifferences?.length) {
    lines.push(
      '',
      '🛑 **Not applied: the deploy planned something other than what was reviewed here.**',
      ...state.reviewDifferences.map((d) => `- ${d}`),
      '',
      'A new pull request (or a new commit here) gets a plan to review.'
    );
  }
  if (carried) {
    lines.push(
      '',
      inputs.command === 'plan'
        ? `Plan fingerprint ${inlineCode(carried.hex.slice(0, 12))}: the deploy after the merge applies only a plan with this fingerprint.`
        : `Reviewed plan fingerprint ${inlineCode(carried.hex.slice(0, 12))}.`,
      fingerprintMarker(carried)
    );
  }
  return lines;
}

function helmSection(inputs: Inputs, state: RunState, secrets: readonly string[]): string {
  const lines = [`Chart: ${chartChange(inputs, state)}`];
  if (inputs.command === 'destroy') return lines.join('\n');
  const diff = valuesDiff(state, secrets);
  const previous = state.previousRelease?.values;
  const desired =
    state.valuesPreview !== undefined && !state.dryRun ? parse(state.valuesPreview) : undefined;
  if (previous && desired && typeof desired === 'object') {
    // Against a deployed release: the keys that change, not a digest or a wall of YAML.
    const keys = valuesKeyChanges(previous, desired as Record<string, unknown>, secrets);
    if (keys.length === 0)
      lines.push(
        '',
        maskedValuesChanged(state, inputs.chartVersion) ? MASKED_ONLY_CHANGE : 'Values unchanged.'
      );
    else {
      const cut = cutOnLine(keys.map((k) => `- ${k}`).join('\n'), VALUES_DIFF_BUDGET);
      const more = cut.cut ? '\n\n(cut; see the job summary)' : '';
      lines.push(
        '',
        details(
          `Values: ${keys.length} keys change (secrets redacted)`,
          codeBlock(cut.text, 'text') + more
        )
      );
    }
  } else if (diff) {
    const cut = cutOnLine(diff, VALUES_DIFF_BUDGET);
    const more = cut.cut ? '\n\n(diff cut; see the job summary)' : '';
    lines.push(
      '',
      details('Values to install (secrets redacted)', codeBlock(cut.text, 'diff') + more)
    );
  }
  return lines.join('\n');
}
