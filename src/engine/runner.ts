/**
 * Executes planned phases: one log group per phase, steps in order, conditions checked just
 * before each step, durations recorded. The same phases drive the dry run (see dry-run.ts).
 */
import { runChecked } from './run-checked.js';
import type { RunState } from './state.js';
import { ReadAhead } from './read-ahead.js';
import type {
  Exec,
  ExecStep,
  Logger,
  Phase,
  PhaseReport,
  Step,
  StepReport,
  TaskContext
} from './types.js';

export interface RunnerDeps {
  readonly ctx: TaskContext;
  /** Every secret known so far; the runner registers them before printing anything. */
  readonly secrets: () => readonly string[];
}

export async function runPhases(
  phases: readonly Phase[],
  deps: RunnerDeps
): Promise<PhaseReport[]> {
  const reads = new ReadAhead();
  const ctx: TaskContext = {
    ...deps.ctx,
    readAhead: reads,
    exec: reads.serving(deps.ctx.exec, (tool) =>
      deps.ctx.log.info(`  (${tool}'s answer was read ahead, while Terraform planned)`)
    )
  };
  const reports: PhaseReport[] = [];
  for (const phase of phases) {
    const started = ctx.clock.now();
    const steps: StepReport[] = [];
    let alongside: Promise<PhaseReport> | undefined;
    try {
      await ctx.log.group(phase.name, async () => {
        for (const step of phase.steps(ctx.state)) {
          await runStep(step, ctx, deps, steps, reads);
          if (phase.alongside && step.id === phase.alongside.after) {
            alongside = runAlongside(phase.alongside.phase, deps.ctx, deps, reads);
          }
        }
      });
    } finally {
      reports.push({ name: phase.name, durationMs: ctx.clock.now() - started, steps });
      // Always waited for, so no read outlives the phase it overlaps.
      if (alongside) reports.push(await alongside);
    }
  }
  return reports;
}

async function runStep(
  step: Step,
  ctx: TaskContext,
  deps: RunnerDeps,
  steps: StepReport[],
  reads: ReadAhead
): Promise<void> {
  for (const secret of deps.secrets()) ctx.log.setSecret(secret);
  const stepStart = ctx.clock.now();
  if (step.when && !step.when.test(ctx.state)) {
    ctx.log.info(`Skipped ${step.title}: ${step.when.skipped(ctx.state)}`);
    steps.push(report(step, 'skipped', 0));
    return;
  }
  let outcome: void | 'unchanged' = undefined;
  try {
    if (step.kind === 'exec') await runExecStep(step, ctx, deps.secrets());
    else outcome = await step.run(ctx);
  } catch (error) {
    steps.push(report(step, 'failed', ctx.clock.now() - stepStart));
    throw error;
  } finally {
    // Whatever a changing step did (or began before it failed), answers read before it are stale.
    if (step.mutates && outcome !== 'unchanged') reads.clear();
  }
  const ran = report(step, 'ran', ctx.clock.now() - stepStart);
  steps.push(outcome === 'unchanged' ? { ...ran, mutates: false } : ran);
}

/**
 * Runs a read-only phase beside another: its log lines are kept and printed as its own group once
 * it ends, tool output is never echoed (so the two never interleave), and a failure is a warning.
 */
async function runAlongside(
  phase: Phase,
  base: TaskContext,
  deps: RunnerDeps,
  reads: ReadAhead
): Promise<PhaseReport> {
  const started = base.clock.now();
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
  const ctx: TaskContext = { ...base, log, exec: quietExec, readAhead: reads };
  const steps: StepReport[] = [];
  try {
    for (const step of phase.steps(ctx.state)) {
      if (step.mutates) throw new Error(`${step.id} changes something; it cannot run alongside`);
      await runStep(step, ctx, deps, steps, reads);
    }
  } catch (error) {
    log.warning(
      `${phase.name}: ${(error as Error).message.split('\n')[0]} The later steps read for themselves.`
    );
  }
  await base.log.group(`${phase.name} (ran alongside)`, async () => {
    for (const line of lines) base.log[line.level](line.text);
  });
  return { name: phase.name, durationMs: base.clock.now() - started, steps };
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
