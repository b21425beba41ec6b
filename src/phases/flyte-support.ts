/** What the Flyte phases share: running a tool from a task step, and bounded polling. */
import { runChecked } from '../engine/run-checked.js';
import type { ExecResult, TaskContext, Tool } from '../engine/types.js';

/** Runs a tool from inside a task step, checked like the runner's exec steps. */
export function runTool(
  ctx: TaskContext,
  stepId: string,
  tool: Tool,
  args: readonly string[],
  options: { readonly quiet?: boolean; readonly allowFailure?: boolean } = {}
): Promise<ExecResult> {
  return runChecked(ctx, {
    stepId,
    title: `${tool} ${args.slice(0, 2).join(' ')}`,
    tool,
    args,
    quiet: options.quiet ?? true,
    ...(options.allowFailure ? { okExitCodes: 'any' as const } : {})
  });
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
