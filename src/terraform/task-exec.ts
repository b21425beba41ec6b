/**
 * Runs Terraform from inside a task step, for the few steps whose arguments depend on an
 * earlier answer in the same step (which resources exist) or whose answer holds secrets.
 * Mirrors the runner's exec steps: echo the command, check the exit code, explain a held lock.
 */
import { StepError } from '../errors.js';
import { displayCommand } from '../engine/redact.js';
import type { ExecResult, TaskContext } from '../engine/types.js';
import { explainTerraformFailure } from './lock.js';

export interface TerraformCall {
  readonly stepId: string;
  readonly what: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly okExitCodes?: readonly number[];
  readonly quiet?: boolean;
}

export async function runTerraform(ctx: TaskContext, call: TerraformCall): Promise<ExecResult> {
  ctx.log.info(`$ ${displayCommand('terraform', call.args, [])}`);
  const result = await ctx.exec.run('terraform', call.args, {
    cwd: call.cwd,
    env: call.env,
    quiet: call.quiet ?? false
  });
  if (!(call.okExitCodes ?? [0]).includes(result.exitCode)) {
    const explained = explainTerraformFailure(result, call.cwd);
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-20).join('\n');
    throw new StepError(
      call.stepId,
      `${explained ?? `${call.what} failed: terraform exited with ${result.exitCode}.`}${tail ? `\n${tail}` : ''}`,
      result.exitCode
    );
  }
  return result;
}
