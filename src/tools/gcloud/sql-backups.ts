/**
 * On-demand Cloud SQL backups through `gcloud sql backups`: argument builders, the parser of the
 * listing that names the backup just taken, and the restore commands a summary gives.
 *
 * `gcloud sql backups create` waits for the backup operation unless `--async` is given, and prints
 * no backup ID (only "[INSTANCE] backed up."), so the ID comes from `gcloud sql backups list`,
 * which lists newest first (by enqueued time). See docs/backup-restore.md for the references.
 */
import { StepError } from '../../errors.js';
import type { ExecResult } from '../../engine/types.js';

export function createBackupArgs(instance: string, projectId: string, description: string) {
  return [
    'sql',
    'backups',
    'create',
    `--instance=${instance}`,
    `--project=${projectId}`,
    `--description=${description}`
  ];
}

/** The newest on-demand backup of the instance with this description. */
export function findBackupArgs(instance: string, projectId: string, description: string) {
  return [
    'sql',
    'backups',
    'list',
    `--instance=${instance}`,
    `--project=${projectId}`,
    `--filter=type=ON_DEMAND AND description=${JSON.stringify(description)}`,
    '--limit=1',
    '--format=json'
  ];
}

export interface TakenBackup {
  readonly id: string;
  readonly instance: string;
  readonly status: string;
}

/** Reads the listing; the backup must be there and SUCCESSFUL, or the step fails. */
export function parseFoundBackup(
  stepId: string,
  result: ExecResult,
  instance: string
): TakenBackup {
  let list: unknown;
  try {
    list = JSON.parse(result.stdout.trim() || '[]');
  } catch {
    throw new StepError(stepId, 'gcloud sql backups list did not print JSON.');
  }
  const first = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  const id = first?.id;
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new StepError(
      stepId,
      `The backup of ${instance} just taken is not in \`gcloud sql backups list\`. Check it with: gcloud sql backups list --instance=${instance}`
    );
  }
  const status = typeof first?.status === 'string' ? first.status : '';
  if (status !== 'SUCCESSFUL') {
    throw new StepError(
      stepId,
      `The backup ${id} of ${instance} is ${status || 'in an unknown state'}, not SUCCESSFUL; nothing was changed after it. See gcloud sql backups describe ${id} --instance=${instance}`
    );
  }
  return { id: String(id), instance, status };
}

/** Restores a backup into the instance it came from (overwrites that instance's data). */
export function restoreCommand(backup: TakenBackup, projectId: string): string {
  return `gcloud sql backups restore ${backup.id} --restore-instance=${backup.instance} --project=${projectId}`;
}
