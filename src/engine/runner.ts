/**
 * Executes planned phases: one log group per phase, steps in order, conditions checked just
 * before each step, durations recorded. The same phases drive the dry run (see dry-run.ts).
 */
import { runChecked } from './run-checked.js';
import type { RunState } from './state.js';
import type { ExecStep, Phase, PhaseReport, StepReport, TaskContext } from './types.js';

export interface RunnerDeps {
  readonly ctx: TaskContext;
  /** Every secret known so far; the runner registers them before printing anything. */
  readonly secrets: () => readonly string[];
}

export async function runPhases(
  phases: readonly Phase[],
  deps: RunnerDeps
): Promise<PhaseReport[]> {
  const { ctx } = deps;
  const reports: PhaseReport[] = [];
  for (const phase of phases) {
    const started = ctx.clock.now();
    const steps: StepReport[] = [];
    try {
      await ctx.log.group(phase.name, async () => {
        for (const step of phase.steps(ctx.state)) {
          for (const secret of deps.secrets()) ctx.log.setSecret(secret);
          const stepStart = ctx.clock.now();
          if (step.when && !step.when.test(ctx.state)) {
            ctx.log.info(`Skipped ${step.title}: ${step.when.skipped(ctx.state)}`);
            steps.push(report(step, 'skipped', 0));
            continue;
          }
          let outcome: void | 'unchanged' = undefined;
          try {
            if (step.kind === 'exec') await runExecStep(step, ctx, deps.secrets());
            else outcome = await step.run(ctx);
          } catch (error) {
            steps.push(report(step, 'failed', ctx.clock.now() - stepStart));
            throw error;
          }
          const ran = report(step, 'ran', ctx.clock.now() - stepStart);
          steps.push(outcome === 'unchanged' ? { ...ran, mutates: false } : ran);
        }
      });
    } finally {
      reports.push({ name: phase.name, durationMs: ctx.clock.now() - started, steps });
    }
  }
  return reports;
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
