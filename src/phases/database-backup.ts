/**
 * On-demand Cloud SQL backups before the two things that can lose Flyte's data: a chart version
 * change (flyte-binary runs its database migrations on start, and they only go forward) and
 * destroy (the instance goes). Each is a step that starts the backup through the Cloud SQL Admin
 * API and waits for its operation (src/gcp/sql-backup-runs.ts, no gcloud), then a read that names
 * it, both under one condition, so the dry run shows when they run. A failed backup fails its
 * step, and the engine stops before the upgrade or the destroy.
 */
import type { Inputs } from '../inputs.js';
import { StepError } from '../errors.js';
import type { RunState } from '../engine/state.js';
import type { Phase, Step, StepCondition } from '../engine/types.js';
import { sameChartVersion } from '../tools/helm/release.js';
import { GoogleApiError } from '../gcp/google-api.js';
import {
  backupIdOf,
  backupRunStatus,
  describeBackupFind,
  describeBackupInsert,
  insertBackupRun,
  SqlOperationTimeout,
  waitForSqlOperation,
  type SqlOperation,
  type TakenBackup
} from '../gcp/sql-backup-runs.js';
import { googleOf } from './google-call.js';

interface BackupPlan {
  readonly id: string;
  readonly what: string;
  readonly description: string;
  readonly when: StepCondition;
  /** The input that declines it, for the message when the instance is unknown. */
  readonly input: string;
  readonly note: (backup: TakenBackup) => string;
}

/** Restores a backup into the instance it came from (overwrites that instance's data). */
export function restoreCommand(backup: TakenBackup, projectId: string): string {
  return `gcloud sql backups restore ${backup.id} --restore-instance=${backup.instance} --project=${projectId}`;
}

/** The create step (or, without the instance's name, a step that stops), then the read. */
function backupSteps(inputs: Inputs, state: RunState, plan: BackupPlan): Step[] {
  const instance = state.tfOutputs?.cloudsqlInstance;
  const project = inputs.projectId;
  if (!instance) {
    return [
      {
        kind: 'task',
        id: `${plan.id}-create`,
        title: `Back up the Cloud SQL instance ${plan.what}`,
        mutates: true,
        when: plan.when,
        describe: () => 'Stop: the Terraform output cloudsql_instance is missing.',
        run: async () => {
          throw new StepError(
            `${plan.id}-create`,
            `The Terraform output cloudsql_instance (the Cloud SQL instance's name) is missing, so no backup can be taken ${plan.what}. Declare it in the custom module (see terraform/outputs.tf of the action), or set ${plan.input}: false to go on without a backup (unsafe).`
          );
        }
      }
    ];
  }
  // The create step's finished operation, which names the backup for the find step.
  let done: SqlOperation | undefined;
  const createId = `${plan.id}-create`;
  const findId = `${plan.id}-find`;
  return [
    {
      kind: 'task',
      id: createId,
      title: `Back up the Cloud SQL instance ${instance} ${plan.what} (waits for it)`,
      mutates: true,
      when: plan.when,
      describe: () => describeBackupInsert(project, instance, plan.description).join('\n'),
      run: async (ctx) => {
        const google = googleOf(ctx, createId);
        try {
          const started = await insertBackupRun(google, project, instance, plan.description);
          done = await waitForSqlOperation(google, project, started, { sleep: ctx.clock.sleep });
        } catch (error) {
          throw new StepError(createId, backupFailure(error, instance, project, plan.input));
        }
      }
    },
    {
      // A task, so the log names the backup as well as the summary.
      kind: 'task',
      id: findId,
      title: `Name the backup just taken of ${instance}`,
      mutates: false,
      when: plan.when,
      describe: () => describeBackupFind(project, instance).join('\n'),
      run: async (ctx) => {
        const google = googleOf(ctx, findId);
        let id: string | undefined;
        let status = '';
        try {
          id = await backupIdOf(google, project, instance, plan.description, done);
          if (id !== undefined) status = await backupRunStatus(google, project, instance, id);
        } catch (error) {
          throw new StepError(
            findId,
            `Could not read the backup of ${instance} just taken: ${(error as Error).message}. The deployer needs cloudsql.backupRuns.get and cloudsql.backupRuns.list (roles/cloudsql.admin has them). Check it with: gcloud sql backups list --instance=${instance} --project=${project}`
          );
        }
        if (id === undefined) {
          throw new StepError(
            findId,
            `The backup of ${instance} just taken is not among its backup runs. Check it with: gcloud sql backups list --instance=${instance} --project=${project}`
          );
        }
        if (status !== 'SUCCESSFUL') {
          throw new StepError(
            findId,
            `The backup ${id} of ${instance} is ${status || 'in an unknown state'}, not SUCCESSFUL; nothing was changed after it. See gcloud sql backups describe ${id} --instance=${instance} --project=${project}`
          );
        }
        const backup: TakenBackup = { id, instance, status };
        ctx.state.databaseBackup = { id, instance };
        const note = plan.note(backup);
        ctx.log.info(note);
        ctx.state.notes.push(note);
      }
    }
  ];
}

function backupFailure(error: unknown, instance: string, project: string, input: string): string {
  if (error instanceof SqlOperationTimeout) {
    return `Stopped waiting for the backup of ${instance}: ${error.message} It may still be running, and nothing was changed after it. Follow it with \`gcloud sql operations describe ${error.operation} --project=${project}\`, then run the action again.`;
  }
  const permission =
    error instanceof GoogleApiError && error.httpStatus === 403
      ? ` The deployer lacks cloudsql.backupRuns.create (roles/cloudsql.admin has it): grant it, or set ${input}: false to go on without a backup (unsafe).`
      : ` The deployer needs cloudsql.backupRuns.create (roles/cloudsql.admin has it), and the instance must be running (\`gcloud sql instances describe ${instance} --project=${project}\`).`;
  return `Could not back up the Cloud SQL instance ${instance}, so nothing was changed after it: ${(error as Error).message}.${permission}`;
}

/** A chart version change of an installed release: migrations are about to run. */
function chartChanges(inputs: Inputs, state: RunState): boolean {
  const deployed = state.deployedRelease;
  return deployed !== undefined && !sameChartVersion(deployed.chartVersion, inputs.chartVersion);
}

/** In the Helm phase of deploy and upgrade, just before `helm upgrade` of flyte-binary. */
export function upgradeBackupSteps(inputs: Inputs, state: RunState): Step[] {
  const release = inputs.releaseName;
  return backupSteps(inputs, state, {
    id: 'sql-backup',
    what: `before flyte-binary ${inputs.chartVersion} migrates it`,
    description: `flyte-gke-action: before ${release} moves to flyte-binary ${inputs.chartVersion}`,
    input: 'backup-before-upgrade',
    when: {
      test: (s) => inputs.backupBeforeUpgrade && chartChanges(inputs, s),
      describe: `the installed ${release} runs another flyte-binary chart version (its migrations run on start)`,
      skipped: (s) =>
        !s.deployedRelease
          ? `${release} is not installed yet: a first install has no data to back up.`
          : !chartChanges(inputs, s)
            ? `${release} already runs chart ${s.deployedRelease.chartVersion}: no migrations run, so no backup is taken.`
            : 'backup-before-upgrade is false (unsafe, announced): the chart changes with no backup taken first.'
    },
    note: (backup) =>
      `Backed up Cloud SQL instance ${backup.instance} before the chart upgrade: backup ${backup.id}. To undo the new version's migrations, restore it (this overwrites the instance's data) and deploy the old chart-version: ${restoreCommand(backup, inputs.projectId)}`
  });
}

/** Destroy's first change: a backup the instance's deletion keeps (retain_backups_on_delete). */
export function finalBackupPhase(inputs: Inputs): Phase {
  return {
    name: 'Final database backup',
    steps: (state) =>
      backupSteps(inputs, state, {
        id: 'sql-final-backup',
        what: 'before destroy',
        description: `flyte-gke-action: final backup before destroy of ${inputs.clusterName}`,
        input: 'final-backup',
        when: {
          test: (s) => inputs.finalBackup && s.tfOutputs !== undefined,
          describe: 'final-backup is true and Terraform state holds the deployment',
          skipped: (s) =>
            s.tfOutputs === undefined
              ? 'Terraform state holds no deployment, so there is no database to back up.'
              : 'final-backup is false (unsafe, announced): the database is deleted with no backup taken first.'
        },
        note: (backup) =>
          `Final backup ${backup.id} of Cloud SQL instance ${backup.instance} is kept after the destroy (retain_backups_on_delete), until you delete it. To restore it into a new instance (after a new deploy, say): find its name with: gcloud sql backups list --project=${inputs.projectId} --filter="instance=${backup.instance}" ; then: gcloud sql backups restore BACKUP_NAME --restore-instance=NEW_INSTANCE --project=${inputs.projectId} (docs/backup-restore.md).`
      })
  };
}
