/**
 * Every example workflow works when copied: for each job (and each matrix row), the inputs it
 * passes to its reusable workflow are carried, through that workflow's own `with:` of the action
 * step, into the action's input parser for the command the workflow runs, and accepted. A new
 * required input that an example does not set, or an input a command refuses, fails here.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../src/errors.js';
import { parseInputs } from '../src/inputs.js';
import { evaluateExpression } from './support/expressions.js';
import { actionDefault } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const readYaml = (file: string): any => parse(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));
const EXAMPLES = readdirSync(path.join(PROJECT_ROOT, 'examples/workflows'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => `examples/workflows/${f}`);

/** The value a `workflow_dispatch` input would have when someone runs the example by hand. */
function dispatchValue(name: string, spec: Record<string, any>, clusterName: string): string {
  if (name === 'confirm-destroy') return clusterName;
  if (spec.default !== undefined) return String(spec.default);
  if (spec.type === 'choice') return String(spec.options[0]);
  if (spec.type === 'boolean') return 'false';
  return '';
}

/** `${{ … }}` in an example: only matrix and dispatch inputs appear there; anything else fails. */
function resolveCaller(
  value: unknown,
  row: Record<string, string>,
  dispatch: (n: string) => string
) {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const matrix = /^matrix\.([\w-]+)$/.exec(expr);
    if (matrix) return row[matrix[1]!] ?? '';
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return dispatch(input[1]!);
    throw new Error(`an example uses an expression this test cannot evaluate: ${expr}`);
  });
}

/** `${{ … }}` in the reusable workflow's action step. */
function resolveCalled(value: unknown, inputs: Record<string, string>, secrets: Set<string>) {
  // A whole-value expression beyond a plain input (the planner's terraform-dir, chosen by where
  // the run is) is read as on a pull request, where the plan examples run.
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(String(value).trim())?.[1]?.trim();
  if (
    whole &&
    !/^(?:inputs\.[\w-]+|secrets\.\w+|github\.token|needs\.[\w-]+\.outputs\.[\w-]+)$/.test(whole)
  ) {
    const github = {
      event_name: 'pull_request',
      ref: 'refs/pull/1/merge',
      event: { repository: { default_branch: 'main' } }
    };
    return String(evaluateExpression(String(value), { inputs, github }));
  }
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expr);
    if (input) return inputs[input[1]!] ?? '';
    const secret = /^secrets\.(\w+)$/.exec(expr);
    if (secret) return secrets.has(secret[1]!) ? `example-secret-${secret[1]!}` : '';
    if (expr === 'github.token') return 'ghs_example';
    // The manual deploy's jobs: the runner's temporary folder, the plan job's digest output.
    if (expr === 'runner.temp') return os.tmpdir();
    if (/^needs\.[\w-]+\.outputs\.saved-plan-digest$/.test(expr)) return 'ab'.repeat(32);
    throw new Error(`a reusable workflow uses an expression this test cannot evaluate: ${expr}`);
  });
}

interface Case {
  readonly example: string;
  readonly job: string;
  readonly row: number;
  /** The reusable workflow's job that runs the action (deploy.yml has three). */
  readonly calledJob: string;
  readonly command: string;
  readonly actionInputs: Record<string, string>;
}

/** Each job of each example, each matrix row, as the action inputs the runner would see. */
function cases(): Case[] {
  const all: Case[] = [];
  for (const example of EXAMPLES) {
    const workflow = readYaml(example);
    const dispatchInputs: Record<string, any> = workflow.on?.workflow_dispatch?.inputs ?? {};
    for (const [jobName, job] of Object.entries<Record<string, any>>(workflow.jobs)) {
      const called = /\.github\/workflows\/([\w-]+\.yml)@/.exec(String(job.uses));
      if (!called) continue;
      const reusable = readYaml(`.github/workflows/${called[1]}`);
      const declared: Record<string, any> = reusable.on.workflow_call.inputs;
      const rows: Record<string, string>[] = job.strategy?.matrix?.include ?? [{}];
      rows.forEach((row, index) => {
        const cluster = resolveCaller(job.with['cluster-name'] ?? 'flyte', row, () => '');
        const dispatch = (name: string) => dispatchValue(name, dispatchInputs[name] ?? {}, cluster);
        const inputs: Record<string, string> = {};
        for (const [name, spec] of Object.entries<Record<string, any>>(declared)) {
          if (name in job.with) inputs[name] = resolveCaller(job.with[name], row, dispatch);
          else if (spec.default !== undefined) inputs[name] = String(spec.default);
        }
        const declaredSecrets = Object.keys(reusable.on.workflow_call.secrets ?? {});
        // `secrets: inherit` passes every secret the repository has; the examples assume the ones
        // the quick start creates. An explicit mapping passes what it names.
        const secrets = new Set(
          job.secrets === 'inherit'
            ? declaredSecrets
            : Object.keys(job.secrets ?? {}).filter((s) => declaredSecrets.includes(s))
        );
        for (const [calledJob, reusableJob] of Object.entries<Record<string, any>>(reusable.jobs)) {
          for (const step of reusableJob.steps ?? []) {
            if (step.uses !== './.flyte-gke-action') continue;
            const actionInputs: Record<string, string> = {};
            for (const [name, value] of Object.entries(step.with)) {
              actionInputs[name] = resolveCalled(value, inputs, secrets);
            }
            all.push({
              example,
              job: jobName,
              row: index,
              calledJob,
              command: actionInputs.command ?? 'deploy',
              actionInputs
            });
          }
        }
      });
    }
  }
  return all;
}

/** A copy of the caller's repository: the values files the examples name. */
function callerWorkspace(all: Case[]): string {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'examples-'));
  for (const c of all) {
    for (const file of (c.actionInputs['extra-values-files'] ?? '').split(/[\n,]/)) {
      if (!file.trim()) continue;
      mkdirSync(path.dirname(path.join(workspace, file.trim())), { recursive: true });
      writeFileSync(path.join(workspace, file.trim()), 'configuration: {}\n');
    }
  }
  return workspace;
}

const ALL = cases();
const WORKSPACE = callerWorkspace(ALL);

describe('every example, as the action sees it', () => {
  it('covers every reusable workflow: plan, deploy, upgrade, destroy and drift', () => {
    expect([...new Set(ALL.map((c) => c.command))].sort()).toEqual(
      ['deploy', 'destroy', 'drift', 'plan', 'upgrade'].sort()
    );
  });

  it.each(
    ALL.map((c) => [`${c.example} ${c.job}[${c.row}] ${c.calledJob} (${c.command})`, c] as const)
  )('%s is accepted by the input parser', (_label, c) => {
    let outcome = 'accepted';
    try {
      parseInputs((name) => c.actionInputs[name] ?? actionDefault(name), {
        actionRoot: PROJECT_ROOT,
        workspace: WORKSPACE
      });
    } catch (error) {
      outcome = error instanceof InputError ? `${error.input}: ${error.message}` : String(error);
    }
    expect(outcome).toBe('accepted');
  });

  it.each(
    ALL.map((c) => [`${c.example} ${c.job}[${c.row}] ${c.calledJob} (${c.command})`, c] as const)
  )('%s installs gcloud only for a command of its own (no later step uses it)', (_label, c) => {
    const inputs = parseInputs((name) => c.actionInputs[name] ?? actionDefault(name), {
      actionRoot: PROJECT_ROOT,
      workspace: WORKSPACE
    });
    expect(inputs.installGcloud).toBe(false);
  });

  it('the check is live: an input the parser requires, left out, is refused', () => {
    const deploy = ALL.find((c) => c.command === 'deploy' && c.actionInputs.iap === 'true')!;
    const without: Record<string, string> = {
      ...deploy.actionInputs,
      'iap-oauth-client-secret': ''
    };
    expect(() =>
      parseInputs((name) => without[name] ?? actionDefault(name), {
        actionRoot: PROJECT_ROOT,
        workspace: WORKSPACE
      })
    ).toThrow(/iap-oauth-client-secret/);
  });
});

describe('the IAP OAuth client is needed only where it is written', () => {
  const base: Record<string, string> = {
    'project-id': 'acme-flyte-dev',
    'cluster-name': 'flyte-dev',
    ingress: 'true',
    iap: 'true',
    'iap-members': 'group:ml-platform@acme.example'
  };
  const parseFor = (command: string, extra: Record<string, string> = {}) => {
    const values: Record<string, string> = { ...base, command, ...extra };
    return parseInputs((name) => values[name] ?? actionDefault(name), {
      actionRoot: PROJECT_ROOT,
      workspace: PROJECT_ROOT
    });
  };

  it.each(['plan', 'drift'])('%s runs without the client ID and secret', (command) => {
    expect(parseFor(command).iap).toBe(true);
  });

  it('destroy runs without the client and without members', () => {
    expect(parseFor('destroy', { 'confirm-destroy': 'flyte-dev', 'iap-members': '' }).iap).toBe(
      true
    );
  });

  it.each(['deploy', 'upgrade'])('%s still needs both', (command) => {
    expect(() => parseFor(command)).toThrow(/'iap-oauth-client-id': is required when iap is true/);
    expect(() =>
      parseFor(command, { 'iap-oauth-client-id': '123456789012-abc.apps.googleusercontent.com' })
    ).toThrow(/'iap-oauth-client-secret': is required/);
  });

  it('plan still needs members: who may pass IAP is part of the reviewed change', () => {
    expect(() => parseFor('plan', { 'iap-members': '' })).toThrow(/iap-members/);
  });
});
