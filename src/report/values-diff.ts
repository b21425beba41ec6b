/**
 * A line diff between the Helm values deployed now and the values about to be deployed. Both
 * sides are redacted: secret-looking keys become *** and every known secret is masked.
 */
import { parse, stringify } from 'yaml';
import { redact } from '../engine/redact.js';
import { DIGEST_ANNOTATION } from '../values/digest.js';
import { secretKeysOf } from '../values/secret-values.js';

/**
 * A copy of Helm values with secret-looking values replaced by ***: secret-looking keys, and the
 * `value` of a pair whose `name` looks like a credential's (`{name: API_SECRET, value: ...}`).
 */
export function redactValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValues);
  if (typeof value !== 'object' || value === null) return value;
  const masked = secretKeysOf(value as Record<string, unknown>);
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      masked.has(key) && inner !== null && inner !== undefined && inner !== ''
        ? '***'
        : redactValues(inner)
    ])
  );
}

/** The digest annotation changes with every chart bump; it says nothing a reviewer can use. */
function withoutDigest(values: Record<string, unknown>): Record<string, unknown> {
  const deployment = values.deployment as { annotations?: Record<string, unknown> } | undefined;
  if (!deployment?.annotations || !(DIGEST_ANNOTATION in deployment.annotations)) return values;
  const { [DIGEST_ANNOTATION]: _digest, ...annotations } = deployment.annotations;
  void _digest;
  return { ...values, deployment: { ...deployment, annotations } };
}

/** The withoutDigest form for the release record: what the diff compares, nothing more. */
export function comparableValues(values: Record<string, unknown>): unknown {
  return redactValues(withoutDigest(values));
}

export function deployedValuesYaml(values: Record<string, unknown>, secrets: readonly string[]) {
  return redact(stringify(redactValues(withoutDigest(values))), secrets);
}

/** Leaves of a values tree as `dotted.path: value` (lists whole), for the key-by-key comparison. */
function valueLeaves(
  value: unknown,
  prefix = '',
  out = new Map<string, string>()
): Map<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      valueLeaves(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/**
 * The keys whose values differ, `path: before → after` (added and removed keys too), redacted,
 * the digest annotation left out: what a chart bump or a values change really changes.
 */
export function valuesKeyChanges(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  secrets: readonly string[]
): string[] {
  const a = valueLeaves(redactValues(withoutDigest(before)));
  const b = valueLeaves(redactValues(withoutDigest(after)));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) =>
      redact(
        a.has(k) && b.has(k)
          ? `${k}: ${a.get(k)} → ${b.get(k)}`
          : a.has(k)
            ? `${k}: removed (was ${a.get(k)})`
            : `${k}: added ${b.get(k)}`,
        secrets
      )
    );
}

/**
 * The values preview (commented YAML, secrets already masked) in the same plain form as the
 * deployed values, so that equal values give equal text.
 */
export function previewValuesYaml(preview: string, secrets: readonly string[]): string {
  const values = parse(preview) as unknown;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return '';
  return deployedValuesYaml(values as Record<string, unknown>, secrets);
}

/** Lines too many for the quadratic diff: say so instead of diffing. */
const MAX_DIFF_LINES = 3000;
const CONTEXT = 2;

/**
 * A unified-style diff (`-` old, `+` new, two-space context), with long unchanged runs folded.
 * Empty when both sides are equal.
 */
export function lineDiff(before: string, after: string): string {
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.join('\n') === b.join('\n')) return '';
  if (a.length + b.length > MAX_DIFF_LINES) {
    return `(values differ; ${a.length} lines before and ${b.length} after, too long to diff here)`;
  }
  const ops = diffOps(a, b);
  const out: string[] = [];
  ops.forEach((op, index) => {
    if (op.kind !== ' ') return out.push(`${op.kind} ${op.line}`);
    const near = ops
      .slice(Math.max(0, index - CONTEXT), index + CONTEXT + 1)
      .some((other) => other.kind !== ' ');
    if (near) out.push(`  ${op.line}`);
    else if (out[out.length - 1] !== '  …') out.push('  …');
  });
  return out.join('\n');
}

interface Op {
  readonly kind: ' ' | '-' | '+';
  readonly line: string;
}

/** Longest common subsequence by dynamic programming; values files are a few hundred lines. */
function diffOps(a: readonly string[], b: readonly string[]): Op[] {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * cols + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * cols + j + 1]! + 1
          : Math.max(lcs[(i + 1) * cols + j]!, lcs[i * cols + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! });
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * cols + j]! >= lcs[i * cols + j + 1]!) {
      ops.push({ kind: '-', line: a[i]! });
      i += 1;
    } else {
      ops.push({ kind: '+', line: b[j]! });
      j += 1;
    }
  }
  while (i < a.length) ops.push({ kind: '-', line: a[i++]! });
  while (j < b.length) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

function splitLines(text: string): string[] {
  const trimmed = text.replace(/\n+$/, '');
  return trimmed === '' ? [] : trimmed.split('\n');
}
