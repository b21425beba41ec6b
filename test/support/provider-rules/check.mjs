// The checks the provider SDK (terraform-plugin-sdk v2 helper/schema, schemaMap.validate) runs on
// a resource's configuration at validate and plan, over the rules scripts/provider-rules.mjs
// extracted from the provider's Go source: Required, ExactlyOneOf, AtLeastOneOf, RequiredWith,
// ConflictsWith, MaxItems/MinItems and StringInSlice enums. Messages are the SDK's own.
import { UNKNOWN } from './hcl-expression.mjs';

/** The value at an SDK key path ("a.0.b") in a configuration, and whether it is set. */
export function lookup(config, key) {
  let at = config;
  for (const part of key.split('.')) {
    if (at === UNKNOWN) return { set: true, value: UNKNOWN };
    if (Array.isArray(at)) at = at[Number(part)];
    else if (at && typeof at === 'object') at = at[part];
    else at = undefined;
    if (at === undefined || at === null) return { set: false };
  }
  if (Array.isArray(at) && at.length === 0) return { set: false };
  return { set: true, value: at };
}

const sorted = (keys, k) => [...new Set([...keys, k])].sort();

/** Every violation in one resource's configuration: { summary, detail, key }. */
export function violations(fields, config, prefix = '', root = config) {
  const out = [];
  for (const [name, rule] of Object.entries(fields)) {
    const k = prefix ? `${prefix}.${name}` : name;
    const { set, value } = lookup(root, k);
    const push = (summary, detail) => out.push({ summary, detail, key: k });
    if (rule.exactlyOneOf) {
      const all = sorted(rule.exactlyOneOf, k);
      const states = all.map((key) => ({ key, ...lookup(root, key) }));
      const unknown = states.filter((s) => s.set && s.value === UNKNOWN).length;
      const specified = states.filter((s) => s.set && s.value !== UNKNOWN).map((s) => s.key);
      if (specified.length === 0 && unknown === 0) {
        push(
          'Invalid combination of arguments',
          `"${k}": one of \`${all.join(',')}\` must be specified`
        );
        continue;
      }
      if (specified.length > 1) {
        push(
          'Invalid combination of arguments',
          `"${k}": only one of \`${all.join(',')}\` can be specified, but \`${specified.join(',')}\` were specified.`
        );
        continue;
      }
    }
    if (rule.atLeastOneOf) {
      const all = sorted(rule.atLeastOneOf, k);
      if (!all.some((key) => lookup(root, key).set)) {
        push('Missing required argument', `"${k}": one of \`${all.join(',')}\` must be specified`);
        continue;
      }
    }
    if (!set) {
      if (rule.required) {
        push(
          'Missing required argument',
          `The argument "${k}" is required, but no definition was found.`
        );
      }
      continue;
    }
    if (!rule.required && !rule.optional) {
      push(
        'Value for unconfigurable attribute',
        `Can't configure a value for "${k}": its value will be decided automatically based on the result of applying this configuration.`
      );
      continue;
    }
    if (rule.requiredWith) {
      const all = sorted(rule.requiredWith, k);
      if (!all.every((key) => lookup(root, key).set)) {
        push('Missing required argument', `"${k}": all of \`${all.join(',')}\` must be specified`);
        continue;
      }
    }
    // The SDK defers the checks below while a value is unknown (another resource's attribute) and
    // runs them again at apply; they are made at once here, as that apply would fail.
    const conflict = (rule.conflictsWith ?? []).find((key) => {
      const other = lookup(root, key);
      return other.set && other.value !== UNKNOWN;
    });
    if (conflict) {
      push('Conflicting configuration arguments', `"${k}": conflicts with ${conflict}`);
      continue;
    }
    const items = Array.isArray(value) ? value : undefined;
    if (items && rule.maxItems !== undefined && items.length > rule.maxItems) {
      push(
        'Too many list items',
        `Attribute ${k} supports ${rule.maxItems} item maximum, but config has ${items.length} declared.`
      );
      continue;
    }
    if (items && rule.minItems !== undefined && items.length < rule.minItems) {
      push(
        'Not enough list items',
        `Attribute ${k} requires ${rule.minItems} item minimum, but config has only ${items.length} declared.`
      );
      continue;
    }
    if (rule.enum && typeof value === 'string') {
      const allowed = rule.enumIgnoreCase
        ? rule.enum.some((e) => e.toLowerCase() === value.toLowerCase())
        : rule.enum.includes(value);
      // The SDK reports a ValidateFunc's error as the diagnostic's summary.
      if (!allowed) push(`expected ${k} to be one of ${goQuoted(rule.enum)}, got ${value}`, '');
    }
    if (rule.block && items) {
      items.forEach((_, i) => out.push(...violations(rule.block, config, `${k}.${i}`, root)));
    }
  }
  return out;
}

/** A []string as Go's %q prints it: ["a" "b"]. */
const goQuoted = (list) => `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;

/** Violations of every instance whose type the rules cover: { address, file, summary, detail }. */
export function moduleViolations(rules, list) {
  const out = [];
  for (const instance of list) {
    const fields = rules.resources[instance.type];
    if (!fields) continue;
    for (const v of violations(fields, instance.config)) {
      out.push({ address: instance.address, file: instance.file, ...v });
    }
  }
  return out;
}

/** A violation as terraform prints it. */
export const formatViolation = (v) =>
  `╷\n│ Error: ${v.summary}\n│ \n│   with ${v.address},\n│   on ${v.file}\n${v.detail ? `│ \n│ ${v.detail}\n` : ''}╵\n`;
