/**
 * Fakes for publishing tests: typed inputs, a recording logger and ActionIO, a TaskContext, and an
 * event payload file, aimed at the loopback GitHub server.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseInputs, type Inputs } from '../../src/inputs.js';
import { RunState } from '../../src/engine/state.js';
import type { Logger, PhaseReport, TaskContext } from '../../src/engine/types.js';
import type { GitHubTimings } from '../../src/github/client.js';
import type { PublishArgs } from '../../src/report/publish.js';
import type { ActionIO } from '../../src/action-io.js';
import type { GitHubServer } from './github-server.js';
import { PROJECT_ROOT } from './project.js';

/** Retry waits of a millisecond per "second" and no write spacing: tests never sleep for real. */
export const FAST_TIMINGS: GitHubTimings = {
  msPerSecond: 1,
  retries: 3,
  maxRateLimitWaitSeconds: 120,
  spaceWrites: false
};

export const TOKEN = 'ghs_loopbackTestToken0123456789';

export function makeInputs(values: Record<string, string>): Inputs {
  const all: Record<string, string> = {
    'project-id': 'acme-flyte-dev',
    'cluster-name': 'flyte-dev',
    'github-token': TOKEN,
    ...values
  };
  return parseInputs((name) => all[name] ?? '', {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
}

export interface LogLine {
  readonly level: 'info' | 'warning' | 'notice' | 'debug';
  readonly message: string;
}

export function recordingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    notice: (message) => lines.push({ level: 'notice', message }),
    debug: (message) => lines.push({ level: 'debug', message }),
    group: (_name, fn) => fn(),
    setSecret: () => undefined
  };
  return { log, lines };
}

export interface EventSpec {
  readonly eventName: string;
  readonly payload: Record<string, unknown>;
  readonly sha?: string;
}

export function pullRequestEvent(number: number, fork = false): EventSpec {
  return {
    eventName: 'pull_request',
    payload: {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        head: {
          sha: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0',
          repo: { full_name: fork ? 'fork/infra' : 'acme/infra' }
        },
        base: { repo: { full_name: 'acme/infra' } }
      }
    }
  };
}

export function pushEvent(sha: string): EventSpec {
  return { eventName: 'push', sha, payload: { ref: 'refs/heads/main', after: sha } };
}

/** The GITHUB_* variables a runner sets, with the payload written to a temporary file. */
export function runnerEnv(server: GitHubServer, event: EventSpec): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'gh-event-'));
  const file = path.join(dir, 'event.json');
  writeFileSync(file, JSON.stringify(event.payload));
  return {
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
    GITHUB_RUN_ID: '4242',
    GITHUB_EVENT_NAME: event.eventName,
    GITHUB_EVENT_PATH: file,
    GITHUB_SHA: event.sha ?? 'f00dfacef00dfacef00dfacef00dfacef00dface'
  };
}

export interface Published {
  readonly args: PublishArgs;
  readonly summaries: string[];
  readonly lines: LogLine[];
}

export function publishArgs(options: {
  inputs: Inputs;
  state: RunState;
  env: NodeJS.ProcessEnv;
  failure?: Error;
  reports?: PhaseReport[];
  secrets?: string[];
}): Published {
  const { log, lines } = recordingLogger();
  const summaries: string[] = [];
  const io: ActionIO = {
    setOutput: () => undefined,
    exportVariable: () => undefined,
    addPath: () => undefined,
    saveState: () => undefined,
    appendSummary: async (markdown) => {
      summaries.push(markdown);
    },
    setFailed: () => undefined
  };
  const ctx: TaskContext = {
    inputs: options.inputs,
    state: options.state,
    exec: { run: () => Promise.reject(new Error('publishing runs no tools')) },
    log,
    clock: { now: () => 0, sleep: () => Promise.resolve() },
    env: options.env,
    exportVariable: () => undefined,
    addPath: () => undefined,
    registerCleanup: () => undefined
  };
  return {
    args: {
      inputs: options.inputs,
      state: options.state,
      reports: options.reports ?? [],
      failure: options.failure,
      ctx,
      io,
      secrets: options.secrets ?? [TOKEN],
      githubTimings: FAST_TIMINGS
    },
    summaries,
    lines
  };
}

/** A state after a plan: two resources to create, one to update. */
export function plannedState(extra: Partial<RunState> = {}): RunState {
  const state = new RunState(false);
  state.planHasChanges = true;
  state.planSummary = {
    add: 2,
    change: 1,
    destroy: 0,
    resources: [
      {
        address: 'google_container_cluster.primary',
        type: 'google_container_cluster',
        action: 'create'
      },
      {
        address: 'google_sql_database_instance.flyte',
        type: 'google_sql_database_instance',
        action: 'create'
      },
      { address: 'google_storage_bucket.data', type: 'google_storage_bucket', action: 'update' }
    ]
  };
  state.planText =
    'Terraform will perform the following actions:\n\n  # google_container_cluster.primary will be created\n  + resource "google_container_cluster" "primary" {}\n\nPlan: 2 to add, 1 to change, 0 to destroy.\n';
  state.valuesPreview = 'configuration:\n  database:\n    password: "***"\n    host: 10.0.0.3\n';
  Object.assign(state, extra);
  return state;
}
