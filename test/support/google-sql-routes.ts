/**
 * Stand-in Cloud SQL Admin API v1 routes on the loopback GoogleServer, for the on-demand backup
 * before a chart change and before destroy, in the shapes Google documents (sqladmin v1 discovery
 * document, @googleapis/sqladmin build/v1.js; cloud.google.com/sql/docs/postgres/admin-api/rest/v1
 * backupRuns/insert, backupRuns/list, backupRuns/get, operations/get):
 * - backupRuns.insert: POST /v1/projects/P/instances/I/backupRuns with a BackupRun body; a field
 *   BackupRun does not have, or a description that is not a string, is the 400 INVALID_ARGUMENT
 *   of Google's JSON parser. Answers a PENDING `sql#operation` of type BACKUP_VOLUME.
 * - operations.get: GET /v1/projects/P/operations/OP answers it RUNNING for as many asks as the
 *   model says (none by default), then DONE with `backupContext.backupId` (unless the model drops
 *   it), or with `error.errors[]` when the model makes it fail.
 * - backupRuns.list: GET .../instances/I/backupRuns answers `items[]` newest first (maxResults
 *   honoured); backupRuns.get: GET .../backupRuns/ID the one run.
 * An unknown instance, operation or run is a 404. Errors have Cloud SQL's shape:
 * {error: {code, message, errors: [{message, domain, reason}]}}.
 */
import type { GoogleAnswer, GoogleCall, GoogleServer } from './google-server.js';

export interface StandinBackupRun {
  id: string;
  instance: string;
  description: string;
  type: string;
  status: string;
  kind?: string;
}

/** How a backup goes when not plainly: refused at insert (an HTTP error), or failed once DONE. */
export interface BackupTrouble {
  /** The HTTP status insert answers with (e.g. 409, 403). */
  readonly httpStatus?: number;
  /** The operation's error code once DONE (e.g. INTERNAL_ERROR), when no httpStatus. */
  readonly code?: string;
  readonly message: string;
}

export interface SqlBackupModel {
  /** Whether the project has this (running) instance. */
  instanceExists(project: string, instance: string): boolean;
  /** The instance's backup runs, oldest first. */
  runs(project: string, instance: string): StandinBackupRun[];
  /** Keeps a new run (its final state: the stand-in backs up at once). */
  add(project: string, run: StandinBackupRun): void;
  /** A refusal or failure of this backup, if any. */
  trouble?(): BackupTrouble | undefined;
  /** The status a successful run ends in (SUCCESSFUL unless a test says otherwise). */
  finalStatus?(): string | undefined;
  /** How many operations.get answer RUNNING before DONE. */
  runningAsks?(): number;
  /** Whether the DONE operation leaves out backupContext (so the caller must list). */
  withoutBackupId?(): boolean;
}

/** Cloud SQL's error body (reason in `errors[]`). */
export function sqlError(code: number, message: string, reason: string): GoogleAnswer {
  return {
    status: code,
    body: { error: { code, message, errors: [{ message, domain: 'global', reason }] } }
  };
}

/** The BackupRun fields (Schema$BackupRun); the parser refuses any other name. */
const BACKUP_RUN_FIELDS = new Set([
  'backupKind',
  'databaseVersion',
  'description',
  'diskEncryptionConfiguration',
  'diskEncryptionStatus',
  'endTime',
  'enqueuedTime',
  'error',
  'id',
  'instance',
  'kind',
  'location',
  'maxChargeableBytes',
  'selfLink',
  'startTime',
  'status',
  'timeZone',
  'type',
  'windowStartTime'
]);

function invalidBody(message: string): GoogleAnswer {
  return {
    status: 400,
    body: {
      error: {
        code: 400,
        message,
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ description: message }]
          }
        ]
      }
    }
  };
}

function bodyProblem(call: GoogleCall): GoogleAnswer | undefined {
  const body = call.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return invalidBody('Invalid JSON payload received. Expected an object for the BackupRun.');
  }
  const unknown = Object.keys(body).find((key) => !BACKUP_RUN_FIELDS.has(key));
  if (unknown) {
    return invalidBody(
      `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`
    );
  }
  if (body.description !== undefined && typeof body.description !== 'string') {
    return invalidBody(
      `Invalid value at 'body.description' (TYPE_STRING), ${JSON.stringify(body.description)}`
    );
  }
  return undefined;
}

const RUNS = /^\/v1\/projects\/([^/]+)\/instances\/([^/]+)\/backupRuns$/;
const RUN = /^\/v1\/projects\/([^/]+)\/instances\/([^/]+)\/backupRuns\/([^/]+)$/;
const OPERATION = /^\/v1\/projects\/([^/]+)\/operations\/([^/]+)$/;

interface Backup {
  project: string;
  instance: string;
  runId: string;
  asksLeft: number;
  fails?: { code: string; message: string };
  withoutBackupId: boolean;
}

const groups = (pattern: RegExp, path: string) =>
  pattern.exec(path)!.slice(1).map(decodeURIComponent);

const NO_INSTANCE = (): GoogleAnswer =>
  sqlError(404, 'The Cloud SQL instance does not exist.', 'instanceDoesNotExist');

export function serveSqlBackups(google: GoogleServer, model: SqlBackupModel): void {
  const operations = new Map<string, Backup>();
  let runIds = 0;
  const operation = (name: string, backup: Backup, status: string) => ({
    kind: 'sql#operation',
    name,
    operationType: 'BACKUP_VOLUME',
    status,
    targetId: backup.instance,
    targetProject: backup.project,
    targetLink: `https://sqladmin.googleapis.com/v1/projects/${backup.project}/instances/${backup.instance}`,
    selfLink: `https://sqladmin.googleapis.com/v1/projects/${backup.project}/operations/${name}`,
    ...(status === 'DONE' && backup.fails
      ? {
          error: {
            kind: 'sql#operationErrors',
            errors: [{ kind: 'sql#operationError', ...backup.fails }]
          }
        }
      : {}),
    ...(status === 'DONE' && !backup.fails && !backup.withoutBackupId
      ? { backupContext: { kind: 'sql#backupContext', backupId: backup.runId } }
      : {})
  });

  google.on('POST', 'sqladmin', RUNS, (call): GoogleAnswer => {
    const [project = '', instance = ''] = groups(RUNS, call.path);
    const refused = bodyProblem(call);
    if (refused) return refused;
    if (!model.instanceExists(project, instance)) return NO_INSTANCE();
    const trouble = model.trouble?.();
    if (trouble?.httpStatus) {
      return sqlError(trouble.httpStatus, trouble.message, 'standinRefusal');
    }
    const body = call.body as { description?: string };
    const runId = String(1765100000000 + model.runs(project, instance).length);
    runIds++;
    const fails = trouble
      ? { code: trouble.code ?? 'INTERNAL_ERROR', message: trouble.message }
      : undefined;
    model.add(project, {
      id: runId,
      instance,
      description: body.description ?? '',
      type: 'ON_DEMAND',
      status: fails ? 'FAILED' : (model.finalStatus?.() ?? 'SUCCESSFUL'),
      kind: 'sql#backupRun'
    });
    const name = `0b${runIds}a1c2-d3e4-5f60-7182-93a4b5c6d7e8`;
    const backup: Backup = {
      project,
      instance,
      runId,
      asksLeft: model.runningAsks?.() ?? 0,
      withoutBackupId: model.withoutBackupId?.() ?? false,
      ...(fails ? { fails } : {})
    };
    operations.set(name, backup);
    return { body: operation(name, backup, 'PENDING') };
  });

  google.on('GET', 'sqladmin', OPERATION, (call): GoogleAnswer => {
    const [project = '', name = ''] = groups(OPERATION, call.path);
    const backup = operations.get(name);
    if (!backup || backup.project !== project) {
      return sqlError(404, `The operation ${name} does not exist.`, 'operationDoesNotExist');
    }
    if (backup.asksLeft > 0) {
      backup.asksLeft--;
      return { body: operation(name, backup, 'RUNNING') };
    }
    return { body: operation(name, backup, 'DONE') };
  });

  google.on('GET', 'sqladmin', RUNS, (call): GoogleAnswer => {
    const [project = '', instance = ''] = groups(RUNS, call.path);
    if (!model.instanceExists(project, instance)) return NO_INSTANCE();
    const max = Number(call.query.get('maxResults') ?? Infinity);
    const items = [...model.runs(project, instance)].reverse().slice(0, max);
    return { body: { kind: 'sql#backupRunsList', ...(items.length > 0 ? { items } : {}) } };
  });

  google.on('GET', 'sqladmin', RUN, (call): GoogleAnswer => {
    const [project = '', instance = '', id = ''] = groups(RUN, call.path);
    if (!model.instanceExists(project, instance)) return NO_INSTANCE();
    const run = model.runs(project, instance).find((r) => r.id === id);
    if (!run) return sqlError(404, 'The backup run does not exist.', 'backupRunDoesNotExist');
    return { body: run };
  });
}
