/**
 * Off the default branch (a pull request, a push or a manual run on another branch) the caller's
 * workflow must not choose what runs as the planner: plan.yml and drift.yml read the Terraform
 * module from the default branch and refuse a tool-mirror and `system` tools. The guard step runs
 * in a real bash; the conditions and the terraform-dir expression are evaluated with GitHub's own
 * expression evaluator.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { evaluateExpression } from './support/expressions.js';
import { PROJECT_ROOT } from './support/project.js';

interface Step {
  name: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const stepsOf = (file: string): Step[] => {
  const workflow = parse(
    readFileSync(path.join(PROJECT_ROOT, '.github', 'workflows', file), 'utf8')
  ) as { jobs: Record<string, { steps: Step[] }> };
  const [, job] = Object.entries(workflow.jobs).find(([name]) => name !== 'no-plan-for-fork')!;
  return job.steps;
};

const evaluate = evaluateExpression;

const context = (event: string, ref: string, inputs: Record<string, string> = {}) => ({
  github: {
    event_name: event,
    ref,
    event: { repository: { default_branch: 'main' } }
  },
  inputs: {
    'terraform-dir': '',
    'tool-mirror': '',
    'gcloud-version': '',
    'terraform-version': '',
    'helm-version': '',
    'kubectl-version': '',
    ...inputs
  }
});

const RUNS = {
  'a pull request': ['pull_request', 'refs/pull/7/merge'],
  'a push to a branch': ['push', 'refs/heads/attacker'],
  'a manual run on a branch': ['workflow_dispatch', 'refs/heads/attacker']
} as const;

const scratch = mkdtempSync(path.join(tmpdir(), 'planner-guard-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(['plan.yml', 'drift.yml'])('%s as the planner', (file) => {
  const steps = stepsOf(file);
  const guard = steps[0]!;
  const action = steps.find((s) => s.uses === './.flyte-gke-action')!;
  const moduleCheckout = steps.find((s) => s.with?.path === '.flyte-gke-default-branch')!;

  it('refuses before anything is checked out or authenticated', () => {
    expect(guard.name).toBe('Refuse planner-choosing inputs off the default branch');
    expect(guard.run).toBeDefined();
    // The caller's values reach the script as variables only, never as text in it.
    expect(guard.run).not.toContain('${{');
    expect(Object.keys(guard.env ?? {}).sort()).toEqual(
      [
        'GCLOUD_VERSION',
        'HELM_VERSION',
        'KUBECTL_VERSION',
        'TERRAFORM_DIR',
        'TERRAFORM_VERSION',
        'TOOL_MIRROR'
      ].sort()
    );
  });

  it.each(Object.entries(RUNS))('guards %s', (_, [event, ref]) => {
    expect(evaluate(guard.if!, context(event, ref))).toBe(true);
  });

  it('leaves the default branch and the schedule alone', () => {
    expect(evaluate(guard.if!, context('push', 'refs/heads/main'))).toBe(false);
    expect(evaluate(guard.if!, context('workflow_dispatch', 'refs/heads/main'))).toBe(false);
    expect(evaluate(guard.if!, context('schedule', 'refs/heads/main'))).toBe(false);
  });

  it('off the default branch runs the module of the default branch’s checkout', () => {
    const dir = action.with!['terraform-dir']!;
    const pr = context('pull_request', 'refs/pull/7/merge', { 'terraform-dir': 'infra/flyte' });
    expect(evaluate(dir, pr)).toBe('.flyte-gke-default-branch/infra/flyte');
    expect(evaluate(moduleCheckout.if!, pr)).toBe(true);
    expect(moduleCheckout.with!.ref).toBe('${{ github.event.repository.default_branch }}');
    // The bundled module needs no checkout; on the default branch the caller's own is used.
    const bundled = context('pull_request', 'refs/pull/7/merge');
    expect(evaluate(dir, bundled)).toBe('');
    expect(evaluate(moduleCheckout.if!, bundled)).toBe(false);
    const main = context('push', 'refs/heads/main', { 'terraform-dir': 'infra/flyte' });
    expect(evaluate(dir, main)).toBe('infra/flyte');
    expect(evaluate(moduleCheckout.if!, main)).toBe(false);
  });

  /** Runs the guard's script as the runner runs a bash step, with the step's variables. */
  const runGuard = (env: Record<string, string>) => {
    const script = path.join(scratch, 'step.sh');
    writeFileSync(script, guard.run!);
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        TERRAFORM_DIR: '',
        TOOL_MIRROR: '',
        GCLOUD_VERSION: '',
        TERRAFORM_VERSION: '',
        HELM_VERSION: '',
        KUBECTL_VERSION: '',
        ...env
      }
    });
    return { status: result.status, out: `${result.stdout}${result.stderr}` };
  };

  it.each([
    [{}, 0, /^$/],
    [{ TERRAFORM_DIR: 'infra/flyte', TERRAFORM_VERSION: '1.13.4' }, 0, /^$/],
    [{ TERRAFORM_DIR: '../caller-checkout' }, 1, /::error::terraform-dir must be a folder/],
    [{ TERRAFORM_DIR: 'infra/../../x' }, 1, /::error::terraform-dir/],
    [{ TERRAFORM_DIR: '/home/runner/work' }, 1, /::error::terraform-dir/],
    [{ TOOL_MIRROR: 'https://mirror.attacker.example' }, 1, /::error::tool-mirror is set/],
    [{ TERRAFORM_VERSION: 'system' }, 1, /::error::terraform-version is system/],
    [{ GCLOUD_VERSION: 'system' }, 1, /::error::gcloud-version is system/],
    [{ HELM_VERSION: 'system' }, 1, /::error::helm-version is system/],
    [{ KUBECTL_VERSION: 'system' }, 1, /::error::kubectl-version is system/]
  ])('the guard with %j exits %d', (env, status, says) => {
    const run = runGuard(env as Record<string, string>);
    expect(run.status).toBe(status);
    expect(run.out.trim()).toMatch(says);
  });

  it('never prints the caller’s value, which could carry workflow commands', () => {
    const planted = 'https://x.example/\n::add-mask::ghp_fake\n::set-env name=X::y';
    const run = runGuard({ TOOL_MIRROR: planted });
    expect(run.status).toBe(1);
    expect(run.out).not.toContain('::add-mask::');
    expect(run.out).not.toContain('x.example');
  });
});
