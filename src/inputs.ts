/**
 * The one place that reads action inputs. Everything is parsed and validated here, once, into a
 * frozen object; a bad value fails before any tool runs or any network call is made.
 */
import * as core from '@actions/core';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { ACCELERATORS, acceleratorMismatch } from './gpu.js';
import { RULES, type Rule } from './input-rules.js';
import { unknownRegion, zoneOutsideRegion } from './regions.js';

export const COMMANDS = ['deploy', 'plan', 'upgrade', 'destroy', 'drift', 'verify'] as const;
export type Command = (typeof COMMANDS)[number];
export const FLYTE_VERSIONS = [1, 2] as const;
export type FlyteVersion = (typeof FLYTE_VERSIONS)[number];
/** Flyte 2 runs task pods in one namespace beside the release's: NAMESPACE-tasks. */
export const TASK_NAMESPACE_SUFFIX = '-tasks';
/** The chart each Flyte version installs when chart-version is empty (both pinned by digest). */
export const DEFAULT_CHART_VERSIONS: Readonly<Record<FlyteVersion, string>> = {
  1: 'v1.16.8',
  2: 'v2.0.42'
};

export type ToolVersion =
  | { readonly kind: 'pinned'; readonly version: string }
  | { readonly kind: 'latest' }
  | { readonly kind: 'system' };

export interface GpuPool {
  readonly machineType: string;
  readonly acceleratorType: string;
  readonly acceleratorCount: number;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Zones of the GPU pool (empty: the cluster's). */
  readonly zones: readonly string[];
}

export interface Inputs {
  readonly command: Command;
  readonly projectId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly autopilot: boolean;
  /** Nodes without external IPs, behind the module's Cloud NAT (false is unsafe, announced). */
  readonly privateNodes: boolean;
  readonly nodeMachineType: string;
  /** Set only for Standard clusters with a GPU accelerator type. */
  readonly gpuPool: GpuPool | undefined;
  readonly deletionProtection: boolean;
  /** Cloud SQL: one zone, or a standby in a second zone. */
  readonly databaseAvailability: 'zonal' | 'regional';
  readonly workloadIdentityProvider: string | undefined;
  readonly serviceAccount: string | undefined;
  readonly stateBucket: string;
  readonly statePrefix: string;
  readonly terraformDir: string;
  readonly terraformVarFile: string | undefined;
  readonly valuesFile: string;
  readonly extraValuesFiles: readonly string[];
  readonly chartVersion: string;
  /** Flyte 1 (flyte-binary v1.x, flytekit) or Flyte 2 (flyte-binary v2.x, the `flyte` SDK). */
  readonly flyteVersion: FlyteVersion;
  readonly releaseName: string;
  readonly namespace: string;
  readonly flyteProjects: readonly string[];
  readonly ingress: boolean;
  readonly domain: string | undefined;
  readonly staticIpName: string;
  readonly iap: boolean;
  readonly iapOauthClientId: string | undefined;
  readonly iapOauthClientSecret: string | undefined;
  readonly iapMembers: readonly string[];
  readonly tools: {
    readonly gcloud: ToolVersion;
    readonly terraform: ToolVersion;
    readonly helm: ToolVersion;
    readonly kubectl: ToolVersion;
  };
  readonly toolMirror: string | undefined;
  /** Install tool versions without a digest pinned in the action's source (unsafe, announced). */
  readonly allowUnpinnedTools: boolean;
  /** On GitHub-hosted runners, restore and save the pinned downloads with the Actions cache. */
  readonly cache: boolean;
  /**
   * True: gcloud installs beside the phases for the job's later steps. False: only when a command
   * the action runs needs it (engine/background.ts), so a plan or drift check downloads none.
   */
  readonly installGcloud: boolean;
  readonly githubToken: string | undefined;
  readonly commentOnPr: boolean;
  readonly dryRun: boolean;
  readonly confirmDestroy: string | undefined;
  /** The GitHub environment of the job, for the protection-rules warning. */
  readonly environment: string | undefined;
  readonly timeoutSeconds: number;
  readonly failOnDrift: boolean;
  /** deploy and upgrade with ingress end with the proof from outside (phases/proof.ts). */
  readonly verifyAfterDeploy: boolean;
  /** deploy applies only a plan whose fingerprint was reviewed in the pull request comment. */
  readonly requireReviewedPlan: boolean;
  /** plan: the folder to save the plan file and its manifest into, for a later deploy. */
  readonly savePlan: string | undefined;
  /** deploy: a plan saved by `plan` with save-plan, applied as it is, and the digest it must have. */
  readonly savedPlan: { readonly dir: string; readonly digest: string } | undefined;
  /** An Ingress without IAP was asked for knowingly: the Flyte API is open to the internet. */
  readonly allowUnauthenticated: boolean;
  /** Task pods may reach flyte-binary's API ports (FlyteRemote or eager workflows in a task). */
  readonly tasksReachFlyteApi: boolean;
  /** An on-demand Cloud SQL backup before a chart version change (off: unsafe, announced). */
  readonly backupBeforeUpgrade: boolean;
  /** destroy takes an on-demand Cloud SQL backup first, kept after the instance (off: unsafe). */
  readonly finalBackup: boolean;
  /** Where the workspace is; relative paths in inputs are resolved against it. */
  readonly workspace: string;
}

/** Reads one raw input value ('' when unset), as `core.getInput` does. */
export type ReadInput = (name: string) => string;

/** The real reader; the only call to `core.getInput` in the action. */
export const readActionInput: ReadInput = (name) => core.getInput(name);

export interface InputContext {
  /** The action's own checkout, holding the bundled terraform/ and helm/ folders. */
  readonly actionRoot: string;
  readonly workspace: string;
}

/** The warning every surface shows when the Flyte API is public without authentication. */
export function exposureWarning(inputs: Pick<Inputs, 'ingress' | 'iap'>): string | undefined {
  return inputs.ingress && !inputs.iap
    ? 'The Flyte API is open to the internet without authentication (ingress: true, iap: false, allow-unauthenticated: true): anyone who finds the domain can run workloads as the Flyte service account.'
    : undefined;
}

/** Said in the log, summary and comment of a run that installs tools no pin vouches for. */
export function unpinnedToolsWarning(
  inputs: Pick<Inputs, 'allowUnpinnedTools'>
): string | undefined {
  return inputs.allowUnpinnedTools
    ? "allow-unpinned-tools is true: a tool version without a digest pinned in the action's source is checked only against its publisher's checksum file, which comes from the same host (or tool-mirror) as the archive, and is downloaded afresh on every run. Whoever controls that host or mirror controls what runs as the job's Google identity."
    : undefined;
}

/** Said in the log, summary and comment of a run that lets task pods call the Flyte API. */
export function tasksApiWarning(inputs: Pick<Inputs, 'tasksReachFlyteApi'>): string | undefined {
  return inputs.tasksReachFlyteApi
    ? 'Task pods may call the Flyte API inside the cluster (tasks-reach-flyte-api: true), where it asks for no credentials: any task can start, change or read executions in every project.'
    : undefined;
}

/** Said in the log, summary and comment of a run that gives nodes external IP addresses. */
export function publicNodesWarning(inputs: Pick<Inputs, 'privateNodes'>): string | undefined {
  return inputs.privateNodes
    ? undefined
    : 'Nodes get external IP addresses (private-nodes: false): every node is reachable from the internet wherever a firewall rule or a NodePort allows it, and organisations that enforce constraints/compute.vmExternalIpAccess refuse such nodes.';
}

/** Said by a deploy or upgrade that would run a new chart's migrations with no backup first. */
export function upgradeBackupWarning(
  inputs: Pick<Inputs, 'command' | 'backupBeforeUpgrade'>
): string | undefined {
  return !inputs.backupBeforeUpgrade &&
    (inputs.command === 'deploy' || inputs.command === 'upgrade')
    ? "backup-before-upgrade is false: when this run changes the flyte-binary chart version, the new version's database migrations run with no backup taken first. Undoing them needs the last automated backup (up to a day old) or point-in-time recovery into a new instance (docs/backup-restore.md)."
    : undefined;
}

/** Said by a destroy that deletes the database without a backup of its own. */
export function finalBackupWarning(
  inputs: Pick<Inputs, 'command' | 'finalBackup'>
): string | undefined {
  return !inputs.finalBackup && inputs.command === 'destroy'
    ? 'final-backup is false: destroy deletes the Cloud SQL instance without taking a backup first. Only the automated backups the module keeps (retain_backups_on_delete) remain, the newest up to a day old.'
    : undefined;
}

type WarningInputs = Pick<
  Inputs,
  | 'command'
  | 'ingress'
  | 'iap'
  | 'allowUnpinnedTools'
  | 'tasksReachFlyteApi'
  | 'backupBeforeUpgrade'
  | 'finalBackup'
  | 'privateNodes'
>;

/** Every unsafe choice this run made explicitly, for each surface to repeat. */
export function unsafeChoiceWarnings(inputs: WarningInputs): string[] {
  return [
    exposureWarning(inputs),
    unpinnedToolsWarning(inputs),
    tasksApiWarning(inputs),
    publicNodesWarning(inputs),
    upgradeBackupWarning(inputs),
    finalBackupWarning(inputs)
  ].filter((w): w is string => w !== undefined);
}

/** The secret-bearing inputs, which are masked and never echoed in errors. */
export function inputSecrets(inputs: Inputs): string[] {
  return [inputs.githubToken, inputs.iapOauthClientSecret].filter(
    (s): s is string => typeof s === 'string' && s.length > 0
  );
}

const BOOLEAN_TRUE = ['true', 'True', 'TRUE'];
const BOOLEAN_FALSE = ['false', 'False', 'FALSE'];

export function parseInputs(read: ReadInput, context: InputContext): Inputs {
  const raw = (name: string) => read(name).trim();
  const show = (value: string) =>
    JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);

  const checked = (name: string, value: string, rule: Rule): string => {
    if (!rule.test(value))
      throw new InputError(name, `${show(value)} is not valid. Use ${rule.allowed}.`);
    return value;
  };
  const optional = (name: string, rule: Rule): string | undefined => {
    const value = raw(name);
    return value === '' ? undefined : checked(name, value, rule);
  };
  const withDefault = (name: string, fallback: string, rule: Rule): string =>
    checked(name, raw(name) || fallback, rule);
  const bool = (name: string, fallback: boolean): boolean => {
    const value = raw(name);
    if (value === '') return fallback;
    if (BOOLEAN_TRUE.includes(value)) return true;
    if (BOOLEAN_FALSE.includes(value)) return false;
    throw new InputError(name, `${show(value)} is not a boolean. Use true or false.`);
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = raw(name);
    if (value === '') return fallback;
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InputError(
        name,
        `${show(value)} is not valid. Use a whole number from ${min} to ${max}.`
      );
    }
    return Number(value);
  };
  const list = (name: string): string[] =>
    raw(name)
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  const file = (name: string, value: string): string => {
    const resolved = path.resolve(context.workspace, value);
    if (!existsSync(resolved) || !statSync(resolved).isFile()) {
      throw new InputError(
        name,
        `file ${show(value)} was not found (looked at ${resolved}). Check the path; relative paths start at the workspace.`
      );
    }
    return resolved;
  };
  const toolVersion = (name: string, fallback: string): ToolVersion => {
    const value = checked(name, raw(name) || fallback, RULES.toolVersion);
    if (value === 'latest') return { kind: 'latest' };
    if (value === 'system') return { kind: 'system' };
    return { kind: 'pinned', version: value.replace(/^v/, '') };
  };

  const commandValue = raw('command') || 'deploy';
  if (!(COMMANDS as readonly string[]).includes(commandValue)) {
    throw new InputError(
      'command',
      `${show(commandValue)} is not a command. Use one of ${COMMANDS.join(', ')}.`
    );
  }
  const command = commandValue as Command;

  const projectValue = raw('project-id');
  if (projectValue === '') {
    throw new InputError(
      'project-id',
      'is required. Set it to the ID of the GCP project to deploy into, for example my-flyte-project.'
    );
  }
  const projectId = checked('project-id', projectValue, RULES.projectId);
  const region = withDefault('region', 'us-central1', RULES.region);
  const regionProblem = unknownRegion(region);
  if (regionProblem) throw new InputError('region', regionProblem);
  const clusterName = withDefault('cluster-name', 'flyte', RULES.clusterName);
  const autopilot = bool('autopilot', true);
  const privateNodes = bool('private-nodes', true);
  const nodeMachineType = withDefault('node-machine-type', 'e2-standard-4', RULES.machineType);

  const acceleratorType = optional('gpu-accelerator-type', RULES.acceleratorType);
  const acceleratorCount = integer('gpu-accelerator-count', 1, 1, 16);
  const family = acceleratorType ? ACCELERATORS[acceleratorType] : undefined;
  if (acceleratorType && !family) {
    throw new InputError('gpu-accelerator-type', acceleratorMismatch(acceleratorType, '')!);
  }
  const derivedMachineType = family?.machineFor(acceleratorCount);
  const machineTypeValue = optional('gpu-machine-type', RULES.machineType);
  if (machineTypeValue && !acceleratorType) {
    throw new InputError(
      'gpu-machine-type',
      `${show(machineTypeValue)} is set but gpu-accelerator-type is empty, so no GPU node pool would be made. Set gpu-accelerator-type (for example nvidia-l4 with g2-* types), or leave gpu-machine-type empty.`
    );
  }
  const gpuMachineType = machineTypeValue ?? derivedMachineType;
  if (acceleratorType && !gpuMachineType) {
    const counts = family?.machineTypes
      ? [...new Set(Object.values(family.machineTypes))].join(', ')
      : '1, 2, 4 or 8';
    throw new InputError(
      'gpu-accelerator-count',
      `${acceleratorCount} ${acceleratorType} GPUs per node match no ${family!.family}* machine type. Use ${counts}, or set gpu-machine-type.`
    );
  }
  if (acceleratorType && gpuMachineType) {
    const mismatch = acceleratorMismatch(acceleratorType, gpuMachineType, acceleratorCount);
    if (mismatch) throw new InputError('gpu-machine-type', mismatch);
  }
  const gpuZones = list('gpu-zones').map((zone) => checked('gpu-zones', zone, RULES.zone));
  for (const zone of gpuZones) {
    const zoneProblem = zoneOutsideRegion(zone, region);
    if (zoneProblem) throw new InputError('gpu-zones', zoneProblem);
  }
  if (gpuZones.length > 0 && !acceleratorType) {
    throw new InputError(
      'gpu-zones',
      'is set but gpu-accelerator-type is empty. Set a GPU type, or leave gpu-zones empty.'
    );
  }
  const minNodes = integer('gpu-min-nodes', 0, 0, 1000);
  const maxNodes = integer('gpu-max-nodes', 2, 1, 1000);
  if (minNodes > maxNodes) {
    throw new InputError(
      'gpu-min-nodes',
      `${minNodes} is larger than gpu-max-nodes (${maxNodes}). Use a minimum no larger than the maximum.`
    );
  }
  if (acceleratorType && autopilot) {
    throw new InputError(
      'gpu-accelerator-type',
      `${show(acceleratorType)} needs a Standard cluster: Autopilot has no GPU node pools (GPU pods there select cloud.google.com/gke-accelerator instead). Set autopilot: false, or leave gpu-accelerator-type empty.`
    );
  }
  const gpuPool =
    acceleratorType && gpuMachineType
      ? {
          machineType: gpuMachineType,
          acceleratorType,
          acceleratorCount,
          minNodes,
          maxNodes,
          zones: Object.freeze(gpuZones)
        }
      : undefined;
  const deletionProtection = bool('deletion-protection', true);
  const availability = raw('database-availability') || 'zonal';
  if (availability !== 'zonal' && availability !== 'regional') {
    throw new InputError(
      'database-availability',
      `${show(availability)} is not valid. Use zonal (one zone, the default) or regional (a standby in a second zone, for production).`
    );
  }
  const databaseAvailability: 'zonal' | 'regional' = availability;

  const workloadIdentityProvider = optional(
    'workload-identity-provider',
    RULES.workloadIdentityProvider
  );
  const serviceAccount = optional('service-account', RULES.serviceAccount);
  if (serviceAccount && !workloadIdentityProvider) {
    throw new InputError(
      'service-account',
      'is set without workload-identity-provider. Set workload-identity-provider too, or leave both empty to reuse credentials from an earlier google-github-actions/auth step.'
    );
  }

  const stateBucket = withDefault('state-bucket', `${projectId}-flyte-tfstate`, RULES.bucket);
  const statePrefix = withDefault('state-prefix', `flyte-gke/${clusterName}`, RULES.statePrefix);

  const terraformDirValue = raw('terraform-dir');
  const terraformDir = terraformDirValue
    ? path.resolve(context.workspace, terraformDirValue)
    : path.join(context.actionRoot, 'terraform');
  if (!existsSync(terraformDir) || !readdirSync(terraformDir).some((f) => f.endsWith('.tf'))) {
    throw new InputError(
      'terraform-dir',
      `${show(terraformDirValue || terraformDir)} holds no .tf files. Point it at a Terraform module folder, or leave it empty to use the module shipped with the action.`
    );
  }
  const varFileValue = raw('terraform-var-file');
  const terraformVarFile = varFileValue ? file('terraform-var-file', varFileValue) : undefined;

  const flyteVersionValue = raw('flyte-version') || '1';
  if (flyteVersionValue !== '1' && flyteVersionValue !== '2') {
    throw new InputError(
      'flyte-version',
      `${show(flyteVersionValue)} is not a Flyte version. Use 1 (flyte-binary v1.x for flytekit/pyflyte, the default) or 2 (flyte-binary v2.x for the flyte SDK).`
    );
  }
  const flyteVersion: FlyteVersion = flyteVersionValue === '2' ? 2 : 1;
  const valuesValue = raw('values-file');
  const valuesFile = valuesValue
    ? file('values-file', valuesValue)
    : path.join(
        context.actionRoot,
        'helm',
        flyteVersion === 2 ? 'flyte2-values.yaml' : 'flyte-values.yaml'
      );
  const extraValuesFiles = list('extra-values-files').map((f) => file('extra-values-files', f));

  const chartVersionValue = withDefault(
    'chart-version',
    DEFAULT_CHART_VERSIONS[flyteVersion],
    RULES.chartVersion
  );
  const chartVersion = chartVersionValue.startsWith('v')
    ? chartVersionValue
    : `v${chartVersionValue}`;
  if (flyteVersion === 1 && !chartVersion.startsWith('v1.')) {
    throw new InputError(
      'chart-version',
      `${show(chartVersionValue)} is not a Flyte 1.x chart. From v2 the flyte-binary chart is Flyte 2, which lacks clusterResourceTemplates and the gRPC ingress this action configures. Use a v1 version such as v1.16.8, or set flyte-version: 2 to deploy Flyte 2.`
    );
  }
  if (flyteVersion === 2 && !chartVersion.startsWith('v2.')) {
    throw new InputError(
      'chart-version',
      `${show(chartVersionValue)} is not a Flyte 2 chart, but flyte-version is 2. Use a v2 version such as ${DEFAULT_CHART_VERSIONS[2]} (or leave chart-version empty), or set flyte-version: 1.`
    );
  }
  const releaseName = withDefault('release-name', 'flyte-backend', RULES.releaseName);
  const namespace = withDefault('namespace', 'flyte', RULES.namespace);
  if (flyteVersion === 2 && namespace.length > 63 - TASK_NAMESPACE_SUFFIX.length) {
    throw new InputError(
      'namespace',
      `${show(namespace)} is too long for Flyte 2: its task pods run in ${show(namespace + TASK_NAMESPACE_SUFFIX)}, which must fit in 63 characters. Use a namespace of at most ${63 - TASK_NAMESPACE_SUFFIX.length} characters.`
    );
  }
  const projectsValue = list('flyte-projects');
  const flyteProjects = (projectsValue.length > 0 ? projectsValue : ['flytesnacks']).map((p) =>
    checked('flyte-projects', p, RULES.flyteProject)
  );

  const ingress = bool('ingress', false);
  const domain = optional('domain', RULES.domain);
  if (domain && !ingress) {
    throw new InputError(
      'domain',
      `${show(domain)} is set but ingress is false. Set ingress: true to publish Flyte at that domain, or leave domain empty.`
    );
  }
  const staticIpName = withDefault('static-ip-name', `${clusterName}-flyte`, RULES.gceName);

  const iap = bool('iap', false);
  const iapOauthClientId = optional('iap-oauth-client-id', RULES.oauthClientId);
  // The secret is checked for presence only and never shown.
  const iapOauthClientSecret = raw('iap-oauth-client-secret') || undefined;
  const iapMembers = list('iap-members').map((m) => checked('iap-members', m, RULES.member));
  if (iap) {
    if (!ingress)
      throw new InputError(
        'iap',
        'needs ingress: true, since Identity-Aware Proxy protects the HTTPS load balancer the Ingress creates.'
      );
    // Only the commands that write the OAuth Secret need the client; plan, drift and destroy
    // read or remove what is there, so their workflows need not hold the secret.
    const writesOauthSecret = IAP_CLIENT_COMMANDS.includes(command);
    if (writesOauthSecret && !iapOauthClientId)
      throw new InputError(
        'iap-oauth-client-id',
        `is required when iap is true for ${command}. Create an OAuth client of type "Web application" and pass its client ID.`
      );
    if (writesOauthSecret && !iapOauthClientSecret)
      throw new InputError(
        'iap-oauth-client-secret',
        `is required when iap is true for ${command}. Pass the OAuth client secret from a repository or environment secret.`
      );
    if (IAP_MEMBER_COMMANDS.includes(command) && iapMembers.length === 0)
      throw new InputError(
        'iap-members',
        'is empty, so nobody could reach the console through IAP. List who may, for example user:alice@example.com or group:flyte-users@example.com.'
      );
  }

  const allowUnauthenticated = bool('allow-unauthenticated', false);
  if (ingress && !iap && !allowUnauthenticated) {
    throw new InputError(
      'iap',
      'is false while ingress is true: the public Ingress would serve the Flyte API (the console, /api and gRPC, which create executions) to anyone on the internet, running workloads as the Flyte service account. Set iap: true (with an OAuth client and iap-members), or set allow-unauthenticated: true if something else protects it.'
    );
  }

  const tasksReachFlyteApi = bool('tasks-reach-flyte-api', false);
  const backupBeforeUpgrade = bool('backup-before-upgrade', true);
  const finalBackup = bool('final-backup', true);

  const tools = {
    gcloud: toolVersion('gcloud-version', DEFAULT_VERSIONS.gcloud),
    terraform: toolVersion('terraform-version', DEFAULT_VERSIONS.terraform),
    helm: toolVersion('helm-version', DEFAULT_VERSIONS.helm),
    kubectl: toolVersion('kubectl-version', DEFAULT_VERSIONS.kubectl)
  };
  const pinnedTerraform = tools.terraform.kind === 'pinned' ? tools.terraform.version : undefined;
  const moduleMinimum = minimumTerraform(terraformDir);
  if (pinnedTerraform && moduleMinimum && olderThan(pinnedTerraform, moduleMinimum)) {
    throw new InputError(
      'terraform-version',
      `${show(pinnedTerraform)} is older than ${moduleMinimum}, which the module in ${show(terraformDirValue || 'terraform/')} requires (its required_version; the one shipped with the action needs ${MODULE_TERRAFORM} for the write-only arguments that keep the database password out of Terraform state). Use ${moduleMinimum} or later (the default is ${DEFAULT_VERSIONS.terraform}), or latest.`
    );
  }
  const toolMirror = optional('tool-mirror', RULES.mirrorUrl)?.replace(/\/+$/, '');
  const allowUnpinnedTools = bool('allow-unpinned-tools', false);
  const cache = bool('cache', true);
  const installGcloud = bool('install-gcloud', true);

  const githubToken = raw('github-token') || undefined;
  const environment = raw('environment') || undefined;
  // GitHub allows environment names of up to 255 characters; any other character may be in one.
  if (environment !== undefined && (environment.length > 255 || /[\r\n\t]/.test(environment))) {
    throw new InputError(
      'environment',
      `${show(environment)} is not valid. Use the name of the job's GitHub environment, such as flyte-dev (up to 255 characters, on one line), or leave it empty.`
    );
  }
  const commentOnPr = bool('comment-on-pr', true);
  const dryRun = bool('dry-run', false);
  const confirmDestroy = raw('confirm-destroy') || undefined;
  if (command === 'destroy' && confirmDestroy !== clusterName) {
    throw new InputError(
      'confirm-destroy',
      `${confirmDestroy === undefined ? 'is empty' : `${show(confirmDestroy)} does not match`}. destroy removes cluster ${show(clusterName)}, its database and bucket; set confirm-destroy to ${show(clusterName)} to confirm.`
    );
  }
  const timeoutSeconds = parseDuration('timeout', raw('timeout') || '15m');
  const failOnDrift = bool('fail-on-drift', false);
  const verifyAfterDeploy = bool('verify-after-deploy', true);
  if (command === 'verify' && !ingress) {
    throw new InputError(
      'ingress',
      'is false, so there is no public endpoint for command verify to check. Set ingress: true (as the deploy does).'
    );
  }
  if (command === 'verify' && iap && !iapOauthClientId) {
    throw new InputError(
      'iap-oauth-client-id',
      'is required when iap is true for verify: it is the audience of the ID token that verify mints to pass IAP. Pass the Web application OAuth client ID (not its secret).'
    );
  }
  const requireReviewedPlan = bool('require-reviewed-plan', true);
  const { savePlan, savedPlan } = savedPlanInputs(command, environment, raw, context.workspace);

  return Object.freeze({
    command,
    projectId,
    region,
    clusterName,
    autopilot,
    privateNodes,
    nodeMachineType,
    gpuPool: gpuPool ? Object.freeze(gpuPool) : undefined,
    deletionProtection,
    databaseAvailability,
    workloadIdentityProvider,
    serviceAccount,
    stateBucket,
    statePrefix,
    terraformDir,
    terraformVarFile,
    valuesFile,
    extraValuesFiles: Object.freeze(extraValuesFiles),
    chartVersion,
    flyteVersion,
    releaseName,
    namespace,
    flyteProjects: Object.freeze(flyteProjects),
    ingress,
    domain,
    staticIpName,
    iap,
    iapOauthClientId,
    iapOauthClientSecret,
    iapMembers: Object.freeze(iapMembers),
    tools: Object.freeze(tools),
    toolMirror,
    allowUnpinnedTools,
    cache,
    installGcloud,
    githubToken,
    commentOnPr,
    dryRun,
    confirmDestroy,
    environment,
    timeoutSeconds,
    failOnDrift,
    verifyAfterDeploy,
    requireReviewedPlan,
    savePlan,
    savedPlan: savedPlan ? Object.freeze(savedPlan) : undefined,
    allowUnauthenticated,
    tasksReachFlyteApi,
    backupBeforeUpgrade,
    finalBackup,
    workspace: context.workspace
  });
}

/**
 * The manual deploy's two halves (docs/workflows.md, "Manual deploy"): `plan` saves its plan with
 * save-plan; `deploy` applies that plan with saved-plan, only with the digest the plan job
 * reported (saved-plan-digest) and only in an environment, whose reviewers are the review.
 */
function savedPlanInputs(
  command: Command,
  environment: string | undefined,
  raw: (name: string) => string,
  workspace: string
): Pick<Inputs, 'savePlan' | 'savedPlan'> {
  const folder = (name: string) => {
    const value = raw(name);
    if (value === '') return undefined;
    if (/[\r\n]/.test(value)) {
      throw new InputError(name, 'is not valid. Use one folder path, relative to the workspace.');
    }
    return path.resolve(workspace, value);
  };
  const savePlan = folder('save-plan');
  if (savePlan !== undefined && command !== 'plan') {
    throw new InputError(
      'save-plan',
      `is set with command ${command}; only plan saves a plan. Leave it empty, or use saved-plan with deploy to apply a saved one.`
    );
  }
  const dir = folder('saved-plan');
  const digest = raw('saved-plan-digest');
  if (dir === undefined) {
    if (digest !== '') {
      throw new InputError(
        'saved-plan-digest',
        'is set without saved-plan. Set saved-plan to the folder of the saved plan, or leave both empty.'
      );
    }
    return { savePlan, savedPlan: undefined };
  }
  if (command !== 'deploy') {
    throw new InputError(
      'saved-plan',
      `is set with command ${command}; only deploy applies a saved plan. Leave it empty.`
    );
  }
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new InputError(
      'saved-plan-digest',
      `${digest === '' ? 'is empty' : `${JSON.stringify(digest.slice(0, 80))} is not a SHA-256 digest`}. Pass the saved-plan-digest output of the plan job that saved the plan (64 lowercase hex digits), so a swapped plan is refused.`
    );
  }
  if (environment === undefined) {
    throw new InputError(
      'environment',
      "is empty while saved-plan is set. A saved plan is applied without a pull request review, so the job's GitHub environment, with required reviewers, is its review: name it."
    );
  }
  return { savePlan, savedPlan: { dir, digest } };
}

/** Commands that write the IAP OAuth client into its Kubernetes Secret, so need it. */
export const IAP_CLIENT_COMMANDS: readonly Command[] = ['deploy', 'upgrade'];
/** Commands that grant IAP access (deploy, upgrade) or show it for review (plan), so need members. */
export const IAP_MEMBER_COMMANDS: readonly Command[] = ['deploy', 'upgrade', 'plan'];

/** Known-good versions the action installs when an input is left empty. */
/** The oldest Terraform the bundled module runs on (write-only arguments); versions.tf agrees. */
export const MODULE_TERRAFORM = '1.11.0';

/** The `required_version = ">= X.Y.Z"` of a module's .tf files, when it is that simple. */
function minimumTerraform(dir: string): string | undefined {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const found = /^\s*required_version\s*=\s*">=\s*(\d+\.\d+\.\d+)"/m.exec(text);
    if (found) return found[1];
  }
  return undefined;
}

/** True when dotted version `a` sorts before `b`, number by number. */
function olderThan(a: string, b: string): boolean {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0));
  for (let i = 0; i < 3; i += 1) {
    if ((x![i] ?? 0) !== (y![i] ?? 0)) return (x![i] ?? 0) < (y![i] ?? 0);
  }
  return false;
}

export const DEFAULT_VERSIONS = {
  gcloud: '588.0.0',
  terraform: '1.13.4',
  helm: '3.19.0',
  // Within kubectl's one-minor skew of every GKE version the release channels offer.
  kubectl: '1.36.1'
} as const;

/** Accepts `900`, `900s`, `15m`, `1h30m`; between one minute and six hours. */
export function parseDuration(name: string, value: string): number {
  const match = /^(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s?)?$/.exec(value);
  const seconds =
    match && value !== ''
      ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
      : NaN;
  if (!Number.isFinite(seconds) || seconds < 60 || seconds > 6 * 3600) {
    throw new InputError(
      name,
      `${JSON.stringify(value)} is not valid. Use a duration from 1m to 6h such as 15m, 1h30m or 900s.`
    );
  }
  return seconds;
}
