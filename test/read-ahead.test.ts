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

/** An Exec whose calls finish only when the test releases them, recording start and end order. */
function gatedExec() {
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const exec: Exec = {
    run: (tool, args) => {
      const name = `${tool} ${args.join(' ')}`;
      events.push(`start ${name}`);
      return new Promise((resolve) => {
        const done = () => {
          events.push(`end ${name}`);
          resolve({ exitCode: 0, stdout: `answer to ${name} #${events.length}`, stderr: '' });
        };
        if (name.startsWith('terraform plan')) gates.set(name, done);
        else done();
      });
    }
  };
  return { exec, events, release: (name: string) => gates.get(name)?.() };
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
    const running = runPhases(phases, { ctx, secrets: () => [] });
    // The plan is still running: the reads have started and ended meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 20));
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

  it('each read runs once, before the plan ends; nothing changing starts before it', async () => {
    // The plan takes a while, as a real one does: the reads fit inside it.
    harness.setRules({ terraform: [{ match: ['plan'], passThrough: true, delayMs: 1500 }] });
    const again = await harness.run(inputs);
    harness.setRules({});
    await harness.runPost();
    expect(again.errors).toEqual([]);
    const plan = again.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'plan')!;
    const reads = again.calls.filter(
      (c) => ['helm', 'kubectl'].includes(c.tool) || key(c).includes('get-iam-policy')
    );
    expect(reads.length).toBeGreaterThanOrEqual(9);
    expect(reads.filter((r) => r.startedAt >= plan.endedAt!).map(key)).toEqual([]);
    // Once each: the later steps took the answers.
    const keys = reads.map(key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(again.calls.filter((c) => key(c).includes('get-credentials'))).toHaveLength(1);
    expect(again.calls.filter(isChangingCall)).toEqual([]);
    expect(again.stdout).toMatch(
      /Skipped Get cluster credentials into a private kubeconfig: the credentials for cluster flyte-ahead fetched while Terraform planned still serve/
    );
    expect(again.stdout).toContain('answer was read ahead, while Terraform planned');
  });

  it('a plan that replaces the cluster gets its credentials again after the apply', async () => {
    const moved = await harness.run({ ...inputs, region: 'europe-west4' });
    await harness.runPost();
    expect(moved.errors).toEqual([]);
    const credentials = moved.calls.filter((c) => key(c).includes('get-credentials'));
    expect(credentials).toHaveLength(2);
    const apply = moved.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'apply')!;
    expect(credentials[1]!.startedAt).toBeGreaterThanOrEqual(apply.endedAt!);
    expect(credentials[1]!.args).toContain('europe-west4');
    // Nothing that changes anything starts before the plan has ended.
    const plan = moved.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'plan')!;
    const changing = moved.calls.filter(isChangingCall);
    expect(changing.length).toBeGreaterThan(0);
    expect(changing.filter((c) => c.startedAt < plan.endedAt!).map(key)).toEqual([]);
  });
});
