import { describe, expect, it } from '@jest/globals';
import { StepError } from '../src/errors.js';
import { createExec, NON_INTERACTIVE_ENV } from '../src/engine/exec.js';
import { NODE24 } from './support/harness.js';

const ECHO = `process.stdout.write(JSON.stringify({ args: process.argv.slice(1), env: { TF_INPUT: process.env.TF_INPUT, CLOUDSDK_CORE_DISABLE_PROMPTS: process.env.CLOUDSDK_CORE_DISABLE_PROMPTS, EXTRA: process.env.EXTRA }, stdin: require('fs').readFileSync(0, 'utf8') }))`;

describe('exec runner', () => {
  it('passes arguments as data, never through a shell', async () => {
    const printed: string[] = [];
    const exec = createExec(
      (l) => printed.push(l),
      () => []
    );
    const tricky = ['$(touch /tmp/flyte-gke-exec-pwned)', 'a; rm -rf /', "it's", '`id`', '*'];
    const result = await exec.run(NODE24, ['-e', ECHO, ...tricky], {
      stdin: 'from stdin',
      env: { EXTRA: 'x' }
    });
    const seen = JSON.parse(result.stdout) as {
      args: string[];
      env: Record<string, string>;
      stdin: string;
    };
    expect(seen.args).toEqual(tricky);
    expect(seen.stdin).toBe('from stdin');
    expect(seen.env).toEqual({
      TF_INPUT: NON_INTERACTIVE_ENV.TF_INPUT,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      EXTRA: 'x'
    });
  });

  it('gives a tool that would prompt end-of-file at once instead of hanging', async () => {
    const exec = createExec(
      () => undefined,
      () => []
    );
    const result = await exec.run(NODE24, [
      '-e',
      "process.stdout.write(String(require('fs').readFileSync(0).length))"
    ]);
    expect(result.stdout).toBe('0');
  });

  it('survives tools that exit before reading their input (no EPIPE crash)', async () => {
    const exec = createExec(
      () => undefined,
      () => []
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        exec.run('/bin/sh', ['-c', 'echo denied >&2; exit 3'], { stdin: 'x'.repeat(1 << 20) })
      )
    );
    expect(results.map((r) => [r.exitCode, r.stderr])).toEqual(Array(20).fill([3, 'denied\n']));
  });

  it('maps a signal to 128 plus its number', async () => {
    const exec = createExec(
      () => undefined,
      () => []
    );
    const result = await exec.run('/bin/sh', ['-c', 'kill -TERM $$']);
    expect(result.exitCode).toBe(143);
  });

  it("keeps the action's inputs and the runner's tokens from every tool", async () => {
    const exec = createExec(
      () => undefined,
      () => [],
      () => ({
        PATH: process.env.PATH,
        'INPUT_GITHUB-TOKEN': 'ghs_x',
        'INPUT_IAP-OAUTH-CLIENT-SECRET': 'GOCSPX-x',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req',
        ACTIONS_RUNTIME_TOKEN: 'rt',
        GOOGLE_APPLICATION_CREDENTIALS: '/tmp/creds.json'
      })
    );
    const result = await exec.run(NODE24, [
      '-e',
      'process.stdout.write(JSON.stringify(Object.keys(process.env)))'
    ]);
    const keys = JSON.parse(result.stdout) as string[];
    expect(keys).toContain('GOOGLE_APPLICATION_CREDENTIALS');
    expect(keys.filter((k) => /^(INPUT_|ACTIONS_)/.test(k))).toEqual([]);
  });

  it('returns non-zero exit codes with stderr for the runner to map', async () => {
    const exec = createExec(
      () => undefined,
      () => []
    );
    const result = await exec.run(NODE24, [
      '-e',
      "process.stderr.write('Error: boom'); process.exit(3)"
    ]);
    expect(result).toMatchObject({ exitCode: 3, stderr: 'Error: boom' });
  });

  it('redacts secrets from echoed output and honours quiet', async () => {
    const printed: string[] = [];
    const exec = createExec(
      (l) => printed.push(l),
      () => ['s3cr3t-value']
    );
    await exec.run(NODE24, ['-e', "console.log('password=s3cr3t-value')"]);
    await exec.run(NODE24, ['-e', "console.log('quiet line')"], { quiet: true });
    expect(printed).toEqual(['password=***']);
  });

  it('says how to get a missing tool', async () => {
    const exec = createExec(
      () => undefined,
      () => []
    );
    const error = await exec.run('flyte-gke-no-such-tool', ['version']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as Error).message).toMatch(
      /flyte-gke-no-such-tool was not found on PATH\. Let the action install it/
    );
  });
});
