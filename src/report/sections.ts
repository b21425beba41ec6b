/** Markdown sections the pull request comment and the job summary share. */
import type { Inputs } from '../inputs.js';
import type { PlanAction, PlanSummary, PlannedResource, RunState } from '../engine/state.js';
import { planRisk, STATEFUL_TYPES } from '../terraform/plan-summary.js';
import { codeBlock, details, inlineCode } from './markdown.js';
import { deployedValuesYaml, lineDiff, previewValuesYaml } from './values-diff.js';

const ACTION_ORDER: readonly PlanAction[] = ['create', 'update', 'replace', 'delete', 'read'];
const ACTION_LABEL: Record<PlanAction, string> = {
  create: '➕ create',
  update: '🔄 update',
  replace: '♻️ replace',
  delete: '🗑️ delete',
  read: '📖 read',
  'no-op': 'no-op'
};

export function planCounts(plan: PlanSummary): string {
  if (plan.add + plan.change + plan.destroy === 0) return 'No changes to infrastructure.';
  return `**${plan.add} to add, ${plan.change} to change, ${plan.destroy} to destroy.**`;
}

/** A table of the resources the plan touches, grouped by action. */
export function resourcesByAction(plan: PlanSummary, limit = Infinity): string {
  const rows = ACTION_ORDER.map((action) => ({
    action,
    addresses: plan.resources.filter((r) => r.action === action).map((r) => r.address)
  })).filter((row) => row.addresses.length > 0);
  if (rows.length === 0) return '';
  const listed = (addresses: string[]) => {
    const shown = addresses.slice(0, limit).map(inlineCode);
    if (addresses.length > limit)
      shown.push(`… and ${addresses.length - limit} more (job summary)`);
    return shown.join('<br>');
  };
  return [
    '| Action | Count | Resources |',
    '| --- | ---: | --- |',
    ...rows.map(
      (row) =>
        `| ${ACTION_LABEL[row.action]} | ${row.addresses.length} | ${listed(row.addresses)} |`
    )
  ].join('\n');
}

const isStateful = (type: string) => (STATEFUL_TYPES as readonly string[]).includes(type);

/**
 * What a reviewer must see first: 🛑 when data would be lost (a database, the data bucket or the
 * cluster destroyed or replaced, listed with what forces it), ⚠️ for any other destroy or
 * replacement, ✅ otherwise.
 */
export function riskHeadline(plan: PlanSummary): string {
  const risk = planRisk(plan);
  if (risk === 'safe') return '✅ **No resource is destroyed or replaced.**';
  const destroyed = plan.resources
    .filter((r) => r.action === 'delete' || r.action === 'replace')
    .sort((a, b) => Number(isStateful(b.type)) - Number(isStateful(a.type)));
  const line = (r: PlannedResource) =>
    `- ${isStateful(r.type) ? '🛑 ' : ''}${inlineCode(r.address)}: ${r.action === 'replace' ? 'replaced' : 'destroyed'}${r.forcedBy?.length ? ` (forced by ${r.forcedBy.map(inlineCode).join(', ')})` : ''}`;
  return [
    risk === 'data-loss'
      ? '🛑 **Data would be lost: a stateful resource is destroyed or replaced.**'
      : '⚠️ **Resources are destroyed or replaced.**',
    ...destroyed.map(line)
  ].join('\n');
}

/** Each update's changed attributes, before → after (sensitive redacted). */
export function attributeChanges(plan: PlanSummary, limit = Infinity): string {
  const all = plan.resources.filter((r) => r.attributes?.length);
  if (all.length === 0) return '';
  const changed = all.slice(0, limit);
  const more =
    all.length > limit ? `\n\n… and ${all.length - limit} more resources (job summary)` : '';
  return details(
    'Changed attributes',
    changed
      .map(
        (r) =>
          `${inlineCode(r.address)} (${r.action})\n${r.attributes!.map((a) => `- ${inlineCode(a)}`).join('\n')}`
      )
      .join('\n\n') + more
  );
}

/** Lines describing the Terraform plan, or undefined when no plan ran. */
export function planSection(state: RunState, limit = Infinity): string | undefined {
  if (state.planSummary) {
    const table = resourcesByAction(state.planSummary, limit);
    return [
      riskHeadline(state.planSummary),
      planCounts(state.planSummary),
      table,
      attributeChanges(state.planSummary, limit)
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  if (state.planHasChanges === false) return 'No changes to infrastructure.';
  if (state.planHasChanges === true && state.dryRun)
    return 'A dry run plans nothing: a real run lists here each resource the plan would change.';
  if (state.planHasChanges === true) return 'The plan has changes (no resource list was recorded).';
  return undefined;
}

const strip = (version: string) => version.replace(/^v/, '');

/**
 * The chart version from the release this run found (or "not installed") to the one it deploys.
 * The release as found is kept apart from the one read after an upgrade, so a first install never
 * reads as unchanged.
 */
export function chartChange(inputs: Inputs, state: RunState): string {
  const to = inputs.chartVersion;
  if (inputs.command === 'destroy') {
    const from = (state.previousRelease ?? state.deployedRelease)?.chartVersion;
    return from ? `flyte-binary ${inlineCode(from)} → uninstalled` : 'flyte-binary → uninstalled';
  }
  const from = state.previousRelease?.chartVersion;
  if (!from) return `flyte-binary: not installed → ${inlineCode(to)}`;
  if (strip(from) === strip(to)) return `flyte-binary ${inlineCode(to)} (unchanged)`;
  return `flyte-binary ${inlineCode(from)} → ${inlineCode(to)}`;
}

/**
 * The redacted diff from the values of the release as found (`helm get values`) to the values
 * this run deploys, both as plain YAML; '' when there is nothing to compare or nothing changed.
 */
export function valuesDiff(state: RunState, secrets: readonly string[]): string {
  // A dry run prints the values once, in its runbook; the previews of the posts refer to it.
  if (state.valuesPreview === undefined || state.dryRun) return '';
  const previous = state.previousRelease?.values;
  const before = previous ? deployedValuesYaml(previous, secrets) : '';
  return lineDiff(before, previewValuesYaml(state.valuesPreview, secrets));
}

/** Said when the masked values are equal but the digests are not: only a credential changed. */
export const MASKED_ONLY_CHANGE =
  'Only masked values change (a credential in the values, such as a rotated secret); they are never shown.';

/**
 * The values differ from the deployed release's though every shown value is the same. The digest
 * covers the chart version too, so a chart bump alone does not count.
 */
export function maskedValuesChanged(state: RunState, chartVersion: string): boolean {
  const previous = state.previousRelease;
  if (previous?.valuesDigest === undefined || state.valuesDigest === undefined) return false;
  if (strip(previous.chartVersion) !== strip(chartVersion)) return false;
  return previous.valuesDigest !== state.valuesDigest;
}

/** The Helm values part of the summary: the diff, or that nothing changed. */
export function valuesChange(
  state: RunState,
  secrets: readonly string[],
  chartVersion: string
): string {
  if (state.dryRun)
    return 'Values: the patched values are in the runbook above (step "Patch the Helm values").';
  if (state.valuesPreview === undefined) return '';
  const diff = valuesDiff(state, secrets);
  if (!diff)
    return maskedValuesChanged(state, chartVersion)
      ? `Values: ${MASKED_ONLY_CHANGE}`
      : 'Values: no changes.';
  const title = state.previousRelease?.values
    ? 'Values diff against the deployed release (secrets redacted)'
    : 'Values to install (secrets redacted)';
  return details(title, codeBlock(diff, 'diff'));
}

export function statusLine(inputs: Inputs, state: RunState, failure: Error | undefined): string {
  if (failure) return `❌ **${inputs.command} failed:** ${failure.message.split('\n')[0]}`;
  if (state.dryRun) {
    return `🧪 **Dry run: nothing was ${['plan', 'drift', 'verify'].includes(inputs.command) ? 'run' : 'deployed or changed'}.** This is what \`${inputs.command}\` would do and post.`;
  }
  if (inputs.command === 'drift') {
    if (state.driftDetected === undefined) return '✅ Drift check finished.';
    return state.driftDetected ? '⚠️ **Drift detected.**' : '✅ No drift.';
  }
  if (inputs.command === 'plan' && state.planSummary) {
    const risk = planRisk(state.planSummary);
    if (risk === 'data-loss')
      return '🛑 **The plan destroys or replaces a stateful resource: data would be lost.** Nothing was changed yet.';
    if (risk === 'destructive')
      return '⚠️ **The plan destroys or replaces resources.** Nothing was changed yet.';
  }
  const done: Record<Inputs['command'], string> = {
    deploy: '✅ Deployed.',
    upgrade: '✅ Upgraded.',
    plan: '✅ Plan ready; nothing was changed.',
    destroy: '✅ Destroyed.',
    drift: '',
    verify: state.proofChecks.some((c) => c.outcome !== 'pass')
      ? '⏳ **Verified what could be checked;** a link is pending or was not checked (see Proof from outside).'
      : '✅ Verified from outside: Flyte answers at the domain.'
  };
  return done[inputs.command];
}

export function driftList(state: RunState): string {
  return state.driftDetails.map((line) => `- ${line}`).join('\n');
}
