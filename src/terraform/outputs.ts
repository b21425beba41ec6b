/**
 * Reads `terraform output -json` ({name: {sensitive, type, value}}) into TerraformOutputs.
 * Every sensitive value is handed to `registerSecret` before the function returns anything,
 * so no later log line, output or summary can show it unmasked.
 */
import { StepError } from '../errors.js';
import type { TerraformOutputs } from '../engine/state.js';

interface JsonOutput {
  readonly sensitive?: boolean;
  readonly type?: unknown;
  readonly value?: unknown;
}

/** The module's output names, as the guide names them, for each field the action reads. */
export const REQUIRED_OUTPUTS = {
  cloudsqlIp: 'cloudsql_ip',
  cloudsqlPasswordSecret: 'cloudsql_password_secret',
  cloudsqlUser: 'cloudsql_user',
  cloudsqlDatabase: 'cloudsql_database',
  clusterLocation: 'gke_cluster_location',
  clusterName: 'gke_cluster_name',
  bucketName: 'bucket_name',
  projectId: 'project_id',
  serviceAccount: 'service_account'
} as const satisfies Partial<Record<keyof TerraformOutputs, string>>;

/** Present only when ingress is on (null outputs are left out of `output -json`). */
export const OPTIONAL_OUTPUTS = {
  staticIpAddress: 'static_ip_address',
  staticIpName: 'static_ip_name',
  /** The VPC, so a destroy can release Cloud SQL's peering before Terraform deletes it. */
  networkName: 'network_name',
  /** Deprecated: one account for every domain's task pods (custom modules, older states). */
  tasksServiceAccount: 'tasks_service_account',
  /** Flyte 2: the one account every task pod runs as (none for Flyte 1). */
  flyte2TasksServiceAccount: 'flyte2_tasks_service_account',
  /** Pod address range: the tasks' NetworkPolicy leaves it out of "outside the cluster". */
  podsCidr: 'pods_cidr',
  /** The Cloud SQL instance: backups before a chart upgrade and before destroy name it. */
  cloudsqlInstance: 'cloudsql_instance'
} as const satisfies Partial<Record<keyof TerraformOutputs, string>>;

/** Read when a module gives them; the bundled module no longer does. */
export const DEPRECATED_OUTPUTS = [OPTIONAL_OUTPUTS.tasksServiceAccount] as const;

/** Map outputs (domain to account); a module without one runs tasks as tasks_service_account. */
export const OPTIONAL_MAP_OUTPUTS = {
  /** Each Flyte domain's task account: production cannot write development's data. */
  taskServiceAccounts: 'task_service_accounts'
} as const satisfies Partial<Record<keyof TerraformOutputs, string>>;

/**
 * Outputs masked even when a module forgets `sensitive = true`: the password output of releases
 * before the password left the state (a custom module may still declare it; it is never used).
 */
export const SENSITIVE_OUTPUTS = ['cloudsql_password'] as const;

const STEP = 'terraform-output';

export type OutputsResult =
  | { readonly kind: 'complete'; readonly outputs: TerraformOutputs }
  | { readonly kind: 'empty' }
  | { readonly kind: 'incomplete'; readonly missing: readonly string[] };

/** Parses without judging: an empty state (first run) and missing outputs are answers too. */
export function readOutputs(text: string, registerSecret: (value: string) => void): OutputsResult {
  let json: unknown;
  try {
    json = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw new StepError(STEP, 'terraform output -json did not print JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new StepError(STEP, 'terraform output -json printed something other than an object.');
  }
  const all = json as Record<string, JsonOutput | undefined>;
  // Mask first: whatever happens next, sensitive values are already secrets. A legacy password
  // output is masked even if a custom module forgot to mark it sensitive.
  const secrets = new Set<string>();
  for (const [name, output] of Object.entries(all)) {
    const sensitive =
      output?.sensitive === true || (SENSITIVE_OUTPUTS as readonly string[]).includes(name);
    if (sensitive && typeof output?.value === 'string' && output.value !== '')
      secrets.add(output.value);
  }
  for (const secret of secrets) registerSecret(secret);
  if (Object.keys(all).length === 0) return { kind: 'empty' };

  const stringOutput = (name: string): string | undefined => {
    const value = all[name]?.value;
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      throw new StepError(
        STEP,
        `Terraform output ${name} is ${JSON.stringify(all[name]?.type ?? typeof value)}, expected a string.`
      );
    }
    return value;
  };
  const missing = Object.values(REQUIRED_OUTPUTS).filter(
    (name) => stringOutput(name) === undefined
  );
  if (missing.length > 0) return { kind: 'incomplete', missing };

  const required = Object.fromEntries(
    Object.entries(REQUIRED_OUTPUTS).map(([field, name]) => [field, stringOutput(name) as string])
  ) as Pick<TerraformOutputs, keyof typeof REQUIRED_OUTPUTS>;
  const optional: Partial<Record<keyof typeof OPTIONAL_OUTPUTS, string>> = {};
  for (const [field, name] of Object.entries(OPTIONAL_OUTPUTS) as [
    keyof typeof OPTIONAL_OUTPUTS,
    string
  ][]) {
    const value = stringOutput(name);
    if (value) optional[field] = value;
  }
  const maps: { -readonly [K in keyof typeof OPTIONAL_MAP_OUTPUTS]?: Record<string, string> } = {};
  for (const [field, name] of Object.entries(OPTIONAL_MAP_OUTPUTS) as [
    keyof typeof OPTIONAL_MAP_OUTPUTS,
    string
  ][]) {
    const value = all[name]?.value;
    if (value === undefined || value === null) continue;
    const entries = typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
    if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'string' || v === '')) {
      throw new StepError(
        STEP,
        `Terraform output ${name} is ${JSON.stringify(all[name]?.type ?? typeof value)}, expected a map of non-empty strings.`
      );
    }
    maps[field] = Object.freeze(Object.fromEntries(entries) as Record<string, string>);
  }
  return { kind: 'complete', outputs: Object.freeze({ ...required, ...optional, ...maps }) };
}

/** The strict reading: every required output must be there, or the error names the missing. */
export function requireOutputs(result: OutputsResult): TerraformOutputs {
  if (result.kind === 'complete') return result.outputs;
  if (result.kind === 'empty') {
    throw new StepError(
      STEP,
      'Terraform state has no outputs: nothing is deployed under this state bucket and prefix yet. Run the deploy command first, or check state-bucket and state-prefix.'
    );
  }
  throw new StepError(
    STEP,
    `Terraform outputs ${result.missing.join(', ')} are missing. A custom terraform-dir module must declare them (see the module shipped with the action), and a deploy must have applied it.`
  );
}

export function parseOutputs(
  text: string,
  registerSecret: (value: string) => void
): TerraformOutputs {
  return requireOutputs(readOutputs(text, registerSecret));
}
