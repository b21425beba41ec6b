// The provider-rule check the tests and the stand-in terraform share: the module's HCL evaluated
// under variable values, checked against test/contracts/google-provider-rules.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatViolation, moduleViolations } from './check.mjs';
import { fromCommandLine, instances, loadModule, UNKNOWN, withDefaults } from './module.mjs';

export const RULES_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../contracts/google-provider-rules.json'
);

let rules;
export const providerRules = () => (rules ??= JSON.parse(readFileSync(RULES_FILE, 'utf8')));

/**
 * What `terraform plan` would refuse in the module at `dir` given its -var texts, or `terraform
 * validate` (no variables: all unknown) when `commandLineVars` is undefined.
 */
export async function ruleErrors(dir, commandLineVars) {
  const module = await loadModule(dir);
  const vars = commandLineVars
    ? withDefaults(module, fromCommandLine(module, commandLineVars))
    : Object.fromEntries(Object.keys(module.variables).map((name) => [name, UNKNOWN]));
  return moduleViolations(providerRules(), instances(module, vars)).map(formatViolation);
}

export { formatViolation, moduleViolations } from './check.mjs';
export { lookup, violations } from './check.mjs';
export { checkAllCombinations, variableChoices } from './combinations.mjs';
export {
  everyInstance,
  instances,
  loadModule,
  META_ARGUMENTS,
  withDefaults,
  UNKNOWN
} from './module.mjs';
