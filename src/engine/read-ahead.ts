/**
 * Reads made ahead of time. While Terraform plans, a read-ahead phase runs the read-only commands
 * the later phases will run (Helm release reads, Secret annotations, the IAP policy); each answer
 * is kept and handed to the first later step that runs exactly the same command, so an unchanged
 * deploy spends no time on them after the plan. An answer is used once (a poll asks again for a
 * fresh one), and every answer is dropped as soon as a step changes something, so no step ever
 * sees an answer older than the last change.
 */
import type { Exec, ExecOptions, ExecResult, ReadCall, ReadsAhead } from './types.js';

const keyOf = (tool: string, args: readonly string[], cwd: string | undefined) =>
  JSON.stringify([tool, args, cwd ?? '']);

export class ReadAhead implements ReadsAhead {
  private readonly answers = new Map<string, Promise<ExecResult | undefined>>();

  /** Starts a read now; its answer waits for the step that asks the same. */
  start(exec: Exec, call: ReadCall): Promise<ExecResult | undefined> {
    // A read that could not run is the later step's to report, when it runs it itself.
    const answer = exec
      .run(call.tool, call.args, {
        ...(call.cwd ? { cwd: call.cwd } : {}),
        ...(call.env ? { env: call.env } : {}),
        quiet: true
      })
      .catch(() => undefined);
    this.answers.set(keyOf(call.tool, call.args, call.cwd), answer);
    return answer;
  }

  /** Something changed: no answer read before it may be used after it. */
  clear(): void {
    this.answers.clear();
  }

  /**
   * An Exec that answers a call from a read made ahead when there is one (once), else runs it.
   * `onServed` lets the log and the event record say where the answer came from.
   */
  serving(exec: Exec, onServed: (tool: string, args: readonly string[]) => void): Exec {
    return {
      run: async (tool: string, args: readonly string[], options: ExecOptions = {}) => {
        const key = keyOf(tool, args, options.cwd);
        const ahead = options.stdin === undefined ? this.answers.get(key) : undefined;
        this.answers.delete(key);
        const result = await ahead;
        if (result) {
          onServed(tool, args);
          return result;
        }
        return exec.run(tool, args, options);
      }
    };
  }
}
