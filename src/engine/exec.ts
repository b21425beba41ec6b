/**
 * The real process boundary: argument arrays, no shell, no prompts, no terminal.
 *
 * Built on child_process.spawn rather than @actions/exec: @actions/exec always opens a stdin pipe
 * and attaches no error handler to it, so a tool that exits before reading its input (kubectl
 * failing on auth before `apply -f -` reads the manifest, or any fast tool when stdin is closed)
 * crashes the whole action with `write EPIPE` (85 of 100 such runs did here). Here stdin is
 * /dev/null unless a step gives input, so a tool that would prompt gets end-of-file at once.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
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

/**
 * Never handed to a tool: the action's inputs (the GitHub token, the OAuth client secret) and the
 * runner's tokens. The tools mint Google tokens through the credentials file, not from these.
 */
export const WITHHELD_ENV =
  /^(INPUT_|ACTIONS_ID_TOKEN_REQUEST_|ACTIONS_RUNTIME_TOKEN$|ACTIONS_CACHE_URL$)/;

/** Calls `emit` for each complete line of a stream, keeping the unfinished tail. */
function lineSplitter(emit: (line: string) => void) {
  let tail = '';
  return {
    push(chunk: string) {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) emit(line.replace(/\r$/, ''));
    },
    flush() {
      if (tail) emit(tail);
      tail = '';
    }
  };
}

export function createExec(
  print: (line: string) => void,
  secrets: () => readonly string[],
  baseEnv: () => NodeJS.ProcessEnv = () => process.env
): Exec {
  return {
    run(tool: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(baseEnv())) {
        if (value !== undefined && !WITHHELD_ENV.test(key)) env[key] = value;
      }
      Object.assign(env, NON_INTERACTIVE_ENV, options.env ?? {});
      const echo = (line: string) => {
        if (!options.quiet) print(redact(line, secrets()));
      };
      return new Promise((resolve, reject) => {
        const child = spawn(tool, [...args], {
          env,
          ...(options.cwd ? { cwd: options.cwd } : {}),
          stdio: [options.stdin !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe']
        });
        let stdout = '';
        let stderr = '';
        const outLines = lineSplitter(echo);
        const errLines = lineSplitter(echo);
        child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          outLines.push(chunk);
        });
        child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          errLines.push(chunk);
        });
        child.on('error', (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') {
            reject(
              new StepError(
                tool,
                `${tool} was not found on PATH. Let the action install it (set ${tool}-version to a version or 'latest'), or install it in an earlier step.`
              )
            );
          } else {
            reject(
              new StepError(tool, `Could not run ${tool}: ${redact(error.message, secrets())}`)
            );
          }
        });
        child.on('close', (code, signal) => {
          outLines.flush();
          errLines.flush();
          // A signal maps to 128 + its number, as a shell reports it.
          const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
          resolve({ exitCode, stdout, stderr });
        });
        if (child.stdin) {
          // A tool may exit before reading its input; its exit code tells what happened.
          child.stdin.on('error', () => undefined);
          child.stdin.end(options.stdin);
        }
      });
    }
  };
}
