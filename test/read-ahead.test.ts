/**
 * Reads made while Terraform plans: the engine runs a phase alongside another from a given step,
 * hands each answer to the first later step that runs the same command, once, and drops every
 * answer when something changes. Then, through the bundled action on the stand-ins: an unchanged
 * re-deploy makes each cluster read once, before the plan has ended, and starts nothing that
 * changes anything before it; a plan that replaces the cluster fetches its credentials again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runPhases } from '../src/engine/runner.js';
import { RunState } from '../src/engine/state.js';
import type { Exec, Phase, ReadCall, Step } from '../src/engine/types.js';
import { fakeContext } from './support/fakes.js';
import { Harness, type ToolCall } from './support/harness.js';
import { isChangingCall } from './support/changing.js';
import { eventsOf, seqOf } from './support/engine-order.js';
import type { RecordedEvent } from '../src/engine/events.js';

/**
 * An Exec whose `terraform plan` finishes only when the test releases it, recording start and end
 * order; `reached` resolves once a given event has happened, so the test waits on order, not time.
 */
function gatedExec() {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const waiters: { event: string; resolve: () => void }[] = [];
  const push = (event: string) => {
    events.push(event);
    for (const w of waiters.filter((x) => x.event === event)) w.resolve();
  };
  const exec: Exec = {
    run: (tool, args) => {
      const name = `${tool} ${args.join(' ')}`;
      push(`start ${name}`);
      return new Promise((resolve) => {
        const done = () => {
          push(`end ${name}`);
          resolve({ exitCode: 0, stdout: `answer to ${name} #${events.length}`, stderr: '' });
        };
        if (name.startsWith('terraform plan')) gates.set(name, done);
        else done();
      });
    }
  };
  const reached = (event: string) =>
    events.includes(event)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ event, resolve }));
  return { exec, events, reached, release: (name: string) => gates.get(name)?.() };
}

const read = (args: string[]): ReadCall => ({ tool: 'helm', args });

function planWithReads(reads: ReadCall[], answers: string[]): Phase[] {
  return [
    {
      name: 'Terraform plan',
      steps: () => [
        {
          kind: 'exec',
          id: 'init',
          title: 'init',
          tool: 'terraform',
          args: ['init'],
          mutates: false
        },
        {
          kind: 'exec',
          id: 'plan',
          title: 'plan',
          tool: 'terraform',
          args: ['plan'],
          mutates: false
        }
      ],
      alongside: {
        after: 'init',
        phase: {
          name: 'Reads ahead',
          steps: () => [
            {
              kind: 'task',
              id: 'reads',
              title: 'reads',
              mutates: false,
              describe: () => '',
              run: async (ctx) => {
                await Promise.all(reads.map((r) => ctx.readAhead!.start(ctx.exec, r)));
                ctx.log.info('read ahead done');
              }
            }
          ]
        }
      }
    },
    {
      name: 'Helm',
      steps: () => [
        {
          kind: 'exec',
          id: 'get-1',
          title: 'get',
          tool: 'helm',
          args: ['get', 'metadata'],
          mutates: false,
          onResult: (r) => void answers.push(r.stdout)
        },
        {
          kind: 'exec',
          id: 'get-again',
          title: 'get again (a poll)',
          tool: 'helm',
          args: ['get', 'metadata'],
          mutates: false,
          onResult: (r) => void answers.push(r.stdout)
        },
        {
          kind: 'exec',
          id: 'upgrade',
          title: 'upgrade',
          tool: 'helm',
          args: ['upgrade'],
          mutates: true
        },
        {
          kind: 'exec',
          id: 'values-after-upgrade',
          title: 'values',
          tool: 'helm',
          args: ['get', 'values'],
          mutates: false,
          onResult: (r) => void answers.push(r.stdout)
        }
      ]
    }
  ];
}

describe('the engine runs reads alongside a phase', () => {
  it('starts them after the named step, while the plan runs, and serves each answer once', async () => {
    const gated = gatedExec();
    const { ctx, logger } = fakeContext({ exec: gated.exec, state: new RunState(false) });
    const answers: string[] = [];
    const phases = planWithReads([read(['get', 'metadata']), read(['get', 'values'])], answers);
    const recorded: RecordedEvent[] = [];
    const running = runPhases(phases, {
      ctx,
      secrets: () => [],
      events: (e) => void recorded.push(e)
    });
    // The plan is held until released. Once it has started, the fake reads (answered at once)
    // have all ended by the next turn of the event loop, unless the engine has not started them.
    await gated.reached('start terraform plan');
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.events).toContain('start terraform plan');
    expect(gated.events).not.toContain('end terraform plan');
    expect(gated.events.indexOf('start helm get metadata')).toBeGreaterThan(
      gated.events.indexOf('end terraform init')
    );
    expect(gated.events).toEqual(
      expect.arrayContaining(['end helm get metadata', 'end helm get values'])
    );
    gated.release('terraform plan');
    const reports = await running;
    const starts = gated.events.filter((e) => e.startsWith('start '));
    // `get metadata` ran once ahead and once for the poll; `get values` ran again after the
    // upgrade, because the answer read before it was dropped.
    expect(starts).toEqual([
      'start terraform init',
      'start helm get metadata',
      'start helm get values',
      'start terraform plan',
      'start helm get metadata',
      'start helm upgrade',
      'start helm get values'
    ]);
    expect(answers[0]).toMatch(/^answer to helm get metadata #4|#5|#6/);
    expect(answers[0]).not.toBe(answers[1]);
    // The read-ahead's answer to `get values` (made before the upgrade) was not used.
    expect(answers[2]).toBe(`answer to helm get values #${gated.events.length}`);
    // Its log is a group of its own, after the phase it ran beside.
    const groups = logger.lines.filter((l) => l.startsWith('group: '));
    expect(groups).toEqual([
      'group: Terraform plan',
      'group: Reads ahead (ran alongside)',
      'group: Helm'
    ]);
    expect(logger.lines.indexOf('read ahead done')).toBeGreaterThan(
      logger.lines.indexOf('group: Reads ahead (ran alongside)')
    );
    expect(reports.map((r) => r.name)).toEqual(['Terraform plan', 'Reads ahead', 'Helm']);
    // The engine's record says the same: issued by the read-ahead, answered, served to `get-1`
    // (not to the poll after it), and `get values` dropped by the upgrade, then run again.
    const issued = eventsOf(recorded, 'read-issued');
    expect(issued.map((e) => [e.phase, e.step, e.call])).toEqual([
      ['Reads ahead', 'reads', 'helm get metadata'],
      ['Reads ahead', 'reads', 'helm get values']
    ]);
    expect(eventsOf(recorded, 'read-served').map((e) => [e.step, e.call])).toEqual([
      ['get-1', 'helm get metadata']
    ]);
    const planStart = seqOf(recorded, 'step-start', { step: 'plan' });
    const planEnd = seqOf(recorded, 'step-end', { step: 'plan' });
    for (const e of issued) {
      expect(e.seq).toBeGreaterThan(seqOf(recorded, 'step-end', { step: 'init' }));
      expect(e.seq).toBeLessThan(planStart);
      expect(seqOf(recorded, 'read-answered', { call: e.call })).toBeLessThan(planEnd);
    }
    expect(seqOf(recorded, 'reads-dropped', { step: 'upgrade' })).toBeLessThan(
      seqOf(recorded, 'exec-start', { step: 'values-after-upgrade', call: 'helm get values' })
    );
  });

  /** A plan phase with one step, and `ahead` alongside it from that step on. */
  const planWithAhead = (ahead: Step): Phase => ({
    name: 'Plan',
    steps: () => [
      { kind: 'exec', id: 'plan', title: 'plan', tool: 'terraform', args: ['plan'], mutates: false }
    ],
    alongside: { after: 'plan', phase: { name: 'Ahead', steps: () => [ahead] } }
  });

  it('a failing read-ahead is a warning; the later step reads for itself', async () => {
    const { ctx, logger, calls } = fakeContext();
    const phases: Phase[] = [
      planWithAhead({
        kind: 'task',
        id: 'ahead',
        title: 'ahead',
        mutates: false,
        describe: () => '',
        run: async () => {
          throw new Error('cluster unreachable');
        }
      }),
      {
        name: 'Read',
        steps: () => [
          { kind: 'exec', id: 'get', title: 'get', tool: 'helm', args: ['get'], mutates: false }
        ]
      }
    ];
    await runPhases(phases, { ctx, secrets: () => [] });
    expect(logger.lines.join('\n')).toContain(
      'warning: Ahead: cluster unreachable The later steps read for themselves.'
    );
    expect(calls.map((c) => c.tool)).toEqual(['terraform', 'helm']);
  });

  it('refuses a changing step alongside', async () => {
    const { ctx, logger, calls } = fakeContext();
    await runPhases(
      [
        planWithAhead({
          kind: 'exec',
          id: 'apply',
          title: 'apply',
          tool: 'kubectl',
          args: ['apply'],
          mutates: true
        })
      ],
      { ctx, secrets: () => [] }
    );
    expect(calls.map((c) => c.args[0])).toEqual(['plan']);
    expect(logger.lines.join('\n')).toMatch(/apply changes something; it cannot run alongside/);
  });
});

describe('an unchanged re-deploy reads the cluster while Terraform plans', () => {
  let harness: Harness;
  const inputs = {
    'project-id': 'acme-flyte-ahead',
    'cluster-name': 'flyte-ahead',
    'workload-identity-provider':
      'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme',
    'gcloud-version': 'system',
    'terraform-version': 'system',
    'helm-version': 'system',
    ingress: 'true',
    iap: 'true',
    'iap-oauth-client-id': '123456789012-ahead.apps.googleusercontent.com',
    'iap-oauth-client-secret': 'GOCSPX-read-ahead-secret',
    'iap-members': 'user:alice@acme.dev',
    'comment-on-pr': 'false'
  };
  beforeAll(async () => {
    harness = await Harness.create({ oidc: true });
    const first = await harness.run(inputs);
    expect(first.errors).toEqual([]);
    await harness.runPost();
  });
  afterAll(async () => {
    await harness.close();
  });

  const key = (c: ToolCall) => `${c.tool} ${c.args.join(' ')}`;
  /** Releases a lock only an ended run left, before init (see the first test below). */
  const LOCK_STEP = 'terraform-state-lock';
  const isClusterGet = (c: { service: string; path: string }) =>
    c.service === 'container' && c.path.includes('/clusters/');

  /** The plan step and the read-ahead phase, as the engine recorded them. */
  function planAndReads(events: readonly RecordedEvent[]) {
    const plan = eventsOf(events, 'step-start').find((e) => e.step === 'terraform-plan')!;
    const issued = eventsOf(events, 'read-issued');
    const ahead = issued[0]!.phase;
    return {
      planPhase: plan.phase,
      planStart: plan.seq,
      initEnd: seqOf(events, 'step-end', { step: 'terraform-init' }),
      issued,
      ahead,
      aheadEnd: seqOf(events, 'phase-end', { phase: ahead })
    };
  }

  it('each read is issued beside the plan and serves one later step; nothing changing starts before', async () => {
    const googleBefore = harness.google.calls.length;
    const again = await harness.run(inputs);
    await harness.runPost();
    expect(again.errors).toEqual([]);
    const { events } = again;
    const order = planAndReads(events);
    // outputs and 11 cluster reads; the IAP calls are REST round trips after the plan, not tools.
    expect(order.issued.length).toBeGreaterThanOrEqual(12);
    const calls = order.issued.map((e) => e.call);
    expect(calls.filter((c) => /^gcloud (iap|compute)/.test(c))).toEqual([]);
    expect(calls).toEqual(
      expect.arrayContaining([
        // The pending-release checks before the upgrades read the histories ahead too.
        expect.stringMatching(/^helm history flyte-backend /),
        expect.stringMatching(/^helm history flyte-backend-gke /)
      ])
    );
    // The read-ahead starts once init has ended and before the plan step starts, so it overlaps
    // the plan; the plan's phase waits for it to finish before any later phase begins.
    expect(Math.min(...order.issued.map((e) => e.seq))).toBeLessThan(order.planStart);
    expect(order.aheadEnd).toBeLessThan(seqOf(events, 'phase-end', { phase: order.planPhase }));
    const served = eventsOf(events, 'read-served');
    for (const read of order.issued) {
      expect([read.phase, read.seq > order.initEnd]).toEqual([order.ahead, true]);
      const answered = eventsOf(events, 'read-answered').find((e) => e.call === read.call);
      expect([read.call, answered?.exitCode]).toEqual([read.call, 0]);
      expect(answered!.seq).toBeLessThan(order.aheadEnd);
      // Served once, to a step of a later phase, which did not run the command itself.
      const to = served.filter((e) => e.call === read.call);
      expect([read.call, to.length]).toEqual([read.call, 1]);
      expect(to[0]!.seq).toBeGreaterThan(order.aheadEnd);
      expect(
        eventsOf(events, 'exec-start').filter(
          (e) => e.call === read.call && e.phase !== order.ahead
        )
      ).toEqual([]);
    }
    // Every step that changes anything starts after the reads have ended, but the one that may
    // release a state lock left by an ended run: it must precede the plan, so it has ended
    // before init, before the first read was issued (phases/state-lock.ts).
    const changingSteps = eventsOf(events, 'step-start').filter(
      (e) => e.mutates && e.step !== LOCK_STEP
    );
    expect(changingSteps.filter((e) => e.seq < order.aheadEnd)).toEqual([]);
    expect(seqOf(events, 'step-end', { step: LOCK_STEP })).toBeLessThan(
      Math.min(order.initEnd, ...order.issued.map((e) => e.seq))
    );
    // It calls Cloud Storage's JSON API itself: no process starts in it (gcloud least of all, which
    // is what kept it slow), and the loopback Google saw its reads and the holder record's upload.
    expect(eventsOf(events, 'exec-start').filter((e) => e.step === LOCK_STEP)).toEqual([]);
    expect(again.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'storage')).toEqual([]);
    const objectCalls = harness.google.calls
      .slice(googleBefore)
      .filter((c) => c.service === 'storage' && /\/o(\/|$)/.test(c.path))
      .map((c) => `${c.method} ${c.path.split('%2F').at(-1)}`);
    expect(objectCalls).toEqual(
      expect.arrayContaining([
        'GET default.tflock',
        'POST /upload/storage/v1/b/acme-flyte-ahead-flyte-tfstate/o'
      ])
    );
    // The stand-ins agree: each command ran once, and nothing changing ran at all.
    const keys = again.calls.map(key).filter((k) => !k.startsWith('terraform'));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    // The cluster's endpoint is read once (GKE's clusters.get, by the action itself, not gcloud).
    expect(harness.google.calls.slice(googleBefore).filter(isClusterGet)).toHaveLength(1);
    expect(again.calls.filter(isChangingCall)).toEqual([]);
    expect(again.stdout).toMatch(
      /Skipped Get cluster credentials into a private kubeconfig: the credentials for cluster flyte-ahead fetched while Terraform planned still serve/
    );
    expect(again.stdout).toContain('answer was read ahead, while Terraform planned');
  });

  it("a pull request's plan reads the outputs and the live release beside Terraform's plan", async () => {
    const googleBefore = harness.google.calls.length;
    const plan = await harness.run({ ...inputs, command: 'plan' });
    await harness.runPost();
    expect(plan.errors).toEqual([]);
    const { events } = plan;
    const order = planAndReads(events);
    expect(order.issued.map((e) => e.call)).toEqual([
      expect.stringMatching(/^terraform output -json/),
      expect.stringMatching(/^kubectl get deployment flyte-backend-flyte-binary /),
      expect.stringMatching(/^kubectl get configmap flyte-backend-flyte-gke-action /)
    ]);
    // Issued after init, before the plan step starts; each serves the step after the plan that
    // runs it, which then does not run it again.
    expect(Math.min(...order.issued.map((e) => e.seq))).toBeGreaterThan(order.initEnd);
    expect(Math.min(...order.issued.map((e) => e.seq))).toBeLessThan(order.planStart);
    const served = eventsOf(events, 'read-served');
    expect(served.map((e) => e.step)).toEqual([
      'terraform-output',
      'live-deployment-read',
      'release-record-read'
    ]);
    for (const read of order.issued) {
      expect(
        eventsOf(events, 'exec-start').filter(
          (e) => e.call === read.call && e.phase !== order.ahead
        )
      ).toEqual([]);
    }
    // The credentials fetched beside the plan serve: GKE is asked once.
    expect(harness.google.calls.slice(googleBefore).filter(isClusterGet)).toHaveLength(1);
    expect(plan.calls.filter(isChangingCall)).toEqual([]);
  });

  it('a plan that replaces the cluster gets its credentials again after the apply', async () => {
    const googleBefore = harness.google.calls.length;
    const moved = await harness.run({ ...inputs, region: 'europe-west4' });
    await harness.runPost();
    expect(moved.errors).toEqual([]);
    const { events } = moved;
    const credentials = harness.google.calls.slice(googleBefore).filter(isClusterGet);
    expect(credentials).toHaveLength(2);
    expect(credentials[1]!.path).toContain('/locations/europe-west4/');
    // The second fetch is the credentials step's own, which ran after the apply had ended.
    const step = eventsOf(events, 'step-end').find((e) => e.step === 'cluster-credentials');
    expect(step?.status).toBe('ran');
    expect(step!.seq).toBeGreaterThan(seqOf(events, 'step-end', { step: 'terraform-apply' }));
    // Nothing that changes anything starts before the plan has ended and the reads with it.
    const order = planAndReads(events);
    const planEnd = seqOf(events, 'step-end', { step: 'terraform-plan' });
    const changing = eventsOf(events, 'step-start').filter(
      (e) => e.mutates && e.step !== LOCK_STEP
    );
    expect(changing.map((e) => e.step)).toContain('terraform-apply');
    expect(changing.filter((e) => e.seq < planEnd || e.seq < order.aheadEnd)).toEqual([]);
    expect(moved.calls.filter(isChangingCall).length).toBeGreaterThan(0);
  });
});
