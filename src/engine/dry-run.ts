/**
 * The dry run: walks the same phases the runner would, prints every step with its arguments
 * (secrets as ***), and executes nothing.
 */
import { displayCommand, redact } from './redact.js';
import type { RunState } from './state.js';
import type { Phase } from './types.js';

export function renderRunbook(
  phases: readonly Phase[],
  state: RunState,
  secrets: readonly string[]
): string {
  const lines: string[] = [];
  let number = 0;
  const all = phases.flatMap((phase) =>
    phase.alongside
      ? [
          phase,
          {
            ...phase.alongside.phase,
            name: `${phase.alongside.phase.name} (at the same time as "${phase.name}", from its step ${phase.alongside.after} on; read-only)`
          }
        ]
      : [phase]
  );
  for (const phase of all) {
    lines.push(`## ${phase.name}`);
    const steps = phase.steps(state);
    if (steps.length === 0) lines.push('  (nothing to do)');
    for (const step of steps) {
      number += 1;
      const flags = [step.mutates ? 'changes' : 'read-only'];
      if (step.when) flags.push(`only if ${step.when.describe}`);
      lines.push(`${number}. ${step.title} [${flags.join('; ')}]`);
      if (step.kind === 'exec') {
        lines.push(`   $ ${displayCommand(step.tool, step.args, secrets)}`);
        if (step.cwd) lines.push(`   in ${step.cwd}`);
        const env = Object.keys(step.env ?? {});
        if (env.length > 0) lines.push(`   env: ${env.sort().join(', ')}`);
        if (step.stdin !== undefined)
          lines.push(`   stdin: *** (${step.stdin.length} bytes, not shown)`);
      } else {
        for (const line of redact(step.describe(state), secrets).split('\n')) {
          lines.push(`   ${line}`);
        }
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}
