/** The real process boundary: @actions/exec with argument arrays, no shell, no prompts. */
import * as actionsExec from '@actions/exec';
import { StepError } from '../errors.js';
import { redact } from './redact.js';
import type { Exec, ExecOptions, ExecResult } from './types.js';

/** Variables that keep every tool from waiting on a prompt or a pager. */
export const NON_INTERACTIVE_ENV: Readonly<Record<string, string>> = {
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
  CHECKPOINT_DISABLE: '1',
  CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
  CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
  PAGER: 'cat',
  KUBECTL_INTERACTIVE_DELETE: 'false'
};

export function createExec(
  print: (line: string) => void,
  secrets: () => readonly string[],
  baseEnv: () => NodeJS.ProcessEnv = () => process.env
): Exec {
  return {
    async run(
      tool: string,
      args: readonly string[],
      options: ExecOptions = {}
    ): Promise<ExecResult> {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(baseEnv()))
        if (value !== undefined) env[key] = value;
      Object.assign(env, NON_INTERACTIVE_ENV, options.env ?? {});
      const echo = (line: string) => {
        if (!options.quiet) print(redact(line, secrets()));
      };
      try {
        const result = await actionsExec.getExecOutput(tool, [...args], {
          silent: true,
          ignoreReturnCode: true,
          input: Buffer.from(options.stdin ?? ''),
          env,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          listeners: { stdline: echo, errline: echo }
        });
        return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (/Unable to locate executable/i.test(message)) {
          throw new StepError(
            tool,
            `${tool} was not found on PATH. Let the action install it (set ${tool}-version to a version or 'latest'), or install it in an earlier step.`
          );
        }
        throw new StepError(tool, `Could not run ${tool}: ${redact(message, secrets())}`);
      }
    }
  };
}
