/**
 * The engine's vocabulary. A command is planned as ordered phases; each phase yields steps from the
 * state known when it starts, so later phases can use what earlier ones learned (Terraform outputs,
 * whether a plan has changes) while planning stays a pure function of inputs and state.
 */
import type { Inputs } from '../inputs.js';
import type { RunState, Tool } from './state.js';
import type { EnvironmentProtection } from '../github/environment-protection.js';
import type { ReviewedPlanLookup } from '../review/lookup-result.js';
import type { GoogleApi } from '../gcp/google-api.js';
import type { PublicNetwork } from '../flyte/verify-network.js';
import type { RunAttempt } from '../terraform/lock-holder.js';

export type { Tool };

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A condition checked just before a step runs. `describe` (when it runs) is what the dry run
 * prints; `skipped` is what the log says when it does not: what was found, so why nothing is done.
 */
export interface StepCondition {
  readonly test: (state: RunState) => boolean;
  readonly describe: string;
  readonly skipped: (state: RunState) => string;
}

interface StepBase {
  /** Stable identifier, e.g. `terraform-apply`. Tests and the summary refer to it. */
  readonly id: string;
  readonly title: string;
  /** True when the step can change cloud or cluster state (counts as a "changing command"). */
  readonly mutates: boolean;
  readonly when?: StepCondition;
}

/** Runs one tool with an argument array: never a shell string. */
export interface ExecStep extends StepBase {
  readonly kind: 'exec';
  readonly tool: Tool;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Fed to standard input; treated as secret in dry-run output. */
  readonly stdin?: string;
  /** Exit codes that count as success (default `[0]`), e.g. `[0, 2]` for `-detailed-exitcode`. */
  readonly okExitCodes?: readonly number[];
  /** Do not echo standard output (it may hold secrets or be too large). */
  readonly quiet?: boolean;
  /** Pure parser that records what the step learned. Throw a StepError for a bad answer. */
  readonly onResult?: (result: ExecResult, state: RunState) => void;
  /** Turns a failure into an actionable message (for example, a held Terraform lock). */
  readonly explainFailure?: (result: ExecResult) => string | undefined;
}

/** Work done inside the action (write a file, poll, call GitHub). */
export interface TaskStep extends StepBase {
  readonly kind: 'task';
  /** What the dry run prints instead of running it. Secrets must already be redacted. */
  readonly describe: (state: RunState) => string;
  /** Resolves to `'unchanged'` when a changing task found nothing to do (reported as such). */
  readonly run: (ctx: TaskContext) => Promise<void | 'unchanged'>;
}

export type Step = ExecStep | TaskStep;

export interface Phase {
  readonly name: string;
  readonly steps: (state: RunState) => readonly Step[];
  /**
   * Read-only work that runs at the same time as this phase, starting once the step `after` has
   * run (for example the cluster reads while Terraform plans). Its log is printed after this
   * phase's, in its own group; its failure is only a warning (the later steps read again).
   */
  readonly alongside?: { readonly after: string; readonly phase: Phase };
}

export interface ExecOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly stdin?: string;
  readonly quiet?: boolean;
}

/** The process boundary. The real one is engine/exec.ts; tests pass stand-in executables. */
export interface Exec {
  run(tool: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** One read-only command, exactly as the step that will run it builds it. */
export interface ReadCall {
  readonly tool: Tool;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts reads whose answers wait for the later step that runs the same command. */
export interface ReadsAhead {
  start(exec: Exec, call: ReadCall): Promise<ExecResult | undefined>;
}

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  notice(message: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Registers a value that the runner must mask from every log line. */
  setSecret(value: string): void;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What a task step may use. Everything external comes in here so tests pass small fakes. */
export interface TaskContext {
  readonly inputs: Inputs;
  readonly state: RunState;
  readonly exec: Exec;
  readonly log: Logger;
  readonly clock: Clock;
  readonly env: NodeJS.ProcessEnv;
  /** Sets a variable for this process and for later steps of the job. */
  readonly exportVariable: (name: string, value: string) => void;
  readonly addPath: (dir: string) => void;
  /** Remembers a file for the post step to remove. */
  readonly registerCleanup: (path: string) => void;
  /** Answers kept from reads made ahead (see read-ahead.ts); the runner provides it. */
  readonly readAhead?: ReadsAhead;
  /** Reads the reviewed plan's fingerprint from the pull request; absent without a token. */
  readonly reviewedPlan?: () => Promise<ReviewedPlanLookup>;
  /** What GitHub reports about an environment's protection rules; absent without a token. */
  readonly environmentProtection?: (name: string) => Promise<EnvironmentProtection>;
  /** One attempt of a workflow run of this repository, as GitHub reports it; absent without a token. */
  readonly workflowRunAttempt?: (runId: number, attempt: number) => Promise<RunAttempt | undefined>;
  /**
   * The action's own Google REST client, with the job's credentials (so only after the auth
   * phase). Absent in contexts that make no Google call; tests pass a fake.
   */
  readonly google?: () => GoogleApi;
  /** DNS and TLS to the public domain, for the proof from outside; tests answer on loopback. */
  readonly network?: PublicNetwork;
  /** Starts work no phase waits for (engine/background.ts); the runner provides it. */
  readonly background?: {
    start(name: string, work: () => Promise<void>): void;
    /** Starts `work` only when a command first needs it (install-gcloud false). */
    startOnNeed(name: string, work: () => Promise<void>): void;
  };
}

export interface PhaseReport {
  readonly name: string;
  readonly durationMs: number;
  readonly steps: readonly StepReport[];
}

export interface StepReport {
  readonly id: string;
  readonly title: string;
  readonly status: 'ran' | 'skipped' | 'failed';
  readonly mutates: boolean;
  readonly durationMs: number;
  readonly note?: string;
}
