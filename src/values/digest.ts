/**
 * The digest that tells whether a release already runs the values and chart version we would
 * deploy. It is recorded on the release as a Deployment annotation inside the values themselves
 * (`deployment.annotations`, a key of the chart's defaults), so any Helm 3 or 4 returns it with
 * `helm get values -o json`, and the annotation touches no pod: nothing restarts.
 */
import { createHash } from 'node:crypto';
import type { Document } from 'yaml';
import { setValue } from './document.js';

export const DIGEST_ANNOTATION = 'flyte-gke-action/values-digest';
const DIGEST_PATH = ['deployment', 'annotations', DIGEST_ANNOTATION] as const;

/** JSON with keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** sha256 over the chart version and the canonical values, without any recorded digest. */
export function valuesDigest(values: unknown, chartVersion: string): string {
  const withoutDigest = structuredClone(values) as Record<string, unknown>;
  const annotations = (withoutDigest?.deployment as Record<string, unknown> | undefined)
    ?.annotations as Record<string, unknown> | undefined;
  if (annotations) delete annotations[DIGEST_ANNOTATION];
  return createHash('sha256')
    .update(`${chartVersion}\n${canonicalJson(withoutDigest)}`)
    .digest('hex');
}

export function recordDigest(doc: Document, digest: string): void {
  setValue(doc, DIGEST_PATH, digest);
}

/** The digest recorded in deployed values (`helm get values -o json`), if any. */
export function recordedDigest(values: unknown): string | undefined {
  let node: unknown = values;
  for (const key of DIGEST_PATH) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'string' && node.length > 0 ? node : undefined;
}
