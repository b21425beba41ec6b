/**
 * Runs one tool and checks its exit code: the one place that echoes a command, maps a failure to
 * a StepError with the tool's last lines of output, and redacts. Exec steps go through it (via
 * the runner), and so do task steps that run a tool whose arguments depend on an earlier answer.
 */
import { StepError } from '../errors.js';
import { displayCommand, redact } from './redact.js';
import type { ExecResult, TaskContext } from './types.js';

export interface CheckedCall {
  readonly stepId: string;
  /** Names the work in the failure message: "<title> failed: <tool> exited with N." */
  readonly title: string;
  readonly tool: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly stdin?: string;
  readonly quiet?: boolean;
  /** Exit codes that count as success (default `[0]`); `'any'` leaves the judgement to the caller. */
  readonly okExitCodes?: readonly number[] | 'any';
  /** Replaces the generic first line of the failure message (for example, a held state lock). */
  readonly explainFailure?: (result: ExecResult) => string | undefined;
}

const TAIL_LINES = 20;

export async function runChecked(
  ctx: Pick<TaskContext, 'exec' | 'log'>,
  call: CheckedCall,
  secrets: readonly string[] = []
): Promise<ExecResult> {
  ctx.log.info(`$ ${displayCommand(call.tool, call.args, secrets)}`);
  const result = await ctx.exec.run(call.tool, call.args, {
    ...(call.env ? { env: call.env } : {}),
    ...(call.cwd ? { cwd: call.cwd } : {}),
    ...(call.stdin !== undefined ? { stdin: call.stdin } : {}),
    quiet: call.quiet ?? false
  });
  const ok = call.okExitCodes ?? [0];
  if (ok !== 'any' && !ok.includes(result.exitCode)) {
    const explained = call.explainFailure?.(result);
    const tail = (result.stderr || result.stdout).trim().split('\n').slice(-TAIL_LINES).join('\n');
    const message =
      explained ?? `${call.title} failed: ${call.tool} exited with ${result.exitCode}.`;
    throw new StepError(
      call.stepId,
      redact(`${message}${tail ? `\n${tail}` : ''}`, secrets),
      result.exitCode
    );
  }
  return result;
}
