/**
 * gcloud off the critical path, from the engine's own record: a plan's phases run to the end
 * while the gcloud install is still going, no step waits for it unless it runs gcloud or kubectl,
 * and the run does not end (nor report) before the install has, so the job's later steps find it.
 */
import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../src/engine/events.js';
import { runPhases } from '../src/engine/runner.js';
import { RunState } from '../src/engine/state.js';
import type { Phase } from '../src/engine/types.js';
import { planCommand } from '../src/planner.js';
import { fakeContext, testInputs } from './support/fakes.js';

/** A tools phase whose gcloud install ends only when the test says so. */
function gatedTools() {
  let release!: (error?: Error) => void;
  const installed = new Promise<void>((resolve, reject) => {
    release = (error) => (error ? reject(error) : resolve());
  });
  const phase: Phase = {
    name: 'Install tools',
    steps: () => [
      {
        kind: 'task',
        id: 'install-tools',
        title: 'tools',
        mutates: false,
        describe: () => '',
        run: async (ctx) => ctx.background!.start('gcloud', () => installed)
      }
    ]
  };
  return { phase, release };
}

const execPhase = (name: string, tool: 'terraform' | 'kubectl', id: string): Phase => ({
  name,
  steps: () => [{ kind: 'exec', id, title: id, tool, mutates: false, args: ['x'] }]
});

describe('the gcloud install beside the phases', () => {
  it('the plan ends before the install does; the run waits for it before it returns', async () => {
    const tools = gatedTools();
    const events: RecordedEvent[] = [];
    const { ctx } = fakeContext();
    let returned = false;
    const run = runPhases(
      [tools.phase, execPhase('Terraform plan', 'terraform', 'terraform-plan')],
      {
        ctx,
        secrets: () => [],
        events: (e) => events.push(e)
      }
    ).then(() => (returned = true));
    // Let the phases run: the plan ends while gcloud still installs.
    for (
      let i = 0;
      i < 20 && !events.some((e) => e.kind === 'phase-end' && e.phase === 'Terraform plan');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(events.some((e) => e.kind === 'phase-end' && e.phase === 'Terraform plan')).toBe(true);
    expect(events.some((e) => e.kind === 'background-end')).toBe(false);
    expect(returned).toBe(false);
    tools.release();
    await run;
    const end = events.find((e) => e.kind === 'background-end')!;
    const planEnd = events.find((e) => e.kind === 'phase-end' && e.phase === 'Terraform plan')!;
    expect(end).toMatchObject({ name: 'gcloud', ok: true });
    expect(end.seq).toBeGreaterThan(planEnd.seq);
    expect(events.filter((e) => e.kind === 'background-wait')).toEqual([]);
  });

  it('a kubectl command waits for the install, recorded with its step', async () => {
    const tools = gatedTools();
    const events: RecordedEvent[] = [];
    const { ctx, calls } = fakeContext();
    const run = runPhases(
      [tools.phase, execPhase('Read the Flyte release', 'kubectl', 'release-read')],
      {
        ctx,
        secrets: () => [],
        events: (e) => events.push(e)
      }
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]); // kubectl is a gcloud component: not run before it is installed
    tools.release();
    await run;
    const wait = events.find((e) => e.kind === 'background-wait')!;
    expect(wait).toMatchObject({ name: 'gcloud', step: 'release-read' });
    const start = events.find((e) => e.kind === 'exec-start')!;
    expect(start.seq).toBeGreaterThan(events.find((e) => e.kind === 'background-end')!.seq);
  });

  it('a failed install fails the run after its phases, with the install’s reason', async () => {
    const tools = gatedTools();
    const { ctx } = fakeContext();
    tools.release(new Error('gcloud 588.0.0: digest mismatch'));
    await expect(
      runPhases([tools.phase, execPhase('Terraform plan', 'terraform', 'terraform-plan')], {
        ctx,
        secrets: () => []
      })
    ).rejects.toThrow(/digest mismatch/);
  });

  it('no step of a plan before the release read runs gcloud or kubectl', () => {
    const phases = planCommand(testInputs({ command: 'plan' }));
    const first = phases.findIndex((p) => p.name === 'Read the Flyte release');
    const before = phases.slice(0, first < 0 ? phases.length : first);
    const steps = before.flatMap((p) => p.steps(new RunState(false)));
    expect(
      steps.filter((s) => s.kind === 'exec' && (s.tool === 'gcloud' || s.tool === 'kubectl'))
    ).toEqual([]);
  });
});

describe('a phase failure and a background failure together', () => {
  it('reports both reasons', async () => {
    const tools = gatedTools();
    const { ctx } = fakeContext({
      exec: { run: async () => ({ exitCode: 1, stdout: '', stderr: 'plan failed' }) }
    });
    tools.release(new Error('gcloud 588.0.0: digest mismatch'));
    const error = await runPhases(
      [tools.phase, execPhase('Terraform plan', 'terraform', 'terraform-plan')],
      { ctx, secrets: () => [] }
    ).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error
    );
    expect(error.message).toMatch(/terraform[\s\S]*gcloud 588\.0\.0: digest mismatch/);
  });
});
