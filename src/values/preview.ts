/** A copy of the values that is safe to show: secret-looking values become `***`. */
import { isMap, isPair, isScalar, visit, type Document } from 'yaml';
import { redact } from '../engine/redact.js';

const MASK = '***';
/**
 * Keys whose values are credentials; `...Ref` keys name a Secret and are kept. The one list both
 * the values preview and the values diff use, so the two always mask the same keys.
 */
export const SECRET_KEY =
  /(password|secret|token|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|api[_-]?key)$/i;

export function redactedPreview(doc: Document, secrets: readonly string[] = []): string {
  const copy = doc.clone();
  visit(copy, {
    Pair(_key, pair, path) {
      const parent = path[path.length - 1];
      if (!isMap(parent) || !isPair(pair) || !isScalar(pair.key) || !isScalar(pair.value)) return;
      const key = String(pair.key.value);
      const value = pair.value.value;
      if (SECRET_KEY.test(key) && typeof value === 'string' && value.length > 0) {
        pair.value.value = MASK;
      }
    }
  });
  return redact(copy.toString(), secrets);
}
