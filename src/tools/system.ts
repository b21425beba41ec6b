/** `system`: use the tool already on PATH, download nothing, and record its version. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { StepError } from '../errors.js';
import type { InstalledTool } from '../engine/state.js';
import type { TaskContext } from '../engine/types.js';

/** The first executable named `name` on `searchPath`, or undefined. */
export function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

export interface SystemProbe {
  readonly tool: string;
  readonly inputName: string;
  /** Arguments that print the version, e.g. `['version', '-json']`. */
  readonly args: readonly string[];
  /** Reads the version out of standard output; undefined when it cannot. */
  readonly parse: (stdout: string) => string | undefined;
}

export async function useSystemTool(probe: SystemProbe, ctx: TaskContext): Promise<InstalledTool> {
  const found = findOnPath(probe.tool, ctx.env.PATH);
  if (!found) {
    throw new StepError(
      'install-tools',
      `${probe.inputName} is 'system', but no ${probe.tool} was found on PATH. Install it in an earlier step, or set ${probe.inputName} to a version (or 'latest') and let the action install it.`
    );
  }
  const result = await ctx.exec.run(found, probe.args, { quiet: true });
  const version = result.exitCode === 0 ? probe.parse(result.stdout) : undefined;
  if (!version) {
    throw new StepError(
      'install-tools',
      `${found} ${probe.args.join(' ')} did not report a version (exit ${result.exitCode}). Check that the ${probe.tool} on PATH works, or set ${probe.inputName} to a version.`
    );
  }
  return { version, source: 'system', path: path.dirname(found) };
}
