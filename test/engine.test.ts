import { describe, expect, it } from '@jest/globals';
import { StepError } from '../src/errors.js';
import { renderRunbook } from '../src/engine/dry-run.js';
import { displayCommand, redact } from '../src/engine/redact.js';
import { runPhases } from '../src/engine/runner.js';
import { SecretStore } from '../src/engine/secrets.js';
import { RunState } from '../src/engine/state.js';
import type { Phase } from '../src/engine/types.js';
import { parseDuration } from '../src/inputs.js';
import { cleanupFiles } from '../src/post-run.js';
import { fakeClock, fakeContext, fakeExec, fakeLogger } from './support/fakes.js';

const SECRET = 'hunter2-canary-secret';

const phases: Phase[] = [
  {
    name: 'Terraform',
    steps: () => [
      {
        kind: 'exec',
        id: 'plan',
        title: 'Plan',
        tool: 'terraform',
        args: ['plan', '-detailed-exitcode'],
        mutates: false,
        okExitCodes: [0, 2],
        onResult: (r, s) => {
          s.planHasChanges = r.exitCode === 2;
          s.planExitCode = r.exitCode;
        }
      },
      {
        kind: 'exec',
        id: 'apply',
        title: 'Apply',
        tool: 'terraform',
        args: ['apply', 'tfplan'],
        mutates: true,
        when: {
          test: (s) => s.planHasChanges === true,
          describe: 'the plan has changes',
          skipped: (s) => `the plan (exit code ${s.planExitCode ?? '?'}) has no changes.`
        }
      }
    ]
  },
  {
    name: 'Helm',
    steps: (state) => [
      {
        kind: 'exec',
        id: 'secret',
        title: 'Secret',
        tool: 'kubectl',
        args: ['apply', '-f', '-'],
        stdin: `password: ${SECRET}`,
        mutates: true
      },
      {
        kind: 'task',
        id: 'note',
        title: 'Note',
        mutates: false,
        describe: () => `would note ${SECRET}`,
        run: async () => void state.notes.push('noted')
      }
    ]
  }
];

describe('runner', () => {
  it('runs steps in order, applies only with changes, and records durations', async () => {
    const { exec, calls } = fakeExec((_tool, args) => ({ exitCode: args[0] === 'plan' ? 2 : 0 }));
    const clock = fakeClock();
    const { ctx } = fakeContext({ exec, clock });
    const reports = await runPhases(phases, { ctx, secrets: () => [SECRET] });
    expect(calls.map((c) => `${c.tool} ${c.args[0]}`)).toEqual([
      'terraform plan',
      'terraform apply',
      'kubectl apply'
    ]);
    expect(calls[2]?.options.stdin).toContain(SECRET);
    expect(reports.map((r) => r.name)).toEqual(['Terraform', 'Helm']);
    expect(reports[0]?.steps.map((s) => s.status)).toEqual(['ran', 'ran']);
    expect(ctx.state.notes).toEqual(['noted']);
  });

  it('skips a conditional step and says why', async () => {
    const { exec, calls } = fakeExec(() => ({ exitCode: 0 }));
    const { ctx, logger } = fakeContext({ exec });
    const reports = await runPhases(phases.slice(0, 1), { ctx, secrets: () => [] });
    expect(calls.map((c) => c.args[0])).toEqual(['plan']);
    expect(reports[0]?.steps[1]?.status).toBe('skipped');
    // What was found, and so why nothing is done, computed from the state at that moment.
    expect(logger.lines.join('\n')).toMatch(
      /Skipped Apply: the plan \(exit code 0\) has no changes\./
    );
  });

  it('stops at a failing step with the tool stderr in the error, secrets redacted', async () => {
    const { exec, calls } = fakeExec(() => ({
      exitCode: 1,
      stderr: `Error: bad credentials ${SECRET}`
    }));
    const { ctx } = fakeContext({ exec });
    const error = await runPhases(phases, { ctx, secrets: () => [SECRET] }).catch(
      (e: unknown) => e
    );
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).message).toMatch(
      /Plan failed: terraform exited with 1\.\nError: bad credentials \*\*\*/
    );
    expect((error as StepError).message).not.toContain(SECRET);
    expect(calls).toHaveLength(1);
  });

  it('registers secrets before printing a step, and prints a command that holds one redacted', async () => {
    const { exec, calls } = fakeExec(() => ({ exitCode: 0 }));
    const { ctx } = fakeContext({ exec });
    const own = fakeLogger();
    // A command whose argv holds the secret: the runner must print it, masked.
    const withSecret: Phase[] = [
      {
        name: 'Secret in argv',
        steps: () => [
          {
            kind: 'exec',
            id: 'login',
            title: 'Log in',
            tool: 'gcloud',
            args: ['auth', 'login', `--token=${SECRET}`],
            mutates: false
          }
        ]
      }
    ];
    await runPhases(withSecret, { ctx: { ...ctx, log: own.log }, secrets: () => [SECRET] });
    expect(own.secrets).toContain(SECRET);
    // The secret did reach the tool, and the printed command line shows it as ***.
    expect(calls[0]?.args).toContain(`--token=${SECRET}`);
    const printed = own.lines.filter((l) => l.startsWith('$ gcloud auth login'));
    expect(printed).toEqual(['$ gcloud auth login --token=***']);
    expect(own.lines.join('\n')).not.toContain(SECRET);
  });

  it('reports a changing task that found nothing to do as not changing', async () => {
    const { ctx } = fakeContext();
    const idle: Phase = {
      name: 'Idle',
      steps: () => [
        {
          kind: 'task',
          id: 'noop',
          title: 'No-op',
          mutates: true,
          describe: () => '',
          run: async () => 'unchanged'
        },
        {
          kind: 'task',
          id: 'work',
          title: 'Work',
          mutates: true,
          describe: () => '',
          run: async () => undefined
        }
      ]
    };
    const [report] = await runPhases([idle], { ctx, secrets: () => [] });
    expect(report?.steps.map((s) => [s.id, s.mutates])).toEqual([
      ['noop', false],
      ['work', true]
    ]);
  });

  it('uses the injected clock for phase durations', async () => {
    const clock = fakeClock();
    const { ctx } = fakeContext({ clock });
    const slow: Phase = {
      name: 'Wait',
      steps: () => [
        {
          kind: 'task',
          id: 'w',
          title: 'Wait',
          mutates: false,
          describe: () => '',
          run: (c) => c.clock.sleep(1500)
        }
      ]
    };
    const [report] = await runPhases([slow], { ctx, secrets: () => [] });
    expect(report?.durationMs).toBe(1500);
  });
});

describe('dry run renderer', () => {
  it('lists every step with arguments and conditions, hiding stdin and secrets', () => {
    const text = renderRunbook(phases, new RunState(true), [SECRET]);
    expect(text).toContain('1. Plan [read-only]');
    expect(text).toContain('$ terraform plan -detailed-exitcode');
    expect(text).toContain('2. Apply [changes; only if the plan has changes]');
    expect(text).toContain('stdin: *** (');
    expect(text).toContain('would note ***');
    expect(text).not.toContain(SECRET);
  });
});

describe('redaction and display', () => {
  it('replaces overlapping secrets whole', () => {
    expect(redact('abc abcdef', ['abc', 'abcdef'])).toBe('*** ***');
  });
  it('quotes arguments with shell metacharacters for display only', () => {
    expect(displayCommand('helm', ['--set', 'a=$(id)', 'x y'], [])).toBe(
      `helm --set 'a=$(id)' 'x y'`
    );
  });
  it('keeps each secret once and ignores trivially short values', () => {
    const added: string[] = [];
    const store = new SecretStore((v) => added.push(v));
    store.add('abcd1234');
    store.add('abcd1234');
    store.add('ab');
    store.add(undefined);
    expect(added).toEqual(['abcd1234']);
  });
});

describe('durations', () => {
  it.each([
    ['15m', 900],
    ['1h30m', 5400],
    ['900', 900],
    ['900s', 900],
    ['6h', 21600]
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration('timeout', text)).toBe(seconds);
  });
});

describe('post step cleanup', () => {
  it('removes exactly the recorded files and only warns on failure', () => {
    const removed: string[] = [];
    const warnings: string[] = [];
    cleanupFiles({
      getState: () => JSON.stringify(['/tmp/a', '/tmp/b', '/tmp/a']),
      remove: (f) => {
        if (f === '/tmp/b') throw new Error('EACCES');
        removed.push(f);
      },
      info: () => undefined,
      warning: (m) => void warnings.push(m)
    });
    expect(removed).toEqual(['/tmp/a']);
    expect(warnings).toEqual([expect.stringContaining('Could not remove /tmp/b: EACCES')]);
  });
});
