/**
 * The action's one error boundary. Builds the real dependencies, then hands them to runAction,
 * which tests call with fakes.
 */
import * as core from '@actions/core';
import os from 'node:os';
import path from 'node:path';
import { findActionRoot } from './action-root.js';
import { InputError, StepError } from './errors.js';
import {
  unsafeChoiceWarnings,
  inputSecrets,
  parseInputs,
  readActionInput,
  type Inputs,
  type ReadInput
} from './inputs.js';
import { planCommand } from './planner.js';
import { createCoreLogger } from './engine/core-logger.js';
import { renderRunbook } from './engine/dry-run.js';
import { createExec } from './engine/exec.js';
import { dryRunState } from './engine/placeholders.js';
import { redact } from './engine/redact.js';
import { runPhases } from './engine/runner.js';
import { EVENT_LOG_PREFIX } from './engine/events.js';
import { SecretStore } from './engine/secrets.js';
import { RunState } from './engine/state.js';
import type { Clock, Exec, Logger, PhaseReport, TaskContext } from './engine/types.js';
import { publishResults, renderPostsPreview } from './report/publish.js';
import { setActionOutputs } from './report/outputs.js';
import type { ActionIO } from './action-io.js';
import { CLEANUP_STATE } from './cleanup-state.js';
import { HOSTED_CACHE_STATE } from './tools/cache/record.js';
import { createGitHubClient } from './github/client.js';
import { readEventContext } from './github/event.js';
import { lookUpReviewedPlan, type ReviewedPlanLookup } from './review/lookup.js';
import { environmentProtection, type EnvironmentProtection } from './github/environment-rules.js';
import { googleApiFor } from './gcp/client.js';
import { workflowRunAttempt } from './github/workflow-run.js';
import type { RunAttempt } from './terraform/lock-holder.js';
import type { GoogleApi } from './gcp/google-api.js';
import { publicNetwork } from './flyte/verify-network.js';

export type { ActionIO };
export { CLEANUP_STATE };

export interface ActionDeps {
  readonly readInput: ReadInput;
  readonly env: NodeJS.ProcessEnv;
  readonly actionRoot: string;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly exec: Exec;
  readonly clock: Clock;
  readonly io: ActionIO;
  /** Prints the dry run's runbook (stdout in a real run). */
  readonly print: (text: string) => void;
}

export async function runAction(deps: ActionDeps): Promise<void> {
  const { log, io, secrets } = deps;
  let inputs: Inputs | undefined;
  let state: RunState | undefined;
  let reports: PhaseReport[] = [];
  let failure: Error | undefined;
  try {
    inputs = parseInputs(deps.readInput, {
      actionRoot: deps.actionRoot,
      workspace: deps.env.GITHUB_WORKSPACE ?? process.cwd()
    });
    for (const secret of inputSecrets(inputs)) secrets.add(secret);
    for (const warning of unsafeChoiceWarnings(inputs)) log.warning(warning);
    const phases = planCommand(inputs);

    if (inputs.dryRun) {
      state = dryRunState(inputs);
      state.actionRoot = deps.actionRoot;
      deps.print(
        `# flyte-gke-action dry run: ${inputs.command} ${inputs.projectId}/${inputs.clusterName}\n`
      );
      const runbook = renderRunbook(phases, state, secrets.list());
      const posts = redact(renderPostsPreview(inputs, state), secrets.list());
      deps.print(runbook);
      deps.print(posts);
      deps.print('Dry run: nothing was executed and no network call was made.');
      // The runbook in the job summary too, where a reviewer of the run reads it (when there is
      // one: @github/local-action and other runners may have none).
      await io
        .appendSummary(
          [
            `## Flyte on GKE dry run: ${inputs.command} \`${inputs.projectId}/${inputs.clusterName}\``,
            '🧪 Nothing was executed and no network call was made. The runbook, every command with its arguments (secrets as ***):',
            '```text',
            runbook.replace(/```/g, "'''"),
            '```',
            posts
          ].join('\n\n')
        )
        .catch((error: unknown) =>
          log.info(`The runbook is not in a job summary: ${(error as Error).message}`)
        );
      return;
    }

    state = new RunState(false);
    state.actionRoot = deps.actionRoot;
    state.workDir = path.join(deps.env.RUNNER_TEMP ?? os.tmpdir(), 'flyte-gke');
    if (deps.env.RUNNER_TOOL_CACHE) state.toolCacheDir = deps.env.RUNNER_TOOL_CACHE;
    const cleanup: string[] = [];
    const ctx: TaskContext = {
      inputs,
      state,
      exec: deps.exec,
      log,
      clock: deps.clock,
      env: deps.env,
      exportVariable: (name, value) => io.exportVariable(name, value),
      addPath: (dir) => io.addPath(dir),
      registerCleanup: (file) => {
        cleanup.push(file);
        io.saveState(CLEANUP_STATE, JSON.stringify(cleanup));
      },
      google: googleApiOfRun(state, deps.env),
      network: publicNetwork,
      ...(inputs.githubToken
        ? {
            reviewedPlan: reviewedPlanReader(inputs, deps.env, log),
            environmentProtection: environmentReader(inputs, deps.env, log),
            workflowRunAttempt: runAttemptReader(inputs, deps.env, log)
          }
        : {})
    };
    try {
      reports = await runPhases(phases, {
        ctx,
        secrets: () => secrets.list(),
        // Hidden unless the job runs with debug logging: the engine's order, for tests and triage.
        events: (event) => log.debug(`${EVENT_LOG_PREFIX}${JSON.stringify(event)}`)
      });
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    // The post step saves the caches only after a run that succeeded (tools/cache/save.ts).
    if (!failure && state.hostedCache) {
      io.saveState(HOSTED_CACHE_STATE, JSON.stringify(state.hostedCache));
    }
    setActionOutputs(inputs, state, (name, value) =>
      io.setOutput(name, redact(value, secrets.list()))
    );
    await publishResults({ inputs, state, reports, failure, ctx, io, secrets: secrets.list() });
    if (failure) throw failure;
  } catch (error) {
    io.setFailed(redact(describeError(error), secrets.list()));
  }
}

function describeError(error: unknown): string {
  if (error instanceof InputError || error instanceof StepError) return error.message;
  if (error instanceof Error) return `Unexpected error: ${error.message}`;
  return `Unexpected error: ${String(error)}`;
}

/** One Google client per run, made on first use from the credentials the auth phase exported. */
function googleApiOfRun(state: RunState, env: NodeJS.ProcessEnv): () => GoogleApi {
  let api: GoogleApi | undefined;
  return () => {
    if (api) return api;
    const file = state.credentialsFile;
    if (!file) {
      throw new StepError('google-api', 'A Google API call was planned before the auth phase ran.');
    }
    try {
      api = googleApiFor(file, env);
    } catch (error) {
      throw new StepError('auth', (error as Error).message);
    }
    return api;
  };
}

/** Reads the reviewed plan through the GitHub API, only when a deploy asks for it. */
function reviewedPlanReader(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  log: Logger
): () => Promise<ReviewedPlanLookup> {
  return async () => {
    const event = readEventContext(env);
    const client = createGitHubClient({ token: inputs.githubToken!, apiUrl: event.apiUrl, log });
    return lookUpReviewedPlan(client, event, inputs);
  };
}

/** Reads an environment's protection rules through the GitHub API. */
function environmentReader(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  log: Logger
): (name: string) => Promise<EnvironmentProtection> {
  return async (name) => {
    const event = readEventContext(env);
    if (!event.repo) return { readable: false, why: 'GITHUB_REPOSITORY is not set' };
    const client = createGitHubClient({ token: inputs.githubToken!, apiUrl: event.apiUrl, log });
    return environmentProtection(client, event.repo, name);
  };
}

/** Reads one attempt of a workflow run of this repository (who holds a state lock). */
function runAttemptReader(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  log: Logger
): (runId: number, attempt: number) => Promise<RunAttempt | undefined> {
  return async (runId, attempt) => {
    const event = readEventContext(env);
    if (!event.repo) return undefined;
    const client = createGitHubClient({ token: inputs.githubToken!, apiUrl: event.apiUrl, log });
    return workflowRunAttempt(client, event.repo, runId, attempt);
  };
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
};

export async function run(): Promise<void> {
  const secrets = new SecretStore((value) => core.setSecret(value));
  const log = createCoreLogger(secrets);
  await runAction({
    readInput: readActionInput,
    env: process.env,
    actionRoot: findActionRoot(process.env),
    secrets,
    log,
    exec: createExec(
      (line) => process.stdout.write(`${line}\n`),
      () => secrets.list()
    ),
    clock: systemClock,
    print: (text) => process.stdout.write(`${text}\n`),
    io: {
      setOutput: (name, value) => core.setOutput(name, value),
      exportVariable: (name, value) => core.exportVariable(name, value),
      addPath: (dir) => core.addPath(dir),
      saveState: (name, value) => core.saveState(name, value),
      appendSummary: async (markdown) => {
        await core.summary.addRaw(markdown, true).write();
      },
      setFailed: (message) => core.setFailed(message)
    }
  });
}
