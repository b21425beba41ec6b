/**
 * Reads `terraform show -json PLANFILE` into a PlanSummary. Counts follow Terraform's own
 * "Plan: X to add, Y to change, Z to destroy" line: a replacement counts as one add and one
 * destroy; reads and no-ops count nothing.
 */
import { StepError } from '../errors.js';
import type { PlanAction, PlanSummary, PlannedResource } from '../engine/state.js';

interface JsonChange {
  readonly address?: string;
  readonly type?: string;
  readonly mode?: string;
  readonly deposed?: string;
  readonly change?: { readonly actions?: readonly string[] };
}

interface JsonPlan {
  readonly format_version?: string;
  readonly resource_changes?: readonly JsonChange[];
  readonly resource_drift?: readonly JsonChange[];
}

export function readPlanJson(text: string, stepId: string): JsonPlan {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch {
    throw new StepError(
      stepId,
      'terraform show -json did not print JSON; cannot summarise the plan.'
    );
  }
  if (typeof plan !== 'object' || plan === null || Array.isArray(plan)) {
    throw new StepError(stepId, 'terraform show -json printed something other than a plan object.');
  }
  const version = (plan as JsonPlan).format_version;
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new StepError(
      stepId,
      `terraform show -json printed plan format ${JSON.stringify(version)}; this action reads format 1.x (Terraform 1.x).`
    );
  }
  return plan as JsonPlan;
}

/** Terraform's action list for one resource, as one action. */
export function planAction(actions: readonly string[] | undefined): PlanAction {
  const list = actions ?? [];
  if (list.includes('create') && list.includes('delete')) return 'replace';
  for (const action of ['create', 'update', 'delete', 'read'] as const) {
    if (list.includes(action)) return action;
  }
  return 'no-op';
}

function plannedResources(changes: readonly JsonChange[] | undefined): PlannedResource[] {
  return (changes ?? [])
    .map((c) => ({
      address: c.deposed ? `${c.address ?? '?'} (deposed ${c.deposed})` : (c.address ?? '?'),
      type: c.type ?? '?',
      action: planAction(c.change?.actions)
    }))
    .filter((r) => r.action !== 'no-op' && r.action !== 'read');
}

export function summarisePlan(plan: JsonPlan): PlanSummary {
  const resources = plannedResources(plan.resource_changes);
  const count = (...actions: PlanAction[]) =>
    resources.filter((r) => actions.includes(r.action)).length;
  return {
    add: count('create', 'replace'),
    change: count('update'),
    destroy: count('delete', 'replace'),
    resources
  };
}

/** Resources Terraform found changed or deleted outside Terraform since the last apply. */
export function driftedOutside(plan: JsonPlan): string[] {
  return plannedResources(plan.resource_drift).map((r) =>
    r.action === 'delete'
      ? `${r.address} was deleted outside Terraform`
      : `${r.address} was changed outside Terraform`
  );
}

/** One line per pending change, for drift reports: `google_x.y: update`. */
export function describeChanges(summary: PlanSummary): string[] {
  return summary.resources.map((r) => `${r.address}: ${r.action}`);
}

/** Resources grouped by type with the count of each action, sorted by type. */
export function resourcesByType(
  summary: PlanSummary
): { type: string; actions: Partial<Record<PlanAction, number>> }[] {
  const byType = new Map<string, Partial<Record<PlanAction, number>>>();
  for (const r of summary.resources) {
    const actions = byType.get(r.type) ?? {};
    actions[r.action] = (actions[r.action] ?? 0) + 1;
    byType.set(r.type, actions);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, actions]) => ({ type, actions }));
}

/** `Plan: 3 to add, 1 to change, 0 to destroy.` as Terraform words it. */
export function planLine(summary: PlanSummary): string {
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}
