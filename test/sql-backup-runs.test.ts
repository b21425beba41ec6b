/**
 * The on-demand Cloud SQL backup through the Cloud SQL Admin API (src/gcp/sql-backup-runs.ts)
 * against a loopback Cloud SQL that answers as the real one does (google-sql-routes.ts): a
 * backup waited on until DONE and named by its operation, a failed operation, an operation that
 * names no backup (the list fallback), the bounded wait, and the stand-in's own strictness.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { googleApiFor } from '../src/gcp/client.js';
import { GoogleApiError, type GoogleApi } from '../src/gcp/google-api.js';
import {
  backupIdOf,
  backupRunStatus,
  describeBackupFind,
  describeBackupInsert,
  insertBackupRun,
  SqlOperationError,
  SqlOperationTimeout,
  waitForSqlOperation
} from '../src/gcp/sql-backup-runs.js';
import { GoogleServer } from './support/google-server.js';
import {
  serveSqlBackups,
  type BackupTrouble,
  type StandinBackupRun
} from './support/google-sql-routes.js';

const PROJECT = 'acme-flyte-dev';
const INSTANCE = 'flyte-pg-0a1b';
const DESCRIPTION = 'flyte-gke-action: before flyte-backend moves to flyte-binary v1.16.9';

let google: GoogleServer;
let api: GoogleApi;
let runs: StandinBackupRun[];
let trouble: BackupTrouble | undefined;
let runningAsks: number;
let withoutBackupId: boolean;
let slept: number[];
const sleep = async (ms: number) => void slept.push(ms);

beforeAll(async () => {
  google = await new GoogleServer().start();
  serveSqlBackups(google, {
    instanceExists: (project, instance) => project === PROJECT && instance === INSTANCE,
    runs: () => runs,
    add: (_project, run) => void runs.push(run),
    trouble: () => trouble,
    runningAsks: () => runningAsks,
    withoutBackupId: () => withoutBackupId
  });
  const { file, env } = google.credentials();
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());
beforeEach(() => {
  runs = [];
  trouble = undefined;
  runningAsks = 0;
  withoutBackupId = false;
  slept = [];
  google.calls.length = 0;
  google.reset();
});

const sqlCalls = () =>
  google.calls.filter((c) => c.service === 'sqladmin').map((c) => `${c.method} ${c.path}`);

async function backUp() {
  const started = await insertBackupRun(api, PROJECT, INSTANCE, DESCRIPTION);
  return waitForSqlOperation(api, PROJECT, started, { sleep, pollMs: 10_000, waitMs: 60_000 });
}

describe('an on-demand backup through backupRuns.insert and operations.get', () => {
  it('starts the backup, asks after its operation until DONE, and names it by backupContext', async () => {
    runningAsks = 2;
    const done = await backUp();
    expect(done.status).toBe('DONE');
    const calls = sqlCalls();
    expect(calls[0]).toBe(`POST /v1/projects/${PROJECT}/instances/${INSTANCE}/backupRuns`);
    expect(calls.slice(1)).toEqual(
      Array(3).fill(`GET /v1/projects/${PROJECT}/operations/${done.name}`)
    );
    expect(google.calls[0]?.body).toEqual({ description: DESCRIPTION });
    // At once after the insert, then one poll interval apart.
    expect(slept).toEqual([10_000, 10_000]);
    const id = await backupIdOf(api, PROJECT, INSTANCE, DESCRIPTION, done);
    expect(id).toBe(runs[0]?.id);
    expect(sqlCalls()).toHaveLength(4);
    await expect(backupRunStatus(api, PROJECT, INSTANCE, id!)).resolves.toBe('SUCCESSFUL');
    expect(sqlCalls()[4]).toBe(
      `GET /v1/projects/${PROJECT}/instances/${INSTANCE}/backupRuns/${id}`
    );
  });

  it('fails with Cloud SQL’s codes and messages when the DONE operation has an error', async () => {
    trouble = { code: 'INTERNAL_ERROR', message: 'An internal error occurred.' };
    const failed = backUp();
    await expect(failed).rejects.toBeInstanceOf(SqlOperationError);
    await expect(failed).rejects.toThrow(/failed: INTERNAL_ERROR: An internal error occurred\./);
    expect(runs.map((r) => r.status)).toEqual(['FAILED']);
  });

  it('passes Cloud SQL’s refusal of the insert on (another operation in progress)', async () => {
    trouble = {
      httpStatus: 409,
      message: 'Operation failed because another operation was already in progress.'
    };
    const refused = backUp();
    await expect(refused).rejects.toBeInstanceOf(GoogleApiError);
    await expect(refused).rejects.toThrow(/409.*another operation was already in progress/);
    expect(runs).toEqual([]);
  });

  it('finds the backup in backupRuns.list, newest with the description, when the operation names none', async () => {
    runs.push({
      id: '1',
      instance: INSTANCE,
      description: DESCRIPTION,
      type: 'ON_DEMAND',
      status: 'SUCCESSFUL'
    });
    withoutBackupId = true;
    const done = await backUp();
    expect(done.backupContext).toBeUndefined();
    runs.push({
      id: '99',
      instance: INSTANCE,
      description: '',
      type: 'AUTOMATED',
      status: 'SUCCESSFUL'
    });
    const id = await backupIdOf(api, PROJECT, INSTANCE, DESCRIPTION, done);
    expect(id).toBe(runs[1]?.id);
    expect(id).not.toBe('1');
    expect(sqlCalls().at(-1)).toBe(`GET /v1/projects/${PROJECT}/instances/${INSTANCE}/backupRuns`);
    await expect(
      backupIdOf(api, PROJECT, INSTANCE, 'another description', done)
    ).resolves.toBeUndefined();
  });

  it('stops waiting after waitMs, naming the operation still RUNNING', async () => {
    runningAsks = 1000;
    const waiting = backUp();
    await expect(waiting).rejects.toBeInstanceOf(SqlOperationTimeout);
    await expect(waiting).rejects.toThrow(/is still RUNNING after 1 min/);
    // Asked at once, then every 10 s for 60 s: 7 asks, 6 sleeps, then no more.
    expect(slept).toEqual(Array(6).fill(10_000));
  });
});

describe('the stand-in Cloud SQL is as strict as the real one', () => {
  it('refuses a body with a field BackupRun has not, in Google’s shape', async () => {
    await expect(
      api.request({
        service: 'sqladmin',
        method: 'POST',
        path: `/v1/projects/${PROJECT}/instances/${INSTANCE}/backupRuns`,
        body: { description: 'x', wait: true }
      })
    ).rejects.toThrow(/answered 400 INVALID_ARGUMENT: .*Unknown name "wait"/);
    expect(runs).toEqual([]);
  });

  it('answers 404 for an unknown instance and an unknown operation', async () => {
    await expect(insertBackupRun(api, PROJECT, 'other-pg', DESCRIPTION)).rejects.toThrow(
      /404.*\(instanceDoesNotExist\): The Cloud SQL instance does not exist\./
    );
    await expect(
      waitForSqlOperation(api, PROJECT, { name: 'nope', status: 'PENDING' }, { sleep })
    ).rejects.toThrow(/404.*operationDoesNotExist/);
  });
});

it('describes the calls and their permissions for a dry run', () => {
  const text = [
    ...describeBackupInsert(PROJECT, '<cloudsql_instance>', DESCRIPTION),
    ...describeBackupFind(PROJECT, '<cloudsql_instance>')
  ].join('\n');
  expect(text).toContain(
    `POST https://sqladmin.googleapis.com/v1/projects/${PROJECT}/instances/<cloudsql_instance>/backupRuns {"description":"${DESCRIPTION}"} (backupRuns.insert, cloudsql.backupRuns.create)`
  );
  expect(text).toMatch(/operations\/<operation> every 10 s until it is DONE \(at most 30 min/);
  expect(text).toContain('cloudsql.backupRuns.list');
  expect(text).toContain('backupRuns/<id> (backupRuns.get, cloudsql.backupRuns.get)');
});
