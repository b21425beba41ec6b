/** What a run has learned so far. Phases read it to plan their steps; parsers fill it in. */
import type { PlanFingerprint } from '../review/fingerprint.js';
import type { ModuleDigests } from '../review/module-digest.js';
import type { SavedPlanManifest } from '../review/saved-plan.js';
import type { ClusterRef } from '../gcp/cluster-ref.js';
import type { ProofCheck } from '../flyte/verify-checks.js';
import type { PreflightResult } from '../gcp/preflight-result.js';
import type { HostedCacheRecord } from '../tools/cache/record.js';

export interface TerraformOutputs {
  readonly cloudsqlIp: string;
  /**
   * The Secret Manager version holding the database password (projects/P/secrets/S/versions/N).
   * The password itself is in no output: Terraform state never holds it.
   */
  readonly cloudsqlPasswordSecret: string;
  readonly cloudsqlUser: string;
  readonly cloudsqlDatabase: string;
  readonly clusterLocation: string;
  readonly clusterName: string;
  readonly bucketName: string;
  readonly projectId: string;
  readonly serviceAccount: string;
  /** Present when ingress is on. */
  readonly staticIpAddress?: string;
  readonly staticIpName?: string;
  /** The module's VPC (optional output `network_name`). */
  readonly networkName?: string;
  /**
   * One account for every domain's task pods (optional output `tasks_service_account`, given by
   * custom modules and by the bundled module before per-domain accounts).
   */
  readonly tasksServiceAccount?: string;
  /**
   * The account Flyte 2 task pods run as (optional output `flyte2_tasks_service_account`, given
   * when the action passes `flyte2_task_namespace`, with flyte-version 2).
   */
  readonly flyte2TasksServiceAccount?: string;
  /** The account each Flyte domain's task pods run as (optional output `task_service_accounts`). */
  readonly taskServiceAccounts?: Readonly<Record<string, string>>;
  /** The cluster's pod address range (optional output `pods_cidr`), for the tasks' NetworkPolicy. */
  readonly podsCidr?: string;
  /** The Cloud SQL instance's name (optional output `cloudsql_instance`), for on-demand backups. */
  readonly cloudsqlInstance?: string;
}

export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op';

export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly action: PlanAction;
  /** The attributes that force a replacement (Terraform's replace_paths). */
  readonly forcedBy?: readonly string[];
  /** `path: before → after`, sensitive values redacted, unknown ones "(known after apply)". */
  readonly attributes?: readonly string[];
}

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly resources: readonly PlannedResource[];
}

/** The tools the action installs and runs. */
export type Tool = 'gcloud' | 'terraform' | 'helm' | 'kubectl';

export interface InstalledTool {
  readonly version: string;
  /** `cache`, `download`, `mirror` or `system`. */
  readonly source: string;
  readonly path: string;
}

export interface HelmRelease {
  readonly chartVersion: string;
  readonly appVersion: string;
  /** Digest of the values this action deployed, recorded on the release. */
  readonly valuesDigest?: string;
  readonly values?: Record<string, unknown>;
}

export class RunState {
  /** True while a dry run plans with placeholders instead of real answers. */
  readonly dryRun: boolean;
  tools: Partial<Record<Tool, InstalledTool>> = {};
  credentialsFile?: string;
  stateBucketExists?: boolean;
  /** True when this run created the state bucket (so it still needs versioning switched on). */
  stateBucketCreated?: boolean;
  /** The runner's tool cache (RUNNER_TOOL_CACHE), where downloads are kept between runs. */
  toolCacheDir?: string;
  /** Scratch folder for this run (plan files, TF_DATA_DIR), under RUNNER_TEMP; set before any phase. */
  workDir?: string;
  /**
   * The Terraform CLI configuration that sends init to this run's mirror of verified provider
   * zips (terraform/provider-fill.ts); every terraform command gets it as TF_CLI_CONFIG_FILE.
   */
  terraformCliConfig?: string;
  planExitCode?: number;
  planHasChanges?: boolean;
  planSummary?: PlanSummary;
  /** Human-readable plan (`terraform show`), secrets never included. */
  planText?: string;
  tfOutputs?: TerraformOutputs;
  /** The database password, read from Secret Manager by deploy and upgrade only (a secret). */
  databasePassword?: string;
  kubeconfigPath?: string;
  /** The cluster whose credentials were fetched while Terraform planned. */
  readAheadCluster?: ClusterRef;
  patchedValuesFile?: string;
  /** The hosted-runner cache entries and which were restored (tools/cache/restore-step.ts). */
  hostedCache?: HostedCacheRecord;
  /**
   * Restores of background tools' archives (gcloud), left running by the restore step so that
   * nothing on the critical path waits for them; the tool's background install awaits its own.
   */
  backgroundRestores?: Record<string, Promise<void>>;
  /** The flyte-binary chart archive this run installs (see phases/chart-fetch.ts). */
  chartFile?: string;
  valuesDigest?: string;
  /** Redacted YAML of the values to deploy, for the dry run, summary and comment. */
  valuesPreview?: string;
  deployedRelease?: HelmRelease;
  /** flyte-binary as this run found it, before any upgrade, with its values (not redacted). */
  previousRelease?: HelmRelease;
  helmChanged?: boolean;
  /** The on-demand Cloud SQL backup this run took (before a chart upgrade, or before destroy). */
  databaseBackup?: { readonly id: string; readonly instance: string };
  /** The earlier layout's Ingresses were removed before the apply; the Helm phase skips it. */
  legacyIngressesRemoved?: boolean;
  /** The action's folder (holds helm/flyte-gke); defaults to the one the code runs from. */
  actionRoot?: string;
  /** The flyte-gke release; valuesDigest holds its comparable fingerprint. */
  gkeRelease?: HelmRelease;
  /** False when the flyte-gke release already matches and its upgrade is skipped. */
  gkeChanged?: boolean;
  /** Backend service GKE created for the HTTP Service (IAP is enabled on it). */
  iapBackendService?: string;
  /** Members (lowercased) already holding the IAP accessor role on it. */
  iapBoundMembers?: readonly string[];
  /** Flyte 2: the backend service of the console's Service, and who may pass IAP on it. */
  iapConsoleBackendService?: string;
  iapConsoleBoundMembers?: readonly string[];
  /** Digest annotation of the IAP OAuth Secret in the cluster ('' when absent). */
  oauthSecretDigest?: string;
  domain?: string;
  ingressIp?: string;
  certificateStatus?: string;
  /** What the proof from outside found, link by link (phases/proof.ts). */
  proofChecks: ProofCheck[] = [];
  /** The ID token for the IAP client the proof minted (a secret, masked, never written). */
  iapIdToken?: string;
  consoleUrl?: string;
  /** The ready client config.yaml and the Markdown around it (see values/access.ts). */
  clientConfig?: string;
  clientSteps?: string;
  driftDetected?: boolean;
  driftDetails: string[] = [];
  /** Warnings the summary and the comment repeat as such (e.g. an unprotected environment). */
  warnings: string[] = [];
  /** `ACTIONS ADDRESS#DIGEST` per resource the plan changes (see review/fingerprint.ts). */
  planResourceLines?: readonly string[];
  /** `ADDRESS#DIGEST` per data source the plan read (see review/fingerprint.ts). */
  planDataSourceLines?: readonly string[];
  /** The module's files and lock file as committed, hashed before init (review/module-digest.ts). */
  moduleDigests?: ModuleDigests;
  /** Who approved the reviewed pull request at its head commit. */
  reviewApprovers?: readonly string[];
  /** This run's plan, fingerprinted (plan and deploy). */
  planFingerprint?: PlanFingerprint;
  /** The fingerprint reviewed in the pull request comment, as the deploy found it. */
  reviewedFingerprint?: PlanFingerprint;
  /** Values digest in the release record ConfigMap ('' when there is none). */
  releaseRecordDigest?: string;
  /** The pull request whose comment holds the reviewed plan. */
  reviewedIn?: number;
  /** The saved plan a manual deploy applies, as its checked manifest describes it. */
  savedPlan?: SavedPlanManifest;
  /** The digest of the manifest this plan run saved (save-plan), for the saved-plan-digest output. */
  savedPlanDigest?: string;
  /** What differs from the reviewed plan, when the deploy stopped for it. */
  reviewDifferences?: readonly string[];
  /** Who holds a Terraform state lock this run found and could not release (phases/state-lock.ts). */
  stateLockReport?: string;
  /** Lines for the job summary and comment, in order. */
  notes: string[] = [];
  /** What each preflight check found (phases/preflight.ts), in the order they reported. */
  preflight: PreflightResult[] = [];

  constructor(dryRun = false) {
    this.dryRun = dryRun;
  }
}
