/** A copy of the values that is safe to show: secret-looking values become `***`. */
import { isScalar, visit, type Document } from 'yaml';
import { redact } from '../engine/redact.js';
import { secretKeysOf } from './secret-values.js';

const MASK = '***';

/** Keys the patcher sets (`doc.setIn`) are plain strings, keys parsed from text are Scalars. */
const keyOf = (key: unknown): string => String(isScalar(key) ? key.value : key);

export function redactedPreview(doc: Document, secrets: readonly string[] = []): string {
  const copy = doc.clone();
  visit(copy, {
    Map(_key, map) {
      // The map's scalar entries as plain values, to ask which of them are credentials.
      const scalars: Record<string, unknown> = {};
      for (const pair of map.items) {
        if (isScalar(pair.value)) scalars[keyOf(pair.key)] = pair.value.value;
      }
      const masked = secretKeysOf(scalars);
      for (const pair of map.items) {
        if (!isScalar(pair.value)) continue;
        const value = pair.value.value;
        const empty = value === null || value === undefined || value === '';
        if (!masked.has(keyOf(pair.key)) || empty) continue;
        pair.value.value = MASK;
        // Quoted, or a flow map would print `***`, which YAML reads as an alias.
        pair.value.type = 'QUOTE_DOUBLE';
      }
    }
  });
  return redact(copy.toString(), secrets);
}
