/**
 * Runs Terraform from inside a task step, for the few steps whose arguments depend on an
 * earlier answer in the same step (which resources exist) or whose answer holds secrets.
 * Checked like the runner's exec steps (engine/run-checked.ts), with a held lock explained.
 */
import { runChecked } from '../engine/run-checked.js';
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

export function runTerraform(ctx: TaskContext, call: TerraformCall): Promise<ExecResult> {
  return runChecked(ctx, {
    stepId: call.stepId,
    title: call.what,
    tool: 'terraform',
    args: call.args,
    cwd: call.cwd,
    env: call.env,
    quiet: call.quiet ?? false,
    ...(call.okExitCodes ? { okExitCodes: call.okExitCodes } : {}),
    explainFailure: (result) => explainTerraformFailure(result, call.cwd)
  });
}
