/** Destroy waits for GKE to delete the Services' NEGs, so Terraform can delete the subnet. */
import { describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { helmPhase } from '../src/phases/flyte.js';
import { fakeClock, fakeContext, fakeExec, fakeLogger, testInputs } from './support/fakes.js';

/** A NEG as GKE makes it: the name trimmed to 38 characters, the description whole. */
const neg = (namespace: string, service: string, name: string) => ({
  name,
  zone: 'us-central1-a',
  description: JSON.stringify({
    'cluster-uid': '5f1a2b3c4d5e6f70',
    namespace,
    'service-name': service,
    port: '8088'
  })
});
const NEG = JSON.stringify([
  neg(
    'flyte',
    'flyte-backend-flyte-binary-http',
    'k8s1-0a1b2c3d-flyte-flyte-backend-flyte-binary-http-8088-4e5f6a7b'
  )
]);

function negWait(answers: string[], values: Record<string, string> = {}) {
  const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte', ...values });
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
    expect(wait.calls[0]?.args).toContain('--format=json(name,zone,description)');
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

  it('finds the NEGs of a long namespace and release, whose names GKE trims', async () => {
    const release = 'flyte-production-europe-west4-primary';
    // GKE trims namespace, service and port together: the name holds neither in full.
    const trimmed = neg(
      'flyte-prod',
      `${release}-flyte-binary-http`,
      'k8s1-0a1b2c3d-flyte-p-flyte-production-eu-8088-4e5f6a7b'
    );
    const other = neg(
      'flyte-prod',
      'another-app-http',
      'k8s1-0a1b2c3d-flyte-p-another-app-http-8088-1a2b3c4d'
    );
    const wait = negWait([JSON.stringify([trimmed, other]), JSON.stringify([other])], {
      namespace: 'flyte-prod',
      'release-name': release
    });
    await wait.run();
    // It waited for the Flyte NEG (listed twice), never for another app's.
    expect(wait.calls).toHaveLength(2);
    expect(wait.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('ignores NEGs of the same Service name in another namespace', async () => {
    const elsewhere = neg(
      'staging',
      'flyte-backend-flyte-binary-http',
      'k8s1-0a1b2c3d-staging-flyte-backend-flyte-binary-h-8088-9f8e7d6c'
    );
    const wait = negWait([JSON.stringify([elsewhere])]);
    await wait.run();
    expect(wait.calls).toHaveLength(1);
  });
});
