/** Destroy waits for GKE to delete the Services' NEGs, so Terraform can delete the subnet. */
import { describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { helmPhase } from '../src/phases/flyte.js';
import { fakeClock, fakeContext, fakeExec, fakeLogger, testInputs } from './support/fakes.js';

const NEG = JSON.stringify([
  {
    name: 'k8s1-0a1b2c3d-flyte-flyte-backend-flyte-binary-http-8088-4e5f6a7b',
    zone: 'us-central1-a'
  }
]);

function negWait(answers: string[]) {
  const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte' });
  const step = helmPhase(inputs, 'uninstall')
    .steps(new RunState(false))
    .find((s) => s.id === 'neg-wait') as TaskStep;
  let call = 0;
  const { exec, calls } = fakeExec(() => ({
    stdout: answers[Math.min(call++, answers.length - 1)]
  }));
  const logger = fakeLogger();
  const { ctx } = fakeContext({ inputs, exec, clock: fakeClock(), log: logger.log });
  return { run: () => step.run(ctx), calls, lines: logger.lines };
}

describe('waiting for network endpoint groups on destroy', () => {
  it('polls until GKE has deleted them, then goes on without a warning', async () => {
    const wait = negWait([NEG, NEG, '[]']);
    await wait.run();
    expect(wait.calls).toHaveLength(3);
    expect(wait.calls[0]?.args).toContain(
      '--filter=name~^k8s1-.*-flyte-flyte-backend-flyte-binary-'
    );
    expect(wait.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('warns with the NEG names and the way out when they outlive the bound', async () => {
    const wait = negWait([NEG]);
    await wait.run();
    expect(wait.calls.length).toBeGreaterThan(2);
    expect(wait.lines.join('\n')).toMatch(
      /warning: GKE has not yet deleted k8s1-0a1b2c3d-flyte-flyte-backend-flyte-binary-http-8088-4e5f6a7b .*network-endpoint-groups delete/
    );
  });
});
