/** A TaskContext for unit tests: real exec and files, recorded exports, PATH and cleanups. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseInputs, type Inputs } from '../../src/inputs.js';
import { createExec } from '../../src/engine/exec.js';
import { RunState } from '../../src/engine/state.js';
import type { Clock, Exec, Logger, TaskContext } from '../../src/engine/types.js';
import type { GoogleApi } from '../../src/gcp/google-api.js';
import { PROJECT_ROOT } from './project.js';

export function testInputs(values: Record<string, string> = {}): Inputs {
  // gcloud 528.0.0 has no row in the shipped checksum table, so tests verify it from the mirror.
  const all: Record<string, string> = {
    'project-id': 'acme-flyte',
    'gcloud-version': '528.0.0',
    ...values
  };
  return parseInputs((name) => all[name] ?? '', {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
}

export interface RecordingLogger extends Logger {
  readonly lines: string[];
  readonly secrets: string[];
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const secrets: string[] = [];
  return {
    lines,
    secrets,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    notice: (m) => lines.push(`notice: ${m}`),
    debug: () => undefined,
    group: (_name, fn) => fn(),
    setSecret: (value) => secrets.push(value)
  };
}

/** Real time for `now`, no waiting for `sleep`: it records the waits instead. */
export function instantClock(): Clock & { readonly sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now(), sleep: async (ms) => void sleeps.push(ms) };
}

export interface TestContext extends TaskContext {
  readonly log: RecordingLogger;
  readonly clock: Clock & { readonly sleeps: number[] };
  readonly exported: Record<string, string>;
  readonly paths: string[];
  readonly cleanups: string[];
  readonly dir: string;
}

export function testContext(
  options: { inputs?: Inputs; env?: NodeJS.ProcessEnv; exec?: Exec; google?: GoogleApi } = {}
): TestContext {
  const dir = mkdtempSync(path.join(tmpdir(), 'flyte-gke-ctx-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    RUNNER_TEMP: path.join(dir, 'temp'),
    RUNNER_TOOL_CACHE: path.join(dir, 'tool-cache'),
    ...options.env
  };
  const exported: Record<string, string> = {};
  const paths: string[] = [];
  const cleanups: string[] = [];
  return {
    dir,
    inputs: options.inputs ?? testInputs(),
    state: new RunState(false),
    exec:
      options.exec ??
      createExec(
        () => undefined,
        () => []
      ),
    log: recordingLogger(),
    clock: instantClock(),
    env,
    exported,
    paths,
    cleanups,
    exportVariable: (name, value) => {
      exported[name] = value;
      env[name] = value;
    },
    addPath: (p) => {
      paths.push(p);
    },
    registerCleanup: (file) => {
      cleanups.push(file);
    },
    ...(options.google ? { google: () => options.google! } : {})
  };
}
