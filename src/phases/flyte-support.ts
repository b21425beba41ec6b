/** What the Flyte phases share: running a tool from a task step, and bounded polling. */
import { StepError } from '../errors.js';
import { displayCommand } from '../engine/redact.js';
import type { ExecResult, TaskContext, Tool } from '../engine/types.js';

/** Runs a tool from inside a task step, echoing the command as the runner does for exec steps. */
export async function runTool(
  ctx: TaskContext,
  stepId: string,
  tool: Tool,
  args: readonly string[],
  options: { readonly quiet?: boolean; readonly allowFailure?: boolean } = {}
): Promise<ExecResult> {
  // The logger masks every registered secret; none is passed in argv anyway.
  ctx.log.info(`$ ${displayCommand(tool, args, [])}`);
  const result = await ctx.exec.run(tool, args, { quiet: options.quiet ?? true });
  if (result.exitCode !== 0 && !options.allowFailure) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    throw new StepError(
      stepId,
      `${tool} exited with ${result.exitCode}.\n${detail}`,
      result.exitCode
    );
  }
  return result;
}

/**
 * Calls `attempt` until it returns a value or `boundSeconds` pass on ctx.clock; undefined at the
 * bound. The first attempt is immediate.
 */
export async function pollUntil<T>(
  ctx: Pick<TaskContext, 'clock'>,
  boundSeconds: number,
  intervalMs: number,
  attempt: () => Promise<T | undefined>
): Promise<T | undefined> {
  const deadline = ctx.clock.now() + boundSeconds * 1000;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    const left = deadline - ctx.clock.now();
    if (left <= 0) return undefined;
    await ctx.clock.sleep(Math.min(intervalMs, left));
  }
}
