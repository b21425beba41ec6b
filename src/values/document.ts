/**
 * Small helpers over the `yaml` Document API that change values in place, so comments (before a
 * key and after a value) survive patching.
 */
import { isMap, isScalar, type Document } from 'yaml';

export type ValuePath = readonly (string | number)[];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets one value; an existing scalar keeps its node (and so its comments and quoting). */
export function setValue(doc: Document, path: ValuePath, value: unknown): void {
  const node = doc.getIn(path, true);
  const primitive = value === null || ['string', 'number', 'boolean'].includes(typeof value);
  if (isScalar(node) && primitive) {
    node.value = value;
    return;
  }
  doc.setIn(path, doc.createNode(value));
}

/**
 * Merges `extra` into the document the way Helm merges a later values file: maps key by key,
 * anything else (lists included) replaces. A null is kept, so Helm drops that chart default.
 */
export function mergeValues(doc: Document, extra: unknown, path: ValuePath = []): void {
  if (!isPlainObject(extra)) {
    setValue(doc, path, extra);
    return;
  }
  const existing = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (path.length > 0 && !isMap(existing)) {
    setValue(doc, path, extra);
    return;
  }
  for (const [key, value] of Object.entries(extra)) mergeValues(doc, value, [...path, key]);
}

/** Every leaf key path of a plain value (maps descend; lists and scalars are leaves). */
export function leafPaths(value: unknown, path: ValuePath = []): ValuePath[] {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [path];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...path, key]));
}
