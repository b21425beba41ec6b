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
  readonly change?: {
    readonly actions?: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
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
    .map((c) => {
      const action = planAction(c.change?.actions);
      const forcedBy = (c.change?.replace_paths ?? []).map((p) => p.join('.'));
      const attributes = action === 'update' || action === 'replace' ? changedAttributes(c) : [];
      return {
        address: c.deposed ? `${c.address ?? '?'} (deposed ${c.deposed})` : (c.address ?? '?'),
        type: c.type ?? '?',
        action,
        ...(forcedBy.length > 0 ? { forcedBy } : {}),
        ...(attributes.length > 0 ? { attributes } : {})
      };
    })
    .filter((r) => r.action !== 'no-op' && r.action !== 'read');
}

const SENSITIVE = '(sensitive)';
const UNKNOWN = '(known after apply)';

/** Leaves of a planned value as dotted paths, sensitive ones masked, unknown ones marked. */
function leaves(
  value: unknown,
  sensitive: unknown,
  unknown: unknown,
  prefix = ''
): Map<string, string> {
  const out = new Map<string, string>();
  if (sensitive === true) return out.set(prefix, SENSITIVE);
  if (unknown === true) return out.set(prefix, UNKNOWN);
  const child = (shape: unknown, key: string | number) =>
    shape && typeof shape === 'object'
      ? (shape as Record<string | number, unknown>)[key]
      : undefined;
  if (Array.isArray(value) || (value && typeof value === 'object')) {
    const keys = new Set([
      ...Object.keys(value as object),
      ...(unknown && typeof unknown === 'object' ? Object.keys(unknown) : [])
    ]);
    for (const key of keys) {
      const path = prefix ? `${prefix}.${key}` : key;
      for (const [p, v] of leaves(
        (value as Record<string, unknown>)[key],
        child(sensitive, key),
        child(unknown, key),
        path
      ))
        out.set(p, v);
    }
    return out;
  }
  if (value === undefined) return out;
  return out.set(prefix, JSON.stringify(value));
}

/** At most this many changed attributes per resource in the comment. */
const MAX_ATTRIBUTES = 8;

/** `path: before → after` for each attribute an update or replacement changes. */
function changedAttributes(c: JsonChange): string[] {
  const before = leaves(c.change?.before, c.change?.before_sensitive, undefined);
  const after = leaves(c.change?.after, c.change?.after_sensitive, c.change?.after_unknown);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const lines = paths
    .filter((p) => before.get(p) !== after.get(p) || after.get(p) === UNKNOWN)
    .filter((p) => !(before.get(p) === SENSITIVE && after.get(p) === SENSITIVE))
    .map((p) => `${p}: ${before.get(p) ?? '(none)'} → ${after.get(p) ?? '(none)'}`);
  return lines.length > MAX_ATTRIBUTES
    ? [...lines.slice(0, MAX_ATTRIBUTES), `… and ${lines.length - MAX_ATTRIBUTES} more`]
    : lines;
}

/** Resources that hold data: destroying or replacing one loses it. */
export const STATEFUL_TYPES = [
  'google_sql_database_instance',
  'google_sql_database',
  'google_storage_bucket',
  'google_container_cluster'
] as const;

export type PlanRisk = 'data-loss' | 'destructive' | 'safe';

/** 🛑 data-loss, ⚠️ destructive (any other destroy or replace), ✅ safe. */
export function planRisk(summary: PlanSummary): PlanRisk {
  const destroys = summary.resources.filter((r) => r.action === 'delete' || r.action === 'replace');
  if (destroys.some((r) => (STATEFUL_TYPES as readonly string[]).includes(r.type)))
    return 'data-loss';
  return destroys.length > 0 ? 'destructive' : 'safe';
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
