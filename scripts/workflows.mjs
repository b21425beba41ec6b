// Writes the six reusable workflows (.github/workflows/{deploy,upgrade,destroy,plan,drift,verify}.yml)
// from action.yml, so every action input reaches every workflow with the same name, type, default
// and description, and nothing drifts when an input is added.
//   node scripts/workflows.mjs            write them
//   node scripts/workflows.mjs --check    fail (exit 1) when a committed file differs
//   --action FILE / --out DIR             another action.yml or output folder (used by the tests)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { Document, parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Third-party actions, each pinned to a full commit SHA (Dependabot keeps them current). */
export const PINNED = {
  checkout: {
    uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
    version: 'v7.0.1'
  },
  githubScript: {
    uses: 'actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd',
    version: 'v8.0.0'
  },
  uploadArtifact: {
    uses: 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    version: 'v7.0.0'
  },
  downloadArtifact: {
    uses: 'actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
    version: 'v8.0.1'
  }
};

/** Action inputs the workflows set themselves, or take in another form. */
// allow-unpinned-tools is for direct users of the action only: through a reusable workflow a
// caller (a pull request's, too) could otherwise turn off the pinned digests.
// save-plan, saved-plan and saved-plan-digest are set by deploy.yml's manual deploy jobs only, so
// no caller can hand a deploy a plan of its own.
// install-gcloud: every workflow's job ends with the action, so no later step needs gcloud; the
// action installs it only for a gcloud command of its own (ALWAYS below).
const NOT_FORWARDED = new Set([
  'command',
  'install-gcloud',
  'service-account',
  'github-token',
  'allow-unpinned-tools',
  'save-plan',
  'saved-plan',
  'saved-plan-digest'
]);
/** Action inputs every workflow sets the same way. */
const ALWAYS = { 'install-gcloud': false };
/** Action inputs that hold secrets: workflow secrets whose names `secrets: inherit` can fill. */
const SECRETS = { 'iap-oauth-client-secret': 'IAP_OAUTH_CLIENT_SECRET' };
/** Action inputs that only some commands take; the others leave them at the action's default. */
const ONLY_FOR = {
  'comment-on-pr': ['deploy', 'plan'],
  'fail-on-drift': ['drift'],
  'verify-after-deploy': ['deploy', 'upgrade'],
  'confirm-destroy': ['destroy'],
  'require-reviewed-plan': ['deploy'],
  'backup-before-upgrade': ['deploy', 'upgrade'],
  'final-backup': ['destroy'],
  // The job's own environment, passed by the workflow (below), for the protection-rules warning.
  environment: ['deploy', 'upgrade', 'destroy']
};
/** Inputs whose workflow form differs from the action's. */
const OVERRIDES = {
  // Each reusable workflow runs in a job of its own, with no earlier auth step to reuse.
  'workload-identity-provider': {
    required: true,
    description:
      'Full resource name of the workload identity provider, projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER. The job authenticates with it as the planner or the deployer.'
  },
  'confirm-destroy': {
    required: true,
    description: 'Type the cluster name to confirm; anything else stops before any change.'
  }
};

const CHANGING_GROUP = 'flyte-gke-${{ inputs.project-id }}-${{ inputs.cluster-name }}';
const FROM_THIS_REPOSITORY =
  '${{ !github.event.pull_request || github.event.pull_request.head.repo.full_name == github.repository }}';
const FROM_A_FORK =
  '${{ github.event.pull_request && github.event.pull_request.head.repo.full_name != github.repository }}';

// The planner runs what Terraform and the tools do while planning (providers, data sources), so
// off the default branch (a pull request, a push or a manual run on another branch) the caller's
// own workflow must not choose them: the module comes from the default branch, a tool-mirror and
// `system` tools are refused. Scheduled runs are always on the default branch.
const OFF_THE_DEFAULT_BRANCH =
  "github.event_name != 'schedule' && github.ref != format('refs/heads/{0}', github.event.repository.default_branch)";
const DEFAULT_BRANCH_CHECKOUT = '.flyte-gke-default-branch';
const PLANNER_INPUT_GUARD = [
  "# Names the input only: its value is the caller's and may hold workflow commands.",
  'fail() { echo "::error::$1"; exit 1; }',
  'case "$TERRAFORM_DIR" in',
  '  /* | .. | ../* | */.. | */../*)',
  '    fail "terraform-dir must be a folder inside the repository: off the default branch it is read from the default branch\'s checkout." ;;',
  'esac',
  '[ -z "$TOOL_MIRROR" ] ||',
  '  fail "tool-mirror is set: off the default branch the planner downloads tools only from their publishers. Set tool-mirror on the default branch only."',
  'for input in gcloud-version:"$GCLOUD_VERSION" terraform-version:"$TERRAFORM_VERSION" helm-version:"$HELM_VERSION" kubectl-version:"$KUBECTL_VERSION"; do',
  '  [ "${input#*:}" != system ] ||',
  '    fail "${input%%:*} is system: off the default branch the planner runs only tools whose checksums it verified, not what is on PATH."',
  'done',
  ''
].join('\n');

// "Run workflow" on deploy.yml: no pull request reviewed the plan, so one job plans as the planner
// and saves the plan, and a second job, in the environment, applies exactly it once approved.
const MANUAL = "github.event_name == 'workflow_dispatch'";
const ON_THE_DEFAULT_BRANCH =
  "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
const SAVED_PLAN_DIR = '${{ runner.temp }}/flyte-saved-plan';
const SAVED_PLAN_ARTIFACT = 'flyte-saved-plan-${{ inputs.project-id }}-${{ inputs.cluster-name }}';
/** Long enough for a reviewer to come back to it; a plan that old is often stale anyway. */
const SAVED_PLAN_RETENTION_DAYS = 7;
const MANUAL_GUARD = [
  'fail() { echo "::error::$1"; exit 1; }',
  '[ "$ON_DEFAULT_BRANCH" = true ] ||',
  '  fail "A manual deploy runs from the default branch only: Run workflow on it. Changes on other branches go through a pull request and its reviewed plan."',
  '[ -n "$PLANNER" ] ||',
  '  fail "planner-service-account is empty: a manual deploy plans as the read-only planner before the deployer applies the approved plan. Pass planner-service-account."',
  '[ -n "$ENVIRONMENT" ] ||',
  '  fail "environment is empty: a manual deploy is approved by the required reviewers of the deploy job\'s environment. Pass environment."',
  ''
].join('\n');

export const WORKFLOWS = {
  deploy: {
    manual: true,
    summary:
      'Terraform plan, the reviewed-plan check, Terraform apply (GKE, Cloud SQL, GCS), then Helm install or upgrade of flyte-binary.',
    jobName: 'Deploy Flyte to',
    identity: 'deployer',
    changing: true,
    permissions: { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
    outputs: [
      'console-url',
      'domain',
      'ingress-ip',
      'bucket-name',
      'plan-has-changes',
      'client-config'
    ],
    descriptions: {
      'comment-on-pr':
        'Update the pull request comment (on the push after a merge, the merged pull request) with the console URL.'
    }
  },
  upgrade: {
    summary:
      'Helm upgrade of flyte-binary only (reads Terraform outputs, changes no infrastructure).',
    jobName: 'Upgrade Flyte on',
    identity: 'deployer',
    changing: true,
    permissions: { contents: 'read', 'id-token': 'write' },
    outputs: ['console-url', 'client-config'],
    fixed: { 'comment-on-pr': false }
  },
  destroy: {
    summary: 'Helm uninstall, then Terraform destroy of the cluster, database and bucket.',
    jobName: 'Destroy Flyte on',
    identity: 'deployer',
    changing: true,
    permissions: { contents: 'read', 'id-token': 'write' },
    outputs: ['cluster-name'],
    fixed: { 'comment-on-pr': false },
    confirm: true
  },
  plan: {
    summary:
      'Terraform plan and Helm values preview, posted as one pull request comment per cluster. Changes nothing.',
    jobName: 'Plan Flyte on',
    identity: 'planner',
    changing: false,
    plannerGuard: true,
    permissions: { contents: 'read', 'id-token': 'write', 'pull-requests': 'write' },
    outputs: ['plan-has-changes'],
    group:
      'flyte-gke-plan-${{ inputs.project-id }}-${{ inputs.cluster-name }}-${{ github.event.pull_request.number || github.ref }}',
    // A newer push to the same pull request makes an older plan worthless; plans change nothing.
    cancelInProgress: true,
    forkNotice: true,
    descriptions: { 'comment-on-pr': 'Post or update the pull request comment with the plan.' }
  },
  drift: {
    summary:
      'Read-only Terraform plan and Helm comparison; opens, updates or closes one flyte-drift issue per cluster.',
    jobName: 'Check drift of',
    identity: 'planner',
    changing: false,
    plannerGuard: true,
    permissions: { contents: 'read', 'id-token': 'write', issues: 'write' },
    outputs: ['drift-detected'],
    group: 'flyte-gke-drift-${{ inputs.project-id }}-${{ inputs.cluster-name }}',
    cancelInProgress: false,
    fixed: { 'comment-on-pr': false }
  },
  verify: {
    summary:
      'Read-only proof from outside that Flyte answers at its domain (DNS, certificate, backend health, /healthcheck, gRPC; through IAP with an ID token). For a schedule; changes nothing.',
    jobName: 'Verify Flyte on',
    identity: 'planner',
    changing: false,
    plannerGuard: true,
    permissions: { contents: 'read', 'id-token': 'write' },
    outputs: ['domain'],
    group: 'flyte-gke-verify-${{ inputs.project-id }}-${{ inputs.cluster-name }}',
    cancelInProgress: false,
    fixed: { 'comment-on-pr': false }
  }
};

const oneLine = (text) =>
  String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();

function workflowInput(name, input, spec) {
  const fallback = input.default ?? '';
  const type = /^(true|false)$/.test(fallback)
    ? 'boolean'
    : /^\d+$/.test(fallback)
      ? 'number'
      : 'string';
  const override = OVERRIDES[name] ?? {};
  const required = override.required ?? input.required === true;
  const entry = {
    description: spec.descriptions?.[name] ?? override.description ?? oneLine(input.description),
    type,
    required
  };
  if (!required) {
    entry.default =
      type === 'boolean' ? fallback === 'true' : type === 'number' ? Number(fallback) : fallback;
  }
  return entry;
}

function takes(command, name) {
  return (
    !NOT_FORWARDED.has(name) && !(name in SECRETS) && (ONLY_FOR[name]?.includes(command) ?? true)
  );
}

export function renderWorkflow(command, action) {
  const spec = WORKFLOWS[command];
  const forwarded = Object.keys(action.inputs).filter((name) => takes(command, name));
  const inputs = {};
  for (const name of forwarded) inputs[name] = workflowInput(name, action.inputs[name], spec);
  inputs['planner-service-account'] = {
    description:
      'Read-only planner service account (plan, drift). Callers pass the same pair to every workflow.',
    type: 'string',
    required: spec.identity === 'planner',
    ...(spec.identity === 'planner' ? {} : { default: '' })
  };
  inputs['deployer-service-account'] = {
    description:
      'Deployer service account (deploy, upgrade, destroy), usable only from the default branch or an approved environment.',
    type: 'string',
    required: spec.identity === 'deployer',
    ...(spec.identity === 'deployer' ? {} : { default: '' })
  };
  inputs['runs-on'] = {
    description: 'Runner label.',
    type: 'string',
    required: false,
    default: 'ubuntu-latest'
  };
  // No `action-ref`: the action always runs from the commit this workflow file came from
  // (job_workflow_sha), so a caller cannot swap in other code while job_workflow_ref still passes
  // the deployer's condition.
  if (spec.changing) {
    inputs.environment = {
      description:
        'GitHub environment of the job, so protection rules (required reviewers, wait timers, branch rules) gate it. Empty: none.',
      type: 'string',
      required: false,
      default: ''
    };
  }
  const secrets = {};
  for (const [input, secret] of Object.entries(SECRETS)) {
    if (!action.inputs[input]) continue;
    secrets[secret] = { description: oneLine(action.inputs[input].description), required: false };
  }
  const outputs = {};
  for (const name of spec.outputs.filter((o) => action.outputs?.[o])) {
    // A manual run's outputs come from its deploy job (the plan's change flag from its plan job).
    const manualJob = name === 'plan-has-changes' ? 'manual-plan' : 'manual-deploy';
    outputs[name] = {
      description: oneLine(action.outputs[name].description),
      value: spec.manual
        ? `\${{ jobs.${command}.outputs.${name} || jobs.${manualJob}.outputs.${name} }}`
        : `\${{ jobs.${command}.outputs.${name} }}`
    };
  }

  const withBlock = { command };
  for (const name of forwarded) withBlock[name] = `\${{ inputs.${name} }}`;
  withBlock['service-account'] = `\${{ inputs.${spec.identity}-service-account }}`;
  for (const [name, value] of Object.entries({ ...ALWAYS, ...(spec.fixed ?? {}) })) {
    if (action.inputs[name]) withBlock[name] = value;
  }
  for (const [input, secret] of Object.entries(SECRETS)) {
    if (action.inputs[input]) withBlock[input] = `\${{ secrets.${secret} }}`;
  }
  withBlock['github-token'] = '${{ github.token }}';
  if (spec.plannerGuard) {
    withBlock['terraform-dir'] =
      `\${{ ${OFF_THE_DEFAULT_BRANCH} && inputs.terraform-dir != '' && format('${DEFAULT_BRANCH_CHECKOUT}/{0}', inputs.terraform-dir) || inputs.terraform-dir }}`;
  }

  const steps = [];
  if (spec.confirm) {
    steps.push({
      name: 'Require the typed confirmation',
      if: 'inputs.confirm-destroy != inputs.cluster-name',
      env: { CLUSTER: '${{ inputs.cluster-name }}' },
      run: 'echo "::error::confirm-destroy does not match cluster-name. Type the cluster name ($CLUSTER) to destroy it."\nexit 1\n'
    });
  }
  if (spec.plannerGuard) {
    steps.push({
      name: 'Refuse planner-choosing inputs off the default branch',
      if: OFF_THE_DEFAULT_BRANCH,
      env: {
        TERRAFORM_DIR: '${{ inputs.terraform-dir }}',
        TOOL_MIRROR: '${{ inputs.tool-mirror }}',
        GCLOUD_VERSION: '${{ inputs.gcloud-version }}',
        TERRAFORM_VERSION: '${{ inputs.terraform-version }}',
        HELM_VERSION: '${{ inputs.helm-version }}',
        KUBECTL_VERSION: '${{ inputs.kubectl-version }}'
      },
      run: PLANNER_INPUT_GUARD
    });
  }
  steps.push({
    name: "Check out the caller's repository (values and Terraform files)",
    uses: PINNED.checkout.uses,
    with: { 'persist-credentials': false }
  });
  if (spec.plannerGuard) {
    steps.push({
      name: "Check out the default branch's Terraform module (off the default branch)",
      if: `${OFF_THE_DEFAULT_BRANCH} && inputs.terraform-dir != ''`,
      uses: PINNED.checkout.uses,
      with: {
        ref: '${{ github.event.repository.default_branch }}',
        path: DEFAULT_BRANCH_CHECKOUT,
        'persist-credentials': false
      }
    });
  }
  steps.push(...actionCheckoutSteps(), {
    name: `Run flyte-gke-action (${command})`,
    id: 'flyte',
    uses: './.flyte-gke-action',
    // The changing commands free a Helm release an interrupted run left pending only when the
    // job holds this cluster's group (src/phases/helm-recovery.ts, docs/recovery.md).
    ...(spec.changing
      ? { env: { FLYTE_GKE_CONCURRENCY_GROUP: spec.group ?? CHANGING_GROUP } }
      : {}),
    with: withBlock
  });

  const job = {
    name: `${spec.jobName} \${{ inputs.project-id }}/\${{ inputs.cluster-name }}`,
    if: spec.manual
      ? `\${{ (${FROM_THIS_REPOSITORY.slice(4, -3)}) && !(${MANUAL}) }}`
      : FROM_THIS_REPOSITORY,
    'runs-on': '${{ inputs.runs-on }}'
  };
  if (spec.changing) job.environment = '${{ inputs.environment }}';
  job.concurrency = {
    group: spec.group ?? CHANGING_GROUP,
    'cancel-in-progress': spec.cancelInProgress ?? false
  };
  job.outputs = Object.fromEntries(
    Object.keys(outputs)
      .filter((name) => spec.outputs.includes(name))
      .map((name) => [name, `\${{ steps.flyte.outputs.${name} }}`])
  );
  job.steps = steps;

  const jobs = {};
  if (spec.forkNotice) jobs['no-plan-for-fork'] = forkNoticeJob();
  jobs[command] = job;
  if (spec.manual) Object.assign(jobs, manualJobs(action, command, withBlock, outputs));
  return renderDocument(command, spec, inputs, secrets, outputs, jobs);
}

/** The caller's checkout is done; these find and check out the action at this workflow's commit. */
function actionCheckoutSteps() {
  return [
    {
      name: 'Find the flyte-gke-action commit this workflow was called at',
      id: 'action',
      uses: PINNED.githubScript.uses,
      with: {
        script: [
          "const token = await core.getIDToken('flyte-gke-action');",
          "const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));",
          "const [workflowPath] = claims.job_workflow_ref.split('@');",
          "const repository = workflowPath.split('/').slice(0, 2).join('/');",
          'const ref = claims.job_workflow_sha;',
          "if (!/^[0-9a-f]{40}$/.test(ref ?? '')) throw new Error('The OIDC token has no job_workflow_sha, so the action commit cannot be pinned.');",
          'core.info(`Running ${repository} at ${ref} (called as ${claims.job_workflow_ref}).`);',
          "core.setOutput('repository', repository);",
          "core.setOutput('ref', ref);",
          ''
        ].join('\n')
      }
    },
    {
      name: 'Check out flyte-gke-action at that commit',
      uses: PINNED.checkout.uses,
      with: {
        repository: '${{ steps.action.outputs.repository }}',
        ref: '${{ steps.action.outputs.ref }}',
        path: '.flyte-gke-action',
        'persist-credentials': false
      }
    }
  ];
}

const CALLER_CHECKOUT = {
  name: "Check out the caller's repository (values and Terraform files)",
  uses: PINNED.checkout.uses,
  with: { 'persist-credentials': false }
};

/**
 * deploy.yml's "Run workflow" path (docs/workflows.md, "Manual deploy"): `manual-plan` plans as
 * the planner, shows the plan in its job summary and uploads it with its manifest, reporting the
 * manifest's digest as a job output; `manual-deploy`, in the environment (whose reviewers read
 * that summary), applies exactly that plan after checking the digest. When nothing would change
 * it does not run, so no approval is asked for.
 */
function manualJobs(action, command, deployWith, outputs) {
  const planWith = { command: 'plan' };
  for (const [name, value] of Object.entries(deployWith)) {
    if (name === 'command' || name === 'service-account' || name === 'github-token') continue;
    if (name in SECRETS) continue; // the plan needs no OAuth client secret, so never gets it
    if (takes('plan', name)) planWith[name] = value;
  }
  for (const [name, value] of Object.entries(ALWAYS)) {
    if (action.inputs[name]) planWith[name] = value;
  }
  planWith['service-account'] = '${{ inputs.planner-service-account }}';
  planWith['comment-on-pr'] = false;
  planWith['save-plan'] = SAVED_PLAN_DIR;
  planWith['github-token'] = '${{ github.token }}';
  const applyWith = {
    ...deployWith,
    'comment-on-pr': false,
    'saved-plan': SAVED_PLAN_DIR,
    'saved-plan-digest': '${{ needs.manual-plan.outputs.saved-plan-digest }}'
  };
  void action;
  void command;
  const plan = {
    name: 'Plan a manual deploy of ${{ inputs.project-id }}/${{ inputs.cluster-name }}',
    if: `\${{ (${FROM_THIS_REPOSITORY.slice(4, -3)}) && ${MANUAL} }}`,
    'runs-on': '${{ inputs.runs-on }}',
    concurrency: {
      group: 'flyte-gke-manual-plan-${{ inputs.project-id }}-${{ inputs.cluster-name }}',
      'cancel-in-progress': false
    },
    outputs: {
      'saved-plan-digest': '${{ steps.flyte.outputs.saved-plan-digest }}',
      'deploy-needed': '${{ steps.flyte.outputs.deploy-needed }}',
      'plan-has-changes': '${{ steps.flyte.outputs.plan-has-changes }}'
    },
    steps: [
      {
        name: 'Refuse a manual deploy off the default branch, without a planner or an environment',
        env: {
          ON_DEFAULT_BRANCH: `\${{ ${ON_THE_DEFAULT_BRANCH} }}`,
          PLANNER: '${{ inputs.planner-service-account }}',
          ENVIRONMENT: '${{ inputs.environment }}'
        },
        run: MANUAL_GUARD
      },
      CALLER_CHECKOUT,
      ...actionCheckoutSteps(),
      {
        name: 'Run flyte-gke-action (plan, saved for the deploy job)',
        id: 'flyte',
        uses: './.flyte-gke-action',
        with: planWith
      },
      {
        name: 'Upload the saved plan and its manifest',
        if: '${{ !inputs.dry-run }}',
        uses: PINNED.uploadArtifact.uses,
        with: {
          name: SAVED_PLAN_ARTIFACT,
          path: SAVED_PLAN_DIR,
          'if-no-files-found': 'error',
          'retention-days': SAVED_PLAN_RETENTION_DAYS,
          overwrite: true
        }
      },
      {
        name: 'Say what the deploy job will do',
        if: '${{ !inputs.dry-run }}',
        env: {
          NEEDED: '${{ steps.flyte.outputs.deploy-needed }}',
          DIGEST: '${{ steps.flyte.outputs.saved-plan-digest }}',
          ENVIRONMENT: '${{ inputs.environment }}'
        },
        run: [
          'if [ "$NEEDED" = true ]; then',
          '  echo "### Next: approve the deploy job in environment $ENVIRONMENT to apply exactly this plan (saved-plan-digest $DIGEST)." >> "$GITHUB_STEP_SUMMARY"',
          'else',
          '  echo "### Nothing to deploy: the Terraform plan has no changes and Flyte runs this chart with these values. The deploy job is skipped; no approval is asked for." >> "$GITHUB_STEP_SUMMARY"',
          'fi',
          ''
        ].join('\n')
      }
    ]
  };
  const apply = {
    name: 'Deploy the approved plan to ${{ inputs.project-id }}/${{ inputs.cluster-name }}',
    needs: 'manual-plan',
    if: "${{ needs.manual-plan.outputs.deploy-needed == 'true' }}",
    'runs-on': '${{ inputs.runs-on }}',
    environment: '${{ inputs.environment }}',
    concurrency: { group: CHANGING_GROUP, 'cancel-in-progress': false },
    outputs: Object.fromEntries(
      Object.keys(outputs)
        .filter((name) => name !== 'plan-has-changes')
        .map((name) => [name, `\${{ steps.flyte.outputs.${name} }}`])
    ),
    steps: [
      CALLER_CHECKOUT,
      ...actionCheckoutSteps(),
      {
        name: "Download the saved plan (checked against the plan job's digest before use)",
        uses: PINNED.downloadArtifact.uses,
        with: { name: SAVED_PLAN_ARTIFACT, path: SAVED_PLAN_DIR }
      },
      {
        name: 'Run flyte-gke-action (deploy of the saved plan)',
        id: 'flyte',
        uses: './.flyte-gke-action',
        // This job holds the cluster's group, as the deploy job does (docs/recovery.md).
        env: { FLYTE_GKE_CONCURRENCY_GROUP: CHANGING_GROUP },
        with: applyWith
      }
    ]
  };
  return { 'manual-plan': plan, 'manual-deploy': apply };
}

function forkNoticeJob() {
  return {
    name: 'No plan for a fork pull request',
    if: FROM_A_FORK,
    'runs-on': '${{ inputs.runs-on }}',
    permissions: { contents: 'read' },
    steps: [
      {
        name: 'Say that no plan ran',
        run: [
          '{',
          '  echo "### No plan ran"',
          '  echo',
          '  echo "This pull request comes from a fork. Forks get no cloud credentials, so no Terraform plan or Helm preview ran and there is nothing to review. A maintainer can push the branch to this repository to get a plan; the deploy after a merge applies only a reviewed plan."',
          '} >> "$GITHUB_STEP_SUMMARY"',
          'echo "::error::No plan ran: pull requests from forks get no cloud credentials. Push the branch to this repository to get a reviewed plan."',
          'exit 1',
          ''
        ].join('\n')
      }
    ]
  };
}

const VERSIONS = new Map(Object.values(PINNED).map((pin) => [pin.uses, pin.version]));

function renderDocument(command, spec, inputs, secrets, outputs, jobs) {
  const workflow = {
    name: `Flyte on GKE (${command})`,
    on: { workflow_call: { inputs, ...(Object.keys(secrets).length ? { secrets } : {}), outputs } },
    permissions: spec.permissions,
    jobs
  };
  const doc = new Document(workflow, { aliasDuplicateObjects: false });
  doc.commentBefore = [
    ` Reusable workflow: ${spec.summary}`,
    ` Called with \`uses: OWNER/flyte-gke-action/.github/workflows/${command}.yml@REF\`; see docs/workflows.md.`,
    ' Generated from action.yml by scripts/workflows.mjs: edit that script, then run `npm run workflows`.'
  ].join('\n');
  const keyOf = (jobNode, name) => jobNode.items.find((pair) => pair.key.value === name).key;
  const jobNode = doc.getIn(['jobs', command], true);
  keyOf(jobNode, 'concurrency').commentBefore = spec.changing
    ? ' One group for every command that changes this cluster; a run waiting for approval holds it (docs/workflows.md, "Approvals and concurrency").'
    : ' github.workflow names the caller here, so the group is built from inputs only.';
  keyOf(jobNode, 'if').commentBefore = spec.manual
    ? ' Nothing from a fork reaches the cloud; "Run workflow" takes the manual deploy below.'
    : ' Nothing from a fork reaches the cloud.';
  if (spec.manual) {
    const planNode = doc.getIn(['jobs', 'manual-plan'], true);
    planNode.commentBefore =
      ' "Run workflow": no pull request reviewed a plan, so this job plans as the planner and saves the plan; the next job applies exactly it once the environment\'s reviewers approve (docs/workflows.md, "Manual deploy").';
    keyOf(doc.getIn(['jobs', 'manual-deploy'], true), 'if').commentBefore =
      ' Nothing to change: no deploy job, so no approval is asked for.';
  }
  for (const [name, job] of Object.entries(jobs)) {
    for (const [index, step] of (job.steps ?? []).entries()) {
      const version = step.uses && VERSIONS.get(step.uses);
      if (version)
        doc.getIn(['jobs', name, 'steps', index], true).get('uses', true).comment = ` ${version}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

async function main() {
  const args = process.argv.slice(2);
  const option = (flag, fallback) => {
    const at = args.indexOf(flag);
    return at >= 0 ? path.resolve(args[at + 1]) : fallback;
  };
  const action = parse(readFileSync(option('--action', path.join(root, 'action.yml')), 'utf8'));
  const out = option('--out', path.join(root, '.github', 'workflows'));
  const stale = [];
  for (const command of Object.keys(WORKFLOWS)) {
    const file = path.join(out, `${command}.yml`);
    // Formatted as the rest of the repository is, so `prettier --check` and this check agree.
    const text = await prettier.format(renderWorkflow(command, action), {
      ...(await prettier.resolveConfig(file)),
      filepath: file
    });
    if (args.includes('--check')) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== text)
        stale.push(path.relative(root, file));
    } else {
      writeFileSync(file, text);
    }
  }
  if (stale.length > 0) {
    console.error(
      `These reusable workflows differ from what action.yml gives: ${stale.join(', ')}. Run \`npm run workflows\` and commit the result.`
    );
    process.exit(1);
  }
  if (args.includes('--check')) console.log('The reusable workflows match action.yml.');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
