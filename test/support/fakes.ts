/** Small fakes for the engine's dependencies, for tests of pure parts and phases. */
import { PROJECT_ROOT } from './project.js';
import { parseInputs, type Inputs } from '../../src/inputs.js';
import { RunState } from '../../src/engine/state.js';
import type {
  Clock,
  Exec,
  ExecOptions,
  ExecResult,
  Logger,
  TaskContext
} from '../../src/engine/types.js';

export interface RecordedExec {
  readonly tool: string;
  readonly args: readonly string[];
  readonly options: ExecOptions;
}

/** An Exec that answers from a function and records every call. */
export function fakeExec(
  answer: (tool: string, args: readonly string[]) => Partial<ExecResult> = () => ({})
) {
  const calls: RecordedExec[] = [];
  const exec: Exec = {
    async run(tool, args, options = {}) {
      calls.push({ tool, args, options });
      const a = answer(tool, args);
      return { exitCode: a.exitCode ?? 0, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    }
  };
  return { exec, calls };
}

/** A logger that keeps every line, so tests can look for secrets in what was printed. */
export function fakeLogger() {
  const lines: string[] = [];
  const secrets: string[] = [];
  const log: Logger = {
    info: (m) => void lines.push(m),
    warning: (m) => void lines.push(`warning: ${m}`),
    notice: (m) => void lines.push(`notice: ${m}`),
    debug: (m) => void lines.push(`debug: ${m}`),
    group: async (name, fn) => {
      lines.push(`group: ${name}`);
      return fn();
    },
    setSecret: (v) => void secrets.push(v)
  };
  return { log, lines, secrets };
}

/** A clock that moves only when slept on, so durations are exact and tests never wait. */
export function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    }
  };
}

export function testInputs(values: Record<string, string> = {}): Inputs {
  return parseInputs((name) => ({ 'project-id': 'acme-flyte-dev', ...values })[name] ?? '', {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
}

export function fakeContext(overrides: Partial<TaskContext> & { inputs?: Inputs } = {}) {
  const logger = fakeLogger();
  const { exec, calls } = fakeExec();
  const exported: Record<string, string> = {};
  const paths: string[] = [];
  const cleanup: string[] = [];
  const ctx: TaskContext = {
    inputs: overrides.inputs ?? testInputs(),
    state: overrides.state ?? new RunState(false),
    exec: overrides.exec ?? exec,
    log: overrides.log ?? logger.log,
    clock: overrides.clock ?? fakeClock(),
    env: overrides.env ?? {},
    exportVariable: overrides.exportVariable ?? ((n, v) => void (exported[n] = v)),
    addPath: overrides.addPath ?? ((p) => void paths.push(p)),
    registerCleanup: overrides.registerCleanup ?? ((f) => void cleanup.push(f)),
    ...(overrides.google ? { google: overrides.google } : {})
  };
  return { ctx, logger, calls, exported, paths, cleanup };
}
