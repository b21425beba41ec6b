/**
 * The Terraform phases: their step lists (pure), and runs through the real runner with a fake
 * process boundary that answers like terraform and gcloud and echoes what they print, as the
 * real exec does for steps that are not quiet; the destroy's peering release meets a loopback
 * Compute (google-network-routes.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StepError } from '../src/errors.js';
import type { Inputs } from '../src/inputs.js';
import { runPhases } from '../src/engine/runner.js';
import { RunState } from '../src/engine/state.js';
import type { Exec, ExecResult, Phase } from '../src/engine/types.js';
import { googleApiFor } from '../src/gcp/client.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import {
  stateBackendPhase,
  terraformFiles,
  deployTerraformPhases,
  terraformPhase,
  type TerraformMode
} from '../src/phases/terraform.js';
import { fakeContext, fakeLogger, testInputs } from './support/fakes.js';
import { GoogleServer } from './support/google-server.js';
import { mapStore, serveObjects } from './support/google-object-routes.js';
import { serveNetworks, type BusyAnswer } from './support/google-network-routes.js';
import {
  LOCK_ERROR,
  outputJson,
  PASSWORD,
  PASSWORD_SECRET,
  planJson
} from './terraform-fixtures.js';

type Answer = Partial<ExecResult>;
type Answers = Partial<Record<string, Answer | ((args: readonly string[]) => Answer)>>;

/** Key of a call: tool and subcommand, e.g. `terraform plan`, `gcloud storage buckets describe`. */
const keyOf = (tool: string, args: readonly string[]) =>
  [
    tool,
    ...args
      .filter((a) => !a.startsWith('-') && !a.startsWith('gs://'))
      .slice(0, tool === 'gcloud' ? 3 : 1)
  ].join(' ');

const CHANGES = planJson([
  ['google_container_cluster.main', ['create']],
  ['google_sql_database_instance.main', ['create']],
  ['random_password.database', ['create']]
]);

function world(answers: Answers) {
  const { log, lines, secrets } = fakeLogger();
  const calls: {
    tool: string;
    args: readonly string[];
    quiet: boolean;
    env: Record<string, string>;
  }[] = [];
  const exec: Exec = {
    async run(tool, args, options = {}) {
      calls.push({ tool, args, quiet: options.quiet ?? false, env: { ...(options.env ?? {}) } });
      const found = answers[keyOf(tool, args)];
      const answer = typeof found === 'function' ? found(args) : (found ?? {});
      const result = {
        exitCode: answer.exitCode ?? 0,
        stdout: answer.stdout ?? '',
        stderr: answer.stderr ?? ''
      };
      // The real exec echoes every line of a step that is not quiet.
      if (!options.quiet) lines.push(...`${result.stdout}\n${result.stderr}`.split('\n'));
      return result;
    }
  };
  return { log, lines, secrets, calls, exec };
}

/**
 * The state-lock step calls Cloud Storage's JSON API: a loopback Storage with the state bucket
 * and no lock in it (the runner's exec sees no gcloud call for it).
 */
let google: GoogleServer;
let api: GoogleApi;
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveObjects(google, mapStore([testInputs().stateBucket]));
  const { file, env } = google.credentials();
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());

async function run(
  phases: Phase[],
  answers: Answers,
  inputs: Inputs = testInputs(),
  prepare: (state: RunState) => void = () => undefined,
  googleApi?: GoogleApi
): Promise<ReturnType<typeof world> & { state: RunState; error?: Error; cleanup: string[] }> {
  const w = world(answers);
  const state = new RunState(false);
  prepare(state);
  state.workDir = mkdtempSync(path.join(tmpdir(), 'flyte-gke-tf-'));
  const { ctx, cleanup } = fakeContext({
    inputs,
    state,
    exec: w.exec,
    log: w.log,
    google: () => googleApi ?? api
  });
  let error: Error | undefined;
  try {
    await runPhases(phases, { ctx, secrets: () => w.secrets });
  } catch (e) {
    error = e as Error;
  }
  return { ...w, state, cleanup, ...(error ? { error } : {}) };
}

const terraformCalls = (calls: { tool: string; args: readonly string[] }[]) =>
  calls
    .filter((c) => c.tool === 'terraform')
    .map((c) => c.args[0] + (c.args[1] === 'list' ? ' list' : ''));

const OUTPUTS_FOR_DESTROY = {
  cloudsqlIp: '10.0.0.3',
  cloudsqlPasswordSecret: 'projects/p/secrets/s/versions/1',
  cloudsqlUser: 'flyte',
  cloudsqlDatabase: 'flyte',
  clusterLocation: 'us-central1',
  clusterName: 'flyte',
  bucketName: 'acme-flyte-dev-flyte',
  projectId: 'acme-flyte-dev',
  serviceAccount: 'flyte@acme-flyte-dev.iam.gserviceaccount.com'
};

const applyAnswers = (planExit: number, extra: Answers = {}): Answers => ({
  'terraform plan': {
    exitCode: planExit,
    stdout: planExit === 2 ? 'Plan: 3 to add, 0 to change, 0 to destroy.' : 'No changes.'
  },
  'terraform show': (args) =>
    args.includes('-json')
      ? { stdout: planExit === 2 ? CHANGES : planJson([]) }
      : {
          stdout:
            '  # google_container_cluster.main will be created\n  # random_password.database will be created'
        },
  'terraform apply': { stdout: 'Apply complete! Resources: 3 added, 0 changed, 0 destroyed.' },
  'terraform output': { stdout: outputJson({}) },
  ...extra
});

describe('terraform phase step lists', () => {
  const ids = (mode: TerraformMode, inputs = testInputs()) => {
    const state = new RunState(false);
    state.workDir = '/runner/temp/flyte-gke';
    return terraformPhase(inputs, mode)
      .steps(state)
      .map((s) => s.id);
  };

  it('every terraform command gets the provider mirror configuration when the tools phase wrote one', () => {
    const state = new RunState(false);
    state.workDir = '/runner/temp/flyte-gke';
    const execs = (s: RunState) =>
      (['deploy-plan', 'apply', 'drift', 'destroy'] as const)
        .flatMap((mode) => terraformPhase(testInputs(), mode).steps(s))
        .filter((step) => step.kind === 'exec');
    for (const step of execs(state)) expect(step.env?.TF_CLI_CONFIG_FILE).toBeUndefined();
    state.terraformCliConfig = '/runner/temp/flyte-gke/terraform-providers/cli.tfrc';
    const steps = execs(state);
    expect(steps.length).toBeGreaterThan(5);
    for (const step of steps) {
      expect(step.env?.TF_CLI_CONFIG_FILE).toBe(state.terraformCliConfig);
    }
  });

  it('plans, summarises, applies only the saved plan, then reads outputs (deploy)', () => {
    expect(ids('deploy-plan')).toEqual([
      'terraform-workdir',
      'terraform-state-lock',
      'terraform-init',
      'terraform-plan',
      'terraform-show-json',
      'terraform-show-text'
    ]);
    expect(ids('apply')).toEqual(['terraform-apply', 'terraform-output']);
    const state = new RunState(false);
    state.workDir = '/runner/temp/flyte-gke';
    const steps = deployTerraformPhases(testInputs()).flatMap((phase) => phase.steps(state));
    const planFile = terraformFiles(state).plan;
    expect(planFile).toBe('/runner/temp/flyte-gke/terraform/flyte.tfplan');
    const plan = steps.find((s) => s.id === 'terraform-plan');
    const apply = steps.find((s) => s.id === 'terraform-apply');
    if (plan?.kind !== 'exec' || apply?.kind !== 'exec') throw new Error('exec steps expected');
    expect(plan.args).toEqual(
      expect.arrayContaining(['-detailed-exitcode', `-out=${planFile}`, '-input=false'])
    );
    expect(plan.okExitCodes).toEqual([0, 2]);
    expect(apply.args).toEqual([
      'apply',
      '-input=false',
      '-no-color',
      '-lock-timeout=3m',
      planFile
    ]);
    expect(apply.when?.describe).toBe('the plan has changes');
    expect(apply.mutates).toBe(true);
    expect(plan.env).toEqual({ TF_DATA_DIR: '/runner/temp/flyte-gke/terraform/data' });
  });

  it('passes the state bucket and prefix at init', () => {
    const state = new RunState(false);
    const init = terraformPhase(testInputs({ 'cluster-name': 'prod' }), 'deploy-plan')
      .steps(state)
      .find((s) => s.id === 'terraform-init');
    if (init?.kind !== 'exec') throw new Error('exec step expected');
    expect(init.args).toEqual(
      expect.arrayContaining([
        '-backend-config=bucket=acme-flyte-dev-flyte-tfstate',
        '-backend-config=prefix=flyte-gke/prod',
        '-input=false'
      ])
    );
  });

  it('never applies in plan, outputs and drift modes, and changes nothing there', () => {
    for (const mode of ['plan', 'outputs', 'drift'] as const) {
      const steps = terraformPhase(testInputs(), mode).steps(new RunState(false));
      expect(steps.filter((s) => s.mutates).map((s) => s.id)).toEqual([]);
      expect(steps.some((s) => s.kind === 'exec' && s.args[0] === 'apply')).toBe(false);
    }
    const drift = terraformPhase(testInputs(), 'drift')
      .steps(new RunState(false))
      .find((s) => s.id === 'terraform-drift-plan');
    if (drift?.kind !== 'exec') throw new Error('exec step expected');
    expect(drift.args).toEqual(
      expect.arrayContaining(['-lock=false', '-refresh=true', '-detailed-exitcode'])
    );
  });

  it('destroys by lifting protection, then planning -destroy and applying that plan', () => {
    // The outputs phase before it has prepared the folder and run init: nothing is repeated.
    expect(ids('destroy', testInputs({ command: 'destroy', 'confirm-destroy': 'flyte' }))).toEqual([
      'terraform-state-lock',
      'terraform-lift-protection',
      'terraform-destroy-database',
      'release-peering',
      'terraform-destroy-plan',
      'terraform-show-json',
      'terraform-show-text',
      'terraform-destroy-apply'
    ]);
  });

  it('creates the state bucket only when missing', () => {
    const steps = stateBackendPhase(testInputs()).steps(new RunState(false));
    expect(steps.map((s) => s.id)).toEqual(['state-bucket-describe', 'state-bucket-create']);
    const create = steps.find((s) => s.id === 'state-bucket-create')!;
    const existing = new RunState(false);
    existing.stateBucketExists = true;
    expect(create.when?.test(existing)).toBe(false);
  });
});

describe('terraform phase through the runner', () => {
  it('plan exit 2 leads to an apply of exactly the saved plan file', async () => {
    const r = await run(deployTerraformPhases(testInputs()), applyAnswers(2));
    expect(r.error).toBeUndefined();
    expect(terraformCalls(r.calls)).toEqual(['init', 'plan', 'show', 'show', 'apply', 'output']);
    const planFile = terraformFiles(r.state).plan;
    const apply = r.calls.find((c) => c.args[0] === 'apply');
    expect(apply?.args.at(-1)).toBe(planFile);
    expect(apply?.args.some((a) => a.startsWith('-var'))).toBe(false);
    expect(r.state.planHasChanges).toBe(true);
    expect(r.state.planSummary).toMatchObject({ add: 3, change: 0, destroy: 0 });
    expect(r.state.notes).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(r.cleanup).toContain(terraformFiles(r.state).dir);
  });

  it('plan exit 0 leads to no apply, and says so', async () => {
    const r = await run(deployTerraformPhases(testInputs()), applyAnswers(0));
    expect(r.error).toBeUndefined();
    expect(terraformCalls(r.calls)).not.toContain('apply');
    expect(r.state.planHasChanges).toBe(false);
    expect(r.lines.join('\n')).toContain(
      'Skipped Terraform apply of the saved plan: the plan has no changes, so there is nothing to apply.'
    );
    expect(r.state.tfOutputs?.clusterName).toBe('flyte');
  });

  it('a failed plan stops before apply, with terraform’s error in the message', async () => {
    const r = await run(
      deployTerraformPhases(testInputs()),
      applyAnswers(2, {
        'terraform plan': {
          exitCode: 1,
          stderr:
            '╷\n│ Error: googleapi: Error 403: Permission denied on resource project acme-flyte-dev.\n╵'
        }
      })
    );
    expect(r.error).toBeInstanceOf(StepError);
    expect((r.error as StepError).stepId).toBe('terraform-plan');
    expect(r.error?.message).toContain(
      'Error 403: Permission denied on resource project acme-flyte-dev'
    );
    expect(terraformCalls(r.calls)).toEqual(['init', 'plan']);
  });

  it('puts the outputs into state.tfOutputs and never prints a sensitive one', async () => {
    const r = await run(
      deployTerraformPhases(testInputs({ ingress: 'true', 'allow-unauthenticated': 'true' })),
      {
        ...applyAnswers(2),
        'terraform output': { stdout: outputJson({ ingress: true, legacyPassword: PASSWORD }) },
        // Terraform itself shows sensitive values as <sensitive> after an apply.
        'terraform apply': {
          stdout: 'Apply complete!\n\nOutputs:\n\ncloudsql_password = <sensitive>'
        }
      }
    );
    expect(r.error).toBeUndefined();
    expect(r.state.tfOutputs).toMatchObject({
      cloudsqlIp: '10.59.0.3',
      cloudsqlPasswordSecret: PASSWORD_SECRET,
      staticIpAddress: '34.111.22.33'
    });
    expect(r.secrets).toContain(PASSWORD);
    const output = r.calls.find((c) => c.args[0] === 'output');
    expect(output?.quiet).toBe(true);
    const printed = [...r.lines, ...r.state.notes, r.state.planText ?? ''].join('\n');
    expect(printed).not.toContain(PASSWORD);
  });

  it('a held lock names who holds it and how to release it', async () => {
    const r = await run(
      deployTerraformPhases(testInputs()),
      applyAnswers(2, { 'terraform plan': { exitCode: 1, stderr: LOCK_ERROR } })
    );
    expect(r.error?.message).toContain('The Terraform state is locked by runner@fv-az512-777');
    expect(r.error?.message).toContain(
      'terraform force-unlock -force 6a3b1e5c-1f2d-4c7e-9a10-1b2c3d4e5f60'
    );
  });

  it('plan mode on an empty state (first run) reads no outputs and does not fail', async () => {
    const r = await run([terraformPhase(testInputs({ command: 'plan' }), 'plan')], {
      ...applyAnswers(2),
      'terraform output': { stdout: '{}\n' }
    });
    expect(r.error).toBeUndefined();
    expect(r.state.tfOutputs).toBeUndefined();
    expect(r.state.planText).toContain('google_container_cluster.main will be created');
    expect(r.state.notes.join('\n')).toMatch(/no outputs yet/);
    expect(terraformCalls(r.calls)).not.toContain('apply');
    // A pull request's plan takes no state lock, so it never blocks a deploy.
    expect(r.calls.find((c) => c.args[0] === 'plan')?.args).toContain('-lock=false');
  });

  it('outputs mode for upgrade fails clearly when nothing is deployed', async () => {
    const r = await run([terraformPhase(testInputs({ command: 'upgrade' }), 'outputs')], {
      'terraform output': { stdout: '{}' }
    });
    expect(r.error?.message).toMatch(/no outputs: nothing is deployed/);
    expect(terraformCalls(r.calls)).toEqual(['init', 'output']);
  });

  it('drift mode records drift and its details without a lock or an apply', async () => {
    const r = await run([terraformPhase(testInputs({ command: 'drift' }), 'drift')], {
      'terraform plan': { exitCode: 2 },
      'terraform show': {
        stdout: JSON.stringify({
          ...JSON.parse(planJson([['google_storage_bucket.data', ['update']]])),
          resource_drift: [
            {
              address: 'google_storage_bucket.data',
              type: 'google_storage_bucket',
              change: { actions: ['update'] }
            }
          ]
        })
      },
      'terraform output': { stdout: outputJson({}) }
    });
    expect(r.error).toBeUndefined();
    expect(r.state.driftDetected).toBe(true);
    expect(r.state.driftDetails).toEqual([
      'google_storage_bucket.data was changed outside Terraform',
      'google_storage_bucket.data: update'
    ]);
    expect(r.calls.find((c) => c.args[0] === 'plan')?.args).toContain('-lock=false');
    expect(terraformCalls(r.calls)).not.toContain('apply');
  });

  it('destroy lifts protection on existing resources only, then applies the destroy plan', async () => {
    const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte' });
    const r = await run([terraformPhase(inputs, 'outputs'), terraformPhase(inputs, 'destroy')], {
      'terraform state': {
        stdout:
          'google_compute_network.vpc\ngoogle_container_cluster.main\ngoogle_storage_bucket.data\n'
      },
      'terraform plan': { exitCode: 2 },
      'terraform show': (args) => ({
        stdout: args.includes('-json')
          ? planJson([['google_container_cluster.main', ['delete']]])
          : 'destroy'
      })
    });
    expect(r.error).toBeUndefined();
    expect(terraformCalls(r.calls)).toEqual([
      // One init for the whole destroy: the outputs phase's.
      'init',
      'output',
      'state list',
      'plan',
      'apply',
      // No database in the state: nothing to destroy first, and no network output to unpeer.
      'state list',
      'plan',
      'show',
      'show',
      'apply'
    ]);
    const [lift, destroy] = r.calls.filter((c) => c.args[0] === 'plan');
    expect(lift?.args).toEqual(
      expect.arrayContaining([
        '-target=google_container_cluster.main',
        '-target=google_storage_bucket.data',
        `-var-file=${path.join(terraformFiles(r.state).dir, 'action-destroy.tfvars.json')}`
      ])
    );
    // Protection off in the destroy's variables, on in the deploy's.
    const vars = (name: string) =>
      JSON.parse(readFileSync(path.join(terraformFiles(r.state).dir, name), 'utf8')) as Record<
        string,
        unknown
      >;
    expect(vars('action-destroy.tfvars.json').deletion_protection).toBe(false);
    expect(vars('action.tfvars.json').deletion_protection).toBe(true);
    expect(
      statSync(path.join(terraformFiles(r.state).dir, 'action.tfvars.json')).mode & 0o777
    ).toBe(0o600);
    // Nothing reaches Terraform as -var, which a custom module would have to declare.
    expect(r.calls.flatMap((c) => c.args).filter((a) => a.startsWith('-var='))).toEqual([]);
    // The database is not in the state, so the targeted plan must not create it.
    expect(lift?.args).not.toContain('-target=google_sql_database_instance.main');
    expect(destroy?.args).toContain('-destroy');
    const applies = r.calls.filter((c) => c.args[0] === 'apply').map((c) => c.args.at(-1));
    expect(applies).toEqual([
      terraformFiles(r.state).liftPlan,
      terraformFiles(r.state).destroyPlan
    ]);
    expect(r.state.planSummary?.destroy).toBe(1);
  });

  describe('a destroy the network does not stop', () => {
    const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte' });
    const PEERING = 'servicenetworking-googleapis-com';
    const withNetwork = (state: RunState) => {
      state.tfOutputs = { ...OUTPUTS_FOR_DESTROY, networkName: 'flyte-vpc' };
    };
    let google: GoogleServer;
    let api: GoogleApi;
    let peerings: Record<string, string[]>;
    let busy: (BusyAnswer | undefined)[];
    /** Terraform applies and Compute's removals, in the order they happened. */
    let order: string[];
    beforeAll(async () => {
      google = await new GoogleServer().start();
      serveNetworks(google, {
        peerings: (project, network) =>
          project === 'acme-flyte-dev' ? peerings[network] : undefined,
        remove: (_project, network, peering) => {
          order.push('removePeering');
          peerings[network] = (peerings[network] ?? []).filter((p) => p !== peering);
        },
        busy: () => busy.shift()
      });
      const { file, env } = google.credentials();
      api = googleApiFor(file, env);
    });
    afterAll(async () => google.stop());
    beforeEach(() => {
      peerings = { 'flyte-vpc': [PEERING] };
      busy = [];
      order = [];
      google.calls.length = 0;
    });
    const removals = () => google.calls.filter((c) => c.path.endsWith('/removePeering'));
    const destroyAnswers: Answers = {
      'terraform state': {
        stdout: 'google_compute_network.vpc\ngoogle_sql_database_instance.main\n'
      },
      'terraform plan': { exitCode: 2 },
      'terraform show': (args) => ({
        stdout: args.includes('-json')
          ? planJson([['google_compute_network.vpc', ['delete']]])
          : 'destroy'
      }),
      'terraform apply': (args) => {
        order.push(`apply ${path.basename(args.at(-1) ?? '')}`);
        return {};
      }
    };
    const destroy = () =>
      run([terraformPhase(inputs, 'destroy')], destroyAnswers, inputs, withNetwork, api);

    it('destroys the database first, releases its peering through Compute, then destroys the rest', async () => {
      const r = await destroy();
      expect(r.error).toBeUndefined();
      const files = terraformFiles(r.state);
      expect(order).toEqual([
        `apply ${path.basename(files.liftPlan)}`,
        `apply ${path.basename(files.databasePlan)}`,
        'removePeering',
        `apply ${path.basename(files.destroyPlan)}`
      ]);
      expect(removals().map((c) => c.body)).toEqual([{ name: PEERING }]);
      expect(removals()[0]?.path).toBe(
        '/compute/v1/projects/acme-flyte-dev/global/networks/flyte-vpc/removePeering'
      );
      // No gcloud process for the peering (the state lock's reads are another step's).
      expect(r.calls.filter((c) => c.tool === 'gcloud' && c.args[0] !== 'storage')).toEqual([]);
      expect(r.lines.join('\n')).toContain(
        'Released the peering servicenetworking-googleapis-com of network flyte-vpc.'
      );
    });

    it('waits, bounded, while Compute reports the peering busy', async () => {
      busy = ['in-progress', 'operation-not-ready'];
      const r = await destroy();
      expect(r.error).toBeUndefined();
      expect(removals()).toHaveLength(3);
      expect(r.lines.join('\n')).toContain(
        'The peering of network flyte-vpc is still busy (attempt 1 of 10): There is a peering operation in progress'
      );
      expect(peerings['flyte-vpc']).toEqual([]);

      google.calls.length = 0;
      order = [];
      peerings = { 'flyte-vpc': [PEERING] };
      busy = Array.from({ length: 20 }, () => 'in-progress' as const);
      const endless = await destroy();
      expect(endless.error?.message).toMatch(
        /Could not release the peering servicenetworking-googleapis-com of network flyte-vpc \(attempt 10 of 10\): Compute still reports it busy/
      );
      // What a person can do instead: the gcloud command, or the REST call itself.
      expect(endless.error?.message).toContain(
        '`gcloud compute networks peerings delete servicenetworking-googleapis-com --network=flyte-vpc --project=acme-flyte-dev`'
      );
      expect(endless.error?.message).toContain(
        'POST https://compute.googleapis.com/compute/v1/projects/acme-flyte-dev/global/networks/flyte-vpc/removePeering'
      );
      expect(removals()).toHaveLength(10);
      // The rest is not destroyed while the network cannot be.
      expect(
        order.filter((o) => o.includes(path.basename(terraformFiles(endless.state).destroyPlan)))
      ).toEqual([]);
    });

    it('stops on a removal Compute failed, with its error', async () => {
      busy = ['operation-failed'];
      const r = await destroy();
      expect(r.error).toBeInstanceOf(StepError);
      expect(r.error?.message).toMatch(
        /Could not release the peering servicenetworking-googleapis-com of network flyte-vpc: Compute's operation operation-[\w-]+ \(removePeering\) failed: INTERNAL_ERROR/
      );
      expect(removals()).toHaveLength(1);
    });

    it('an already released peering, or a network already gone, is no change', async () => {
      peerings = { 'flyte-vpc': [] };
      const r = await destroy();
      expect(r.error).toBeUndefined();
      expect(r.lines.join('\n')).toContain(
        'Network flyte-vpc has no servicenetworking-googleapis-com peering: nothing to release.'
      );
      expect(removals()).toEqual([]);
      expect(r.calls.at(-1)?.args.at(-1)).toBe(terraformFiles(r.state).destroyPlan);

      peerings = {};
      const gone = await destroy();
      expect(gone.error).toBeUndefined();
      expect(gone.lines.join('\n')).toContain(
        'Network flyte-vpc does not exist: no peering to release.'
      );
      expect(removals()).toEqual([]);
    });
  });

  it('destroy of an already-destroyed setup changes nothing', async () => {
    const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte' });
    const r = await run([terraformPhase(inputs, 'outputs'), terraformPhase(inputs, 'destroy')], {
      'terraform state': { stdout: '' },
      'terraform plan': { exitCode: 0 },
      'terraform show': (args) => ({
        stdout: args.includes('-json') ? planJson([]) : 'No changes.'
      })
    });
    expect(r.error).toBeUndefined();
    // The empty plan is summarised (show -json) but not rendered as text.
    expect(terraformCalls(r.calls)).toEqual([
      'init',
      'output',
      'state list',
      'state list',
      'plan',
      'show'
    ]);
    expect(r.calls.filter((c) => c.args[0] === 'show').map((c) => c.args[1])).toEqual(['-json']);
  });
});
