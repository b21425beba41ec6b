/**
 * gcloud off the critical path, from the engine's own record: a plan's phases run to the end
 * while the gcloud install is still going, no step waits for it unless it runs gcloud (kubectl is
 * its own download), and the run does not end (nor report) before the install has, so the job's
 * later steps find it. With install-gcloud false the install starts only for a gcloud command.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RecordedEvent } from '../src/engine/events.js';
import { runPhases } from '../src/engine/runner.js';
import { RunState } from '../src/engine/state.js';
import type { Phase } from '../src/engine/types.js';
import { planCommand } from '../src/planner.js';
import { toolsPhase } from '../src/phases/tools.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { currentPlatform } from '../src/tools/sources.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { fakeContext, fakeExec, testInputs } from './support/fakes.js';
import { buildArchive, Mirror, publish } from './support/mirror.js';
import { testContext, testInputs as mirrorInputs } from './support/task-context.js';
import { writeTestPins } from './support/test-pins.js';

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

const execPhase = (name: string, tool: 'terraform' | 'kubectl' | 'gcloud', id: string): Phase => ({
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

  it('a kubectl command runs while gcloud still installs: it does not wait', async () => {
    const tools = gatedTools();
    const events: RecordedEvent[] = [];
    const { ctx, calls } = fakeContext();
    const run = runPhases(
      [tools.phase, execPhase('Read the Flyte release', 'kubectl', 'release-read')],
      { ctx, secrets: () => [], events: (e) => events.push(e) }
    );
    for (let i = 0; i < 20 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(calls.map((c) => c.tool)).toEqual(['kubectl']);
    expect(events.some((e) => e.kind === 'background-end')).toBe(false);
    tools.release();
    await run;
    expect(events.filter((e) => e.kind === 'background-wait')).toEqual([]);
    const start = events.find((e) => e.kind === 'exec-start')!;
    expect(start.seq).toBeLessThan(events.find((e) => e.kind === 'background-end')!.seq);
  });

  it('a gcloud command waits for the install, recorded with its step', async () => {
    const tools = gatedTools();
    const events: RecordedEvent[] = [];
    const { ctx, calls } = fakeContext();
    const run = runPhases(
      [tools.phase, execPhase('Read the database password', 'gcloud', 'password-read')],
      { ctx, secrets: () => [], events: (e) => events.push(e) }
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]); // not run before gcloud is installed
    tools.release();
    await run;
    const wait = events.find((e) => e.kind === 'background-wait')!;
    expect(wait).toMatchObject({ name: 'gcloud', step: 'password-read' });
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

  it('no step of a plan before the release read runs gcloud', () => {
    const phases = planCommand(testInputs({ command: 'plan' }));
    const first = phases.findIndex((p) => p.name === 'Read the Flyte release');
    const before = phases.slice(0, first < 0 ? phases.length : first);
    const steps = before.flatMap((p) => p.steps(new RunState(false)));
    expect(steps.filter((s) => s.kind === 'exec' && s.tool === 'gcloud')).toEqual([]);
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

describe('install-gcloud, with the real tools phase and a loopback mirror', () => {
  const platform = currentPlatform();
  let mirror: Mirror;
  let pinsFile: string;
  beforeAll(async () => {
    mirror = await Mirror.start();
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.13.4', platform), platform);
    publish(mirror, helmRecipe, buildArchive('helm', '3.19.0', platform), platform);
    publish(mirror, gcloudRecipe, buildArchive('gcloud', '528.0.0', platform), platform);
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.36.1', platform), platform);
    pinsFile = path.join(mkdtempSync(path.join(tmpdir(), 'pins-')), 'pins.json');
    writeTestPins(pinsFile);
  });
  afterAll(() => mirror.close());

  /** Runs the tools phase, then `next`, with commands answered by a fake; the event record. */
  async function run(installGcloud: string, next: Phase) {
    // gcloud 528.0.0: the version the mirror serves.
    const inputs = mirrorInputs({ 'tool-mirror': mirror.url, 'install-gcloud': installGcloud });
    const { exec, calls } = fakeExec();
    const ctx = testContext({ inputs, env: { FLYTE_GKE_TEST_PINS: pinsFile }, exec });
    const events: RecordedEvent[] = [];
    const before = mirror.requestsFor('google-cloud-cli-528.0.0').length;
    await runPhases([toolsPhase(inputs), next], {
      ctx,
      secrets: () => [],
      events: (e) => events.push(e)
    });
    const gcloudDownloads = mirror.requestsFor('google-cloud-cli-528.0.0').length - before;
    return { ctx, calls, events, gcloudDownloads };
  }
  const kinds = (events: RecordedEvent[], name: string) =>
    events.filter((e) => 'name' in e && e.name === name).map((e) => e.kind);

  it('false: a plan that runs only kubectl never starts the gcloud install', async () => {
    const plan = await run('false', execPhase('Read the Flyte release', 'kubectl', 'release-read'));
    expect(kinds(plan.events, 'gcloud')).toEqual([]);
    expect(plan.gcloudDownloads).toBe(0);
    expect(plan.ctx.state.tools.gcloud).toBeUndefined();
    // kubectl is installed by the tools phase itself, before any step needs it.
    expect(plan.ctx.state.tools.kubectl).toMatchObject({ version: '1.36.1', source: 'mirror' });
    expect(plan.calls.map((c) => c.tool)).toEqual(['kubectl']);
  });

  it('false: a deploy that runs a gcloud command starts the install then, and waits for it', async () => {
    const deploy = await run(
      'false',
      execPhase('Read the database password', 'gcloud', 'password-read')
    );
    expect(kinds(deploy.events, 'gcloud')).toEqual([
      'background-start',
      'background-wait',
      'background-end'
    ]);
    const seq = (kind: string, extra: Record<string, string> = {}) =>
      deploy.events.find(
        (e) => e.kind === kind && Object.entries(extra).every(([k, v]) => (e as never)[k] === v)
      )!.seq;
    // Started by the step's command, not by the tools phase, and finished before it ran.
    expect(seq('background-start')).toBeGreaterThan(seq('phase-end', { phase: 'Install tools' }));
    expect(seq('background-start')).toBeGreaterThan(seq('step-start', { step: 'password-read' }));
    expect(deploy.events.find((e) => e.kind === 'background-wait')).toMatchObject({
      step: 'password-read'
    });
    expect(seq('exec-start')).toBeGreaterThan(seq('background-end'));
    expect(deploy.gcloudDownloads).toBe(1);
    expect(deploy.ctx.state.tools.gcloud).toMatchObject({ version: '528.0.0' });
  });

  it('true (the default): the tools phase starts gcloud for the job’s later steps, even for a plan', async () => {
    const plan = await run('true', execPhase('Read the Flyte release', 'kubectl', 'release-read'));
    expect(kinds(plan.events, 'gcloud')).toEqual(['background-start', 'background-end']);
    const start = plan.events.find((e) => e.kind === 'background-start')!;
    const toolsEnd = plan.events.find(
      (e) => e.kind === 'phase-end' && e.phase === 'Install tools'
    )!;
    expect(start.seq).toBeLessThan(toolsEnd.seq);
    expect(plan.gcloudDownloads).toBe(1);
    expect(plan.ctx.state.tools.gcloud).toBeDefined();
  });
});
