/**
 * On-demand Cloud SQL backups through the Cloud SQL Admin API v1, instead of
 * `gcloud sql backups create|list`. Request and answer shapes as in the `sqladmin` v1 discovery
 * document that Google's Node client ships (@googleapis/sqladmin build/v1.js and v1.d.ts:
 * Schema$BackupRun, Schema$Operation, Schema$BackupContext, Schema$OperationErrors), and
 * cloud.google.com/sql/docs/postgres/admin-api/rest/v1/backupRuns and .../v1/operations:
 * - backupRuns.insert, `POST sqladmin.googleapis.com/v1/projects/P/instances/I/backupRuns` with a
 *   BackupRun body of which only `description` is sent (the run's type defaults to ON_DEMAND and
 *   is ignored on insert); permission cloudsql.backupRuns.create. Answers an Operation
 *   (`sql#operation`): `name`, `status` (PENDING, RUNNING or DONE), once DONE `error.errors[]` of
 *   `{code, message}` when it failed, and for a backup `backupContext.backupId`, the new run's ID.
 *   An unknown instance is a 404; another operation on the instance is a 409.
 *   .../rest/v1/backupRuns/insert
 * - operations.get, `GET .../v1/projects/P/operations/OP` (cloudsql.instances.get, per
 *   cloud.google.com/sql/docs/postgres/iam-permissions): the same Operation, asked again until
 *   DONE. Cloud SQL has no `wait` method for it, so this polls.
 *   .../rest/v1/operations/get
 * - backupRuns.list, `GET .../instances/I/backupRuns` (cloudsql.backupRuns.list): `items[]` newest
 *   first by enqueued time, each with `id`, `description`, `type` and `status`; only when the
 *   operation names no backup. .../rest/v1/backupRuns/list
 * - backupRuns.get, `GET .../instances/I/backupRuns/ID` (cloudsql.backupRuns.get): the run's
 *   `status`, which must be SUCCESSFUL. .../rest/v1/backupRuns/get
 * A BackupRun's `id` is an int64, so JSON gives it as a string.
 */
import type { GoogleApi } from './google-api.js';

const SQLADMIN = 'https://sqladmin.googleapis.com';

/** How often, and how long at most, a backup's operation is asked after. */
export const BACKUP_POLL_MS = 10_000;
export const BACKUP_WAIT_MS = 30 * 60_000;

export interface SqlOperation {
  name?: string;
  status?: string;
  operationType?: string;
  error?: { errors?: { code?: string; message?: string }[] };
  backupContext?: { backupId?: string };
}

interface BackupRun {
  id?: string | number;
  description?: string;
  type?: string;
  status?: string;
}

export interface TakenBackup {
  readonly id: string;
  readonly instance: string;
  readonly status: string;
}

const enc = encodeURIComponent;

export const backupRunsPath = (project: string, instance: string): string =>
  `/v1/projects/${enc(project)}/instances/${enc(instance)}/backupRuns`;

export const sqlOperationPath = (project: string, operation: string): string =>
  `/v1/projects/${enc(project)}/operations/${enc(operation)}`;

/** The calls of the backup step, for a dry run (placeholders are shown as they are). */
export function describeBackupInsert(
  project: string,
  instance: string,
  description: string
): string[] {
  return [
    `POST ${SQLADMIN}/v1/projects/${project}/instances/${instance}/backupRuns ${JSON.stringify({ description })} (backupRuns.insert, cloudsql.backupRuns.create)`,
    `then GET ${SQLADMIN}/v1/projects/${project}/operations/<operation> every ${BACKUP_POLL_MS / 1000} s until it is DONE (at most ${BACKUP_WAIT_MS / 60_000} min; a DONE operation with an error fails the step)`
  ];
}

/** The calls of the step that names the backup, for a dry run. */
export function describeBackupFind(project: string, instance: string): string[] {
  const runs = `${SQLADMIN}/v1/projects/${project}/instances/${instance}/backupRuns`;
  return [
    `The backup's ID from the operation's backupContext.backupId, or else GET ${runs} (backupRuns.list, cloudsql.backupRuns.list): the newest ON_DEMAND run with this description`,
    `then GET ${runs}/<id> (backupRuns.get, cloudsql.backupRuns.get): it must be SUCCESSFUL`
  ];
}

/** A DONE operation that failed; its codes and messages are Cloud SQL's. */
export class SqlOperationError extends Error {
  constructor(
    readonly operation: string,
    readonly errors: readonly { code?: string; message?: string }[]
  ) {
    super(
      `Cloud SQL's operation ${operation} (backup) failed: ${errors
        .map((e) => `${e.code ?? 'UNKNOWN'}: ${e.message ?? ''}`.trim())
        .join('; ')}`
    );
    this.name = 'SqlOperationError';
  }
}

/** The operation is not DONE when the wait ran out; it may still finish. */
export class SqlOperationTimeout extends Error {
  constructor(
    readonly operation: string,
    readonly status: string,
    readonly waitedMs: number
  ) {
    super(
      `Cloud SQL's operation ${operation} (backup) is still ${status} after ${Math.round(waitedMs / 60_000)} min.`
    );
    this.name = 'SqlOperationTimeout';
  }
}

/** Starts an on-demand backup run of the instance; its operation as Cloud SQL answered it. */
export async function insertBackupRun(
  api: GoogleApi,
  project: string,
  instance: string,
  description: string
): Promise<SqlOperation> {
  return api.request<SqlOperation>({
    service: 'sqladmin',
    method: 'POST',
    path: backupRunsPath(project, instance),
    body: { description }
  });
}

export interface Waiting {
  readonly sleep: (ms: number) => Promise<void>;
  readonly pollMs?: number;
  readonly waitMs?: number;
}

/**
 * Asks after the operation until DONE: at once, then every pollMs, at most waitMs. Throws
 * SqlOperationError when it failed, SqlOperationTimeout when the wait ran out.
 */
export async function waitForSqlOperation(
  api: GoogleApi,
  project: string,
  first: SqlOperation,
  waiting: Waiting
): Promise<SqlOperation> {
  const pollMs = waiting.pollMs ?? BACKUP_POLL_MS;
  const waitMs = waiting.waitMs ?? BACKUP_WAIT_MS;
  let operation = first;
  let waited = 0;
  for (let asked = 0; operation.status !== 'DONE'; asked++) {
    if (!operation.name) {
      throw new Error('Cloud SQL answered backupRuns.insert with an operation that has no name.');
    }
    if (asked > 0) {
      if (waited >= waitMs) {
        throw new SqlOperationTimeout(operation.name, operation.status ?? 'not DONE', waited);
      }
      await waiting.sleep(pollMs);
      waited += pollMs;
    }
    operation = await api.request<SqlOperation>({
      service: 'sqladmin',
      path: sqlOperationPath(project, operation.name)
    });
  }
  const errors = operation.error?.errors ?? [];
  if (errors.length > 0) throw new SqlOperationError(operation.name ?? '(unnamed)', errors);
  return operation;
}

/**
 * The ID of the backup the operation took: its backupContext.backupId, or else the newest
 * on-demand run with this description (what `gcloud sql backups list --filter` found before).
 */
export async function backupIdOf(
  api: GoogleApi,
  project: string,
  instance: string,
  description: string,
  operation: SqlOperation | undefined
): Promise<string | undefined> {
  const named = operation?.backupContext?.backupId;
  if (typeof named === 'string' && named !== '') return named;
  const listed = await api.request<{ items?: BackupRun[] }>({
    service: 'sqladmin',
    path: backupRunsPath(project, instance)
  });
  const found = (listed.items ?? []).find(
    (run) => run.type === 'ON_DEMAND' && run.description === description
  );
  return found?.id === undefined ? undefined : String(found.id);
}

/** The backup run's status (SUCCESSFUL once the backup is usable). */
export async function backupRunStatus(
  api: GoogleApi,
  project: string,
  instance: string,
  id: string
): Promise<string> {
  const run = await api.request<BackupRun>({
    service: 'sqladmin',
    path: `${backupRunsPath(project, instance)}/${enc(id)}`
  });
  return typeof run.status === 'string' ? run.status : '';
}
