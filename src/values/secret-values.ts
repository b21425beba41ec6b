/**
 * Which Helm values are credentials. Two shapes hold them: a key that names a credential
 * (`password: ...`), and a name/value pair whose name does (`extraEnvVars: [{name: API_SECRET,
 * value: ...}]`, the shape of every container env entry). The one place the values preview, the
 * values diff and the release record ask, so all of them mask the same values.
 */

/** Keys whose values are credentials; `...Ref` keys name a Secret and are kept. */
export const SECRET_KEY =
  /(password|secret|token|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|credentials?|api[_-]?key)$/i;

/**
 * Names (environment variables and the like) whose `value` is a credential: anything holding
 * password, passwd, secret, token, credential, or ending in KEY (API_KEY, AWS_SECRET_ACCESS_KEY).
 * Broad on purpose: a masked harmless value costs a line of diff, a shown secret costs the secret.
 */
export const SECRET_NAME = /(pass(word|wd)|secret|token|credential|(^|[_.-])key$|api[_-]?key)/i;

/** The entry keys that name a pair's value, and the key that holds it. */
const NAME_KEYS = ['name', 'key'] as const;
const VALUE_KEY = 'value';

type Scalar = string | number | boolean | null | undefined;
const isScalar = (v: unknown): v is Scalar => v === null || typeof v !== 'object';

/**
 * The keys of one map whose scalar values must be masked: secret-looking keys, and `value` when a
 * sibling `name` (or `key`) looks like a credential's name.
 */
export function secretKeysOf(entries: Readonly<Record<string, unknown>>): Set<string> {
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(entries)) {
    if (SECRET_KEY.test(key) && isScalar(value)) keys.add(key);
  }
  const named = NAME_KEYS.some((k) => {
    const name = entries[k];
    return typeof name === 'string' && SECRET_NAME.test(name);
  });
  if (named && isScalar(entries[VALUE_KEY])) keys.add(VALUE_KEY);
  return keys;
}

/**
 * Shorter values (`true`, `on`, a port) would mask ordinary words in every log line; they are
 * masked in place only.
 */
const MIN_MASKED_ANYWHERE = 8;

/** Every secret value in a values tree, so the run can also mask it wherever else it shows. */
export function secretValuesOf(values: unknown, out: string[] = []): string[] {
  if (Array.isArray(values)) {
    for (const item of values) secretValuesOf(item, out);
  } else if (values !== null && typeof values === 'object') {
    const entries = values as Record<string, unknown>;
    for (const key of secretKeysOf(entries)) {
      const value = entries[key];
      if (typeof value === 'string' && value.length >= MIN_MASKED_ANYWHERE) out.push(value);
    }
    for (const inner of Object.values(entries)) secretValuesOf(inner, out);
  }
  return out;
}
