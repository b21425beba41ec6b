/**
 * Executes planned phases: one log group per phase, steps in order, conditions checked just
 * before each step, durations recorded. The same phases drive the dry run (see dry-run.ts).
 */
import { runChecked } from './run-checked.js';
import type { RunState } from './state.js';
import { ReadAhead } from './read-ahead.js';
import { Background, backgroundFor } from './background.js';
import { StepError } from '../errors.js';
import {
  callName,
  eventRecorder,
  type EngineEvent,
  type EventPlace,
  type EventSink
} from './events.js';
import { redact } from './redact.js';
import type {
  Exec,
  ExecStep,
  Logger,
  Phase,
  PhaseReport,
  ReadsAhead,
  Step,
  StepReport,
  TaskContext
} from './types.js';

export interface RunnerDeps {
  readonly ctx: TaskContext;
  /** Every secret known so far; the runner registers them before printing anything. */
  readonly secrets: () => readonly string[];
  /** Receives the engine's record of what ran in which order (see events.ts). */
  readonly events?: EventSink;
}

/** What every step of one run shares: the answers read ahead and the event record. */
interface RunShared {
  readonly deps: RunnerDeps;
  readonly reads: ReadAhead;
  readonly record: (event: EngineEvent) => void;
  readonly background: Background;
}

export async function runPhases(
  phases: readonly Phase[],
  deps: RunnerDeps
): Promise<PhaseReport[]> {
  const reads = new ReadAhead();
  const record = eventRecorder(deps.events);
  const background = new Background(record);
  const shared: RunShared = { deps, reads, record, background };
  const ctx: TaskContext = { ...deps.ctx, readAhead: reads, background };
  const reports: PhaseReport[] = [];
  let failure: { error: unknown } | undefined;
  try {
    await runAll(phases, ctx, shared, reports);
  } catch (error) {
    failure = { error };
  }
  // The job's later steps expect what was installing beside the phases: wait for it.
  const failures = await background.settle();
  const reasons = failures.map((f) => f.message).join('\n');
  if (failure) {
    // Both reported: a phase's failure and the background install's (a tampered mirror fails both).
    const error = failure.error;
    if (failures.length > 0 && error instanceof StepError) {
      throw new StepError(error.stepId, `${error.message}\n${reasons}`, error.exitCode);
    }
    throw error;
  }
  if (failures.length > 0) throw new StepError('install-tools', reasons);
  return reports;
}

async function runAll(
  phases: readonly Phase[],
  ctx: TaskContext,
  shared: RunShared,
  reports: PhaseReport[]
): Promise<void> {
  const { deps, reads } = shared;
  for (const phase of phases) {
    const started = ctx.clock.now();
    const steps: StepReport[] = [];
    let alongside: Promise<PhaseReport> | undefined;
    shared.record({ kind: 'phase-start', phase: phase.name });
    try {
      await ctx.log.group(phase.name, async () => {
        for (const step of phase.steps(ctx.state)) {
          const place = { phase: phase.name, step: step.id };
          const onServed = (tool: string, args: readonly string[]) => {
            const call = redact(callName(tool, args), deps.secrets());
            shared.record({ kind: 'read-served', ...place, call });
            ctx.log.info(`  (${tool}'s answer was read ahead, while Terraform planned)`);
          };
          const exec = reads.serving(recordingExec(deps.ctx.exec, place, shared), onServed);
          await runStep(step, { ...ctx, exec }, place, steps, shared);
          if (phase.alongside && step.id === phase.alongside.after) {
            alongside = runAlongside(phase.alongside.phase, deps.ctx, shared);
          }
        }
      });
    } finally {
      reports.push({ name: phase.name, durationMs: ctx.clock.now() - started, steps });
      // Always waited for, so no read outlives the phase it overlaps.
      if (alongside) reports.push(await alongside);
      shared.record({ kind: 'phase-end', phase: phase.name });
    }
  }
}

/** Records each command the step runs itself, by name (secrets masked), as it starts and ends. */
function recordingExec(exec: Exec, place: EventPlace, shared: RunShared): Exec {
  return {
    run: async (tool, args, options) => {
      const needs = backgroundFor(tool);
      if (needs) await shared.background.waitFor(needs, place);
      const call = redact(callName(tool, args), shared.deps.secrets());
      shared.record({ kind: 'exec-start', ...place, call });
      try {
        return await exec.run(tool, args, options);
      } finally {
        shared.record({ kind: 'exec-end', ...place, call });
      }
    }
  };
}

async function runStep(
  step: Step,
  ctx: TaskContext,
  place: EventPlace,
  steps: StepReport[],
  shared: RunShared
): Promise<void> {
  for (const secret of shared.deps.secrets()) ctx.log.setSecret(secret);
  const stepStart = ctx.clock.now();
  if (step.when && !step.when.test(ctx.state)) {
    ctx.log.info(`Skipped ${step.title}: ${step.when.skipped(ctx.state)}`);
    steps.push(report(step, 'skipped', 0));
    shared.record({ kind: 'step-skipped', ...place });
    return;
  }
  shared.record({ kind: 'step-start', ...place, mutates: step.mutates });
  let outcome: void | 'unchanged' = undefined;
  try {
    if (step.kind === 'exec') await runExecStep(step, ctx, shared.deps.secrets());
    else outcome = await step.run(ctx);
  } catch (error) {
    steps.push(report(step, 'failed', ctx.clock.now() - stepStart));
    shared.record({ kind: 'step-end', ...place, status: 'failed' });
    throw error;
  } finally {
    // Whatever a changing step did (or began before it failed), answers read before it are stale.
    if (step.mutates && outcome !== 'unchanged') {
      shared.reads.clear();
      shared.record({ kind: 'reads-dropped', ...place });
    }
  }
  const ran = report(step, 'ran', ctx.clock.now() - stepStart);
  steps.push(outcome === 'unchanged' ? { ...ran, mutates: false } : ran);
  shared.record({ kind: 'step-end', ...place, status: 'ran' });
}

/**
 * Runs a read-only phase beside another: its log lines are kept and printed as its own group once
 * it ends, tool output is never echoed (so the two never interleave), and a failure is a warning.
 */
async function runAlongside(
  phase: Phase,
  base: TaskContext,
  shared: RunShared
): Promise<PhaseReport> {
  const started = base.clock.now();
  shared.record({ kind: 'phase-start', phase: phase.name });
  const lines: { level: 'info' | 'warning' | 'notice' | 'debug'; text: string }[] = [];
  const log: Logger = {
    info: (text) => lines.push({ level: 'info', text }),
    warning: (text) => lines.push({ level: 'warning', text }),
    notice: (text) => lines.push({ level: 'notice', text }),
    debug: (text) => lines.push({ level: 'debug', text }),
    group: (_name, fn) => fn(),
    setSecret: (value) => base.log.setSecret(value)
  };
  const quietExec: Exec = {
    run: (tool, args, options = {}) => base.exec.run(tool, args, { ...options, quiet: true })
  };
  const ctx: TaskContext = { ...base, log };
  const steps: StepReport[] = [];
  try {
    for (const step of phase.steps(ctx.state)) {
      if (step.mutates) throw new Error(`${step.id} changes something; it cannot run alongside`);
      const place = { phase: phase.name, step: step.id };
      const exec = recordingExec(quietExec, place, shared);
      await runStep(
        step,
        { ...ctx, exec, readAhead: issuingReads(place, shared) },
        place,
        steps,
        shared
      );
    }
  } catch (error) {
    log.warning(
      `${phase.name}: ${(error as Error).message.split('\n')[0]} The later steps read for themselves.`
    );
  }
  await base.log.group(`${phase.name} (ran alongside)`, async () => {
    for (const line of lines) base.log[line.level](line.text);
  });
  shared.record({ kind: 'phase-end', phase: phase.name });
  return { name: phase.name, durationMs: base.clock.now() - started, steps };
}

/** The store of reads ahead as a step alongside sees it: each read it starts is recorded. */
function issuingReads(place: EventPlace, shared: RunShared): ReadsAhead {
  return {
    start: (exec, read) => {
      const call = redact(callName(read.tool, read.args), shared.deps.secrets());
      shared.record({ kind: 'read-issued', ...place, call });
      const answer = shared.reads.start(exec, read);
      void answer.then((result) =>
        shared.record({
          kind: 'read-answered',
          call,
          ...(result ? { exitCode: result.exitCode } : {})
        })
      );
      return answer;
    }
  };
}

function report(
  step: { id: string; title: string; mutates: boolean },
  status: StepReport['status'],
  durationMs: number
): StepReport {
  return { id: step.id, title: step.title, mutates: step.mutates, status, durationMs };
}

async function runExecStep(step: ExecStep, ctx: TaskContext, secrets: readonly string[]) {
  const result = await runChecked(
    ctx,
    {
      stepId: step.id,
      title: step.title,
      tool: step.tool,
      args: step.args,
      ...(step.env ? { env: step.env } : {}),
      ...(step.cwd ? { cwd: step.cwd } : {}),
      ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
      ...(step.okExitCodes ? { okExitCodes: step.okExitCodes } : {}),
      ...(step.explainFailure ? { explainFailure: step.explainFailure } : {}),
      quiet: step.quiet ?? false
    },
    secrets
  );
  step.onResult?.(result, ctx.state as RunState);
}
