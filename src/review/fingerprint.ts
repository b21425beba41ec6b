/**
 * The fingerprint of a plan: what reviewers saw in the pull request comment, in a form the deploy
 * after the merge can compare with its own plan. It covers the resource changes (address, actions
 * and planned values, sensitive ones masked, unknown ones marked), the data sources the plan read
 * (their values, masked the same way: an `external` program's answer is one), the module's files,
 * its lock file, the chart version and archive digest, and the digest of the values sources. The
 * marker carries the parts too, so a mismatch can say what differs.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../values/digest.js';

export interface JsonResourceChange {
  readonly address?: string;
  readonly mode?: string;
  readonly deposed?: string;
  readonly change?: {
    readonly actions?: readonly string[];
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly after_sensitive?: unknown;
  };
}

export interface PlanFingerprint {
  /** sha256 of the whole. */
  readonly hex: string;
  /** `ACTIONS ADDRESS#DIGEST` per changing resource, sorted. */
  readonly resources: readonly string[];
  /** `ADDRESS#DIGEST` per data source read, sorted. */
  readonly dataSources: readonly string[];
  readonly chartVersion: string;
  /** sha256 of the chart archive the run installs. */
  readonly chartDigest: string;
  readonly valuesDigest: string;
  /** See review/module-digest.ts. */
  readonly moduleDigest: string;
  readonly lockDigest: string;
}

const SENSITIVE = '(sensitive)';
const UNKNOWN = '(known after apply)';

/** The planned values with sensitive leaves masked and unknown ones marked. */
function maskedAfter(after: unknown, unknown: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(after)) {
    return after.map((item, i) =>
      maskedAfter(
        item,
        Array.isArray(unknown) ? unknown[i] : undefined,
        Array.isArray(sensitive) ? sensitive[i] : undefined
      )
    );
  }
  if (after !== null && typeof after === 'object') {
    const keys = new Set([
      ...Object.keys(after),
      ...(unknown && typeof unknown === 'object' ? Object.keys(unknown) : [])
    ]);
    const out: Record<string, unknown> = {};
    for (const key of [...keys].sort()) {
      out[key] = maskedAfter(
        (after as Record<string, unknown>)[key],
        unknown && typeof unknown === 'object'
          ? (unknown as Record<string, unknown>)[key]
          : undefined,
        sensitive && typeof sensitive === 'object'
          ? (sensitive as Record<string, unknown>)[key]
          : undefined
      );
    }
    return out;
  }
  if (after === undefined && unknown && typeof unknown === 'object') {
    return maskedAfter({}, unknown, sensitive);
  }
  return after ?? null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One line per resource that changes; no-ops and reads are not part of what is reviewed. */
export function resourceChangeLines(changes: readonly JsonResourceChange[] | undefined): string[] {
  return (changes ?? [])
    .filter((c) => c.mode !== 'data')
    .map((c) => ({ c, actions: [...(c.change?.actions ?? [])] }))
    .filter(({ actions }) => actions.some((a) => a !== 'no-op' && a !== 'read'))
    .map(({ c, actions }) => {
      const address = c.deposed ? `${c.address ?? '?'} (deposed ${c.deposed})` : (c.address ?? '?');
      const values = maskedAfter(
        c.change?.after,
        c.change?.after_unknown,
        c.change?.after_sensitive
      );
      return `${actions.join('+')} ${address}#${sha256(canonicalJson(values)).slice(0, 12)}`;
    })
    .sort();
}

/** The `values` and `sensitive_values` of one resource in a plan's state representation. */
interface JsonStateResource {
  readonly address?: string;
  readonly mode?: string;
  readonly values?: unknown;
  readonly sensitive_values?: unknown;
}

interface JsonStateModule {
  readonly resources?: readonly JsonStateResource[];
  readonly child_modules?: readonly JsonStateModule[];
}

export interface JsonPlanSources {
  readonly resource_changes?: readonly JsonResourceChange[];
  readonly prior_state?: { readonly values?: { readonly root_module?: JsonStateModule } } | null;
}

function stateResources(module: JsonStateModule | undefined): JsonStateResource[] {
  if (!module) return [];
  return [
    ...(module.resources ?? []),
    ...(module.child_modules ?? []).flatMap((child) => stateResources(child))
  ];
}

/**
 * One line per data source: those read while planning are in the prior state with their values;
 * those that can only be read during the apply are resource changes with the action `read`.
 */
export function dataSourceLines(plan: JsonPlanSources): string[] {
  const read = stateResources(plan.prior_state?.values?.root_module ?? undefined)
    .filter((r) => r.mode === 'data')
    .map(
      (r) =>
        `${r.address ?? '?'}#${sha256(canonicalJson(maskedAfter(r.values, undefined, r.sensitive_values))).slice(0, 12)}`
    );
  const deferred = (plan.resource_changes ?? [])
    .filter((c) => c.mode === 'data')
    .map(
      (c) =>
        `${c.address ?? '?'} (read during apply)#${sha256(
          canonicalJson(
            maskedAfter(c.change?.after, c.change?.after_unknown, c.change?.after_sensitive)
          )
        ).slice(0, 12)}`
    );
  return [...read, ...deferred].sort();
}

export function planFingerprint(parts: Omit<PlanFingerprint, 'hex'>): PlanFingerprint {
  const hex = sha256(
    canonicalJson({
      resources: parts.resources,
      dataSources: parts.dataSources,
      chartVersion: parts.chartVersion,
      chartDigest: parts.chartDigest,
      valuesDigest: parts.valuesDigest,
      moduleDigest: parts.moduleDigest,
      lockDigest: parts.lockDigest
    })
  );
  return { hex, ...parts };
}

const MARKER = /<!-- flyte-gke-fingerprint: (\{.*?\}) -->/s;

/** The hidden line the plan comment carries. `--` cannot occur inside an HTML comment. */
export function fingerprintMarker(fingerprint: PlanFingerprint): string {
  return `<!-- flyte-gke-fingerprint: ${JSON.stringify(fingerprint).replace(/--/g, '-\\u002d')} -->`;
}

export function readFingerprintMarker(body: string): PlanFingerprint | undefined {
  const match = MARKER.exec(body);
  if (!match) return undefined;
  try {
    const parsed = JSON.parse(match[1]!) as PlanFingerprint;
    if (typeof parsed.hex !== 'string' || !Array.isArray(parsed.resources)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** What differs between the reviewed fingerprint and this run's, in words; empty when equal. */
export function fingerprintDifferences(
  reviewed: PlanFingerprint,
  current: PlanFingerprint
): string[] {
  if (reviewed.hex === current.hex) return [];
  const differences: string[] = [];
  if (reviewed.chartVersion !== current.chartVersion) {
    differences.push(
      `chart version: reviewed ${reviewed.chartVersion}, now ${current.chartVersion}`
    );
  }
  const short = (digest: string | undefined) => (digest ?? 'none').slice(0, 12);
  if (reviewed.chartDigest !== current.chartDigest) {
    differences.push(
      `chart archive: reviewed SHA-256 ${short(reviewed.chartDigest)}, now ${short(current.chartDigest)}`
    );
  }
  if (reviewed.moduleDigest !== current.moduleDigest) {
    differences.push(
      `Terraform module files: reviewed ${short(reviewed.moduleDigest)}, now ${short(current.moduleDigest)} (a .tf file or the var file changed)`
    );
  }
  if (reviewed.lockDigest !== current.lockDigest) {
    differences.push(
      `Terraform lock file: reviewed ${short(reviewed.lockDigest)}, now ${short(current.lockDigest)} (provider versions or checksums changed)`
    );
  }
  const reviewedData = new Set(reviewed.dataSources ?? []);
  const currentData = new Set(current.dataSources);
  const changedData = new Set(
    [
      ...current.dataSources.filter((line) => !reviewedData.has(line)),
      ...[...reviewedData].filter((line) => !currentData.has(line))
    ].map((line) => line.split('#')[0]!)
  );
  for (const address of [...changedData].sort()) {
    differences.push(`data source read differently: ${address}`);
  }
  if (reviewed.valuesDigest !== current.valuesDigest) {
    differences.push(
      `Helm values: reviewed ${reviewed.valuesDigest.slice(0, 12)}, now ${current.valuesDigest.slice(0, 12)} (the values files or inputs changed)`
    );
  }
  const key = (line: string) => line.split('#')[0]!;
  const reviewedByKey = new Map(reviewed.resources.map((line) => [key(line), line]));
  const currentByKey = new Map(current.resources.map((line) => [key(line), line]));
  for (const [name, line] of currentByKey) {
    const seen = reviewedByKey.get(name);
    if (seen === undefined) differences.push(`not in the reviewed plan: ${name}`);
    else if (seen !== line)
      differences.push(`planned values differ from the reviewed plan: ${name}`);
  }
  for (const name of reviewedByKey.keys()) {
    if (!currentByKey.has(name)) differences.push(`reviewed but no longer planned: ${name}`);
  }
  if (differences.length === 0) differences.push('the plans differ');
  return differences;
}
