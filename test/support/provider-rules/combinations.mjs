// The variable values that change which arguments a module sets: both values of every bool, each
// value a `contains([…], var.x)` validation allows, empty/non-empty for strings and lists that
// default to empty, and null/set for those that default to null (the module switches on them).
// Other variables keep their default.
import { instances, resourceVariables, variableType, withDefaults } from './module.mjs';

const SAMPLE = 'sample-value';

/** name → the values to try. */
export function variableChoices(module) {
  const choices = {};
  for (const [name, body] of Object.entries(module.variables)) {
    const type = variableType(body);
    const allowed = allowedValues(name, body);
    if (type === 'bool') choices[name] = [true, false];
    else if (allowed) choices[name] = allowed;
    else if (!('default' in body)) choices[name] = [type === 'number' ? 1 : SAMPLE];
    else if (body.default === '') choices[name] = ['', SAMPLE];
    // A null default switches resources off (count); the set value switches them on.
    else if (body.default === null) choices[name] = [null, type === 'number' ? 1 : SAMPLE];
    else if (Array.isArray(body.default) && body.default.length === 0)
      choices[name] = [[], [SAMPLE]];
    else choices[name] = [body.default];
  }
  return choices;
}

/** The literal list of a `contains(["A", "B"], var.NAME)` validation, if it has one. */
function allowedValues(name, body) {
  for (const v of body.validation ?? []) {
    const m = new RegExp(`contains\\(\\[([^\\]]*)\\],\\s*var\\.${name}\\)`).exec(
      String(v.condition)
    );
    if (m) return JSON.parse(`[${m[1]}]`);
  }
  return undefined;
}

/** Every combination of the choices, as variable assignments. */
export function* combinations(choices) {
  const names = Object.keys(choices);
  const at = names.map(() => 0);
  for (;;) {
    yield Object.fromEntries(names.map((n, i) => [n, choices[n][at[i]]]));
    let i = 0;
    while (i < names.length && ++at[i] === choices[names[i]].length) at[i++] = 0;
    if (i === names.length) return;
  }
}

/**
 * Every resource checked under every combination of the choices of the variables it reads (the
 * provider's rules are per resource, so this covers every combination of the whole module):
 * { violations: [{ …violation, vars }], checked: address → combinations }.
 */
export function checkAllCombinations(module, rules, check) {
  const choices = variableChoices(module);
  const violations = new Map();
  const checked = {};
  for (const resource of module.resources) {
    const own = Object.fromEntries(
      [...resourceVariables(module, resource)].sort().map((name) => [name, choices[name]])
    );
    const address = `${resource.type}.${resource.name}`;
    checked[address] = 0;
    for (const vars of combinations(own)) {
      checked[address] += 1;
      const list = instances(module, withDefaults(module, vars), [resource]);
      for (const v of check(rules, list)) {
        const key = `${v.address} ${v.summary} ${v.detail}`;
        if (!violations.has(key)) violations.set(key, { ...v, vars });
      }
    }
  }
  return { violations: [...violations.values()], checked, choices };
}
