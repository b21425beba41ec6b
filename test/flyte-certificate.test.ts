/** The certificate wait polls while the certificate is missing or provisioning, not on errors. */
import { describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { ingressPhase } from '../src/phases/flyte.js';
import { fakeClock, fakeContext, fakeExec, testInputs } from './support/fakes.js';

function certificateWait(answer: { exitCode: number; stderr?: string; stdout?: string }) {
  const inputs = testInputs({
    ingress: 'true',
    'allow-unauthenticated': 'true',
    domain: 'flyte.acme.example',
    timeout: '2m'
  });
  const state = new RunState(false);
  const step = ingressPhase(inputs)
    .steps(state)
    .find((s) => s.id === 'certificate-wait') as TaskStep;
  const { exec, calls } = fakeExec(() => answer);
  const clock = fakeClock();
  const { ctx } = fakeContext({ inputs, state, exec, clock });
  return { run: () => step.run(ctx), calls, clock, state };
}

describe('certificate wait', () => {
  it('fails at once with kubectl’s reason when it cannot read the certificate', async () => {
    const wait = certificateWait({
      exitCode: 1,
      stderr:
        'Error from server (Forbidden): managedcertificates.networking.gke.io "flyte-backend-cert" is forbidden: User "deployer" cannot get resource'
    });
    await expect(wait.run()).rejects.toThrow(/Reading ManagedCertificate .* failed: .*Forbidden/);
    expect(wait.calls).toHaveLength(1);
  });

  it('keeps polling while the certificate does not exist yet, then warns at the bound', async () => {
    const wait = certificateWait({
      exitCode: 1,
      stderr:
        'Error from server (NotFound): managedcertificates.networking.gke.io "flyte-backend-cert" not found'
    });
    await wait.run();
    expect(wait.calls.length).toBeGreaterThan(1);
    expect(wait.state.certificateStatus).toBe('Unknown');
  });
});
