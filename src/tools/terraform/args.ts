/**
 * Argument arrays for every Terraform command the action runs. Pure: no I/O, no shell strings.
 * The module's variables come from one table (terraformVariables) so the HCL contract test can
 * check exactly what is passed.
 */
import path from 'node:path';
import { FLYTE_DOMAINS, flyteNames } from '../../values/names.js';
import type { Inputs } from '../../inputs.js';
import { flyte2Names } from '../../flyte2/names.js';

/** How long a command waits for a state lock another run holds before failing. */
export const LOCK_TIMEOUT = '3m';

const COMMON = ['-input=false', '-no-color'] as const;
const LOCKING = [...COMMON, `-lock-timeout=${LOCK_TIMEOUT}`] as const;

/** The module variables the action sets, by name, as Terraform reads them from `-var`. */
export function terraformVariables(
  inputs: Inputs,
  overrides: Readonly<Record<string, string>> = {}
): Record<string, string> {
  const gpu = inputs.gpuPool;
  return {
    project_id: inputs.projectId,
    region: inputs.region,
    cluster_name: inputs.clusterName,
    autopilot_cluster: String(inputs.autopilot),
    private_nodes: String(inputs.privateNodes),
    node_machine_type: inputs.nodeMachineType,
    gpu_accelerator_type: gpu?.acceleratorType ?? '',
    ...(gpu
      ? {
          gpu_machine_type: gpu.machineType,
          gpu_accelerator_count: String(gpu.acceleratorCount),
          gpu_min_nodes: String(gpu.minNodes),
          gpu_max_nodes: String(gpu.maxNodes),
          gpu_node_locations: JSON.stringify(gpu.zones)
        }
      : {}),
    deletion_protection: String(inputs.deletionProtection),
    database_availability_type: inputs.databaseAvailability.toUpperCase(),
    namespace: inputs.namespace,
    release_name: inputs.releaseName,
    // The one naming rule (values/names.ts), so the workload identity binding names the very
    // service account the chart creates.
    flyte_service_account_name: flyteNames(inputs).fullName,
    // A JSON array is valid HCL, which is how -var reads list values.
    flyte_projects: JSON.stringify(inputs.flyteProjects),
    // Passed, not left to the module's default, so the workload identity bindings always cover
    // exactly the namespaces the Helm values annotate (a tfvars file cannot make them differ).
    flyte_domains: JSON.stringify(FLYTE_DOMAINS),
    ingress: String(inputs.ingress),
    static_ip_name: inputs.staticIpName,
    iap: String(inputs.iap),
    // Flyte 2 only: the module gives its one task namespace a Google account of its own. Left
    // out for Flyte 1, so the module's null default creates nothing.
    ...(inputs.flyteVersion === 2
      ? { flyte2_task_namespace: flyte2Names(inputs).taskNamespace }
      : {}),
    ...overrides
  };
}

/** What a destroy sets on top: protection is lifted first, and the variables say so too. */
export const DESTROY_OVERRIDES = { deletion_protection: 'false' } as const;

/**
 * The action's variables go in a generated `.tfvars.json` beside the plan files, not in `-var`:
 * an undeclared variable in a file is a warning, given with `-var` an error, so a custom module
 * may leave out what it does not use. One file for plans, one with the destroy overrides.
 */
export function actionVarsFile(planFile: string, destroying: boolean): string {
  return path.join(
    path.dirname(planFile),
    destroying ? 'action-destroy.tfvars.json' : 'action.tfvars.json'
  );
}

/** The variables as JSON values, typed as the module declares them (lists, booleans, numbers). */
export function terraformVarsJson(
  inputs: Inputs,
  overrides: Readonly<Record<string, string>> = {}
): string {
  const typed = Object.fromEntries(
    Object.entries(terraformVariables(inputs, overrides)).map(([name, value]) => [
      name,
      value.startsWith('[')
        ? (JSON.parse(value) as unknown)
        : value === 'true' || value === 'false'
          ? value === 'true'
          : /^[0-9]+$/.test(value)
            ? Number(value)
            : value
    ])
  );
  return `${JSON.stringify(typed, null, 2)}\n`;
}

/** The user's var file first, then the action's: the action's inputs win over the same names. */
export function variableArgs(inputs: Inputs, planFile: string, destroying = false): string[] {
  return [
    ...(inputs.terraformVarFile ? [`-var-file=${inputs.terraformVarFile}`] : []),
    `-var-file=${actionVarsFile(planFile, destroying)}`
  ];
}

export function initArgs(inputs: Inputs): string[] {
  return [
    'init',
    ...LOCKING,
    // Never migrate state between backends; a leftover data folder must not prompt.
    '-reconfigure',
    `-backend-config=bucket=${inputs.stateBucket}`,
    `-backend-config=prefix=${inputs.statePrefix}`
  ];
}

/** A plan saved to planFile; exit code 2 (with -detailed-exitcode) means it has changes. */
export function planArgs(inputs: Inputs, planFile: string): string[] {
  return [
    'plan',
    ...LOCKING,
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...variableArgs(inputs, planFile)
  ];
}

/** Protection is off by now (see liftProtectionPlanArgs); the variables say so too. */
export function destroyPlanArgs(inputs: Inputs, planFile: string): string[] {
  return [
    'plan',
    ...LOCKING,
    '-destroy',
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...variableArgs(inputs, planFile, true)
  ];
}

/** Plans the destroy of only the given resources (the database first, see phases/terraform.ts). */
export function targetedDestroyPlanArgs(
  inputs: Inputs,
  planFile: string,
  targets: readonly string[]
): string[] {
  return [
    'plan',
    ...LOCKING,
    '-destroy',
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...targets.map((t) => `-target=${t}`),
    ...variableArgs(inputs, planFile, true)
  ];
}

/** Plans only `deletion_protection = false` on the given resources (before a destroy). */
export function liftProtectionPlanArgs(
  inputs: Inputs,
  planFile: string,
  targets: readonly string[]
): string[] {
  return [
    'plan',
    ...LOCKING,
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...targets.map((t) => `-target=${t}`),
    ...variableArgs(inputs, planFile, true)
  ];
}

/**
 * A read-only comparison of the state with the real resources, for the plan and drift commands:
 * no lock (it writes nothing and must not block a deploy), refreshed, exit 2 when anything differs.
 */
export function driftPlanArgs(inputs: Inputs, planFile: string): string[] {
  return [
    'plan',
    ...COMMON,
    '-lock=false',
    '-refresh=true',
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...variableArgs(inputs, planFile)
  ];
}

export function showJsonArgs(planFile: string): string[] {
  return ['show', '-json', '-no-color', planFile];
}

export function showTextArgs(planFile: string): string[] {
  return ['show', '-no-color', planFile];
}

/** Applies exactly the saved plan: no new plan, no variables, no prompt. */
export function applyPlanArgs(planFile: string): string[] {
  return ['apply', ...LOCKING, planFile];
}

export function outputJsonArgs(): string[] {
  return ['output', '-json', '-no-color'];
}

export function stateListArgs(): string[] {
  return ['state', 'list'];
}
