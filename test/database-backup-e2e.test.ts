/**
 * No data lost on upgrade or destroy, through the bundled action (dist/main, then dist/post) on the
 * stand-ins, whose loopback Cloud SQL Admin API serves the on-demand backups
 * (test/support/google-sql-routes.ts over world.gcloud.sqlBackups; no gcloud):
 * a chart bump takes a backup and waits for it before `helm upgrade` (by the engine's own event
 * order), an unchanged deploy and a first install take none, a declined backup is announced, a
 * failed backup stops the upgrade and the destroy, and destroy takes its final backup before
 * anything is removed. Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WIF } from './support/e2e-jobs.js';
import { eventsOf, seqOf } from './support/engine-order.js';
import { isChangingCall } from './support/changing.js';
import { Harness, type StepResult, type ToolCall } from './support/harness.js';

const BASE = {
  command: 'deploy',
  'project-id': 'acme-flyte-bk',
  'cluster-name': 'flyte-bk',
  'workload-identity-provider': WIF,
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};
const DESTROY = { ...BASE, command: 'destroy', 'confirm-destroy': 'flyte-bk' };
const INSTANCE = 'flyte-bk-pg-0a1b';
const line = (c: ToolCall) => `${c.tool} ${c.args.join(' ')}`;
const gcloudSqlCalls = (result: StepResult) =>
  result.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'sql').map(line);
/** The Cloud SQL Admin calls since `from` (an index into the loopback Google's calls). */
const sqlAdminCalls = (harness: Harness, from: number) =>
  harness.google.calls
    .slice(from)
    .filter((c) => c.service === 'sqladmin')
    .map((c) => `${c.method} ${c.path}`);
/** A command that changes something, as the engine records its start. */
const CHANGING =
  /^(helm (upgrade|install|uninstall|delete|rollback)|kubectl (apply|create|delete|patch|annotate|label)|terraform (apply|force-unlock))\b/;
const flyteUpgrades = (result: StepResult) =>
  result.calls.filter(
    (c) => c.tool === 'helm' && c.args[0] === 'upgrade' && c.args[2] === 'flyte-backend'
  );

function harnessFor(): {
  get: () => Harness;
  job: (i: Record<string, string>) => Promise<StepResult>;
  /** The Cloud SQL Admin calls of the last job. */
  sql: () => string[];
} {
  let harness: Harness;
  let from = 0;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    harness.setWorld((w) => {
      w.terraform = { password: 'pg-backup-canary-Zx8cV' };
    });
  });
  afterAll(async () => harness.close());
  return {
    get: () => harness,
    sql: () => sqlAdminCalls(harness, from),
    job: async (inputs) => {
      from = harness.google.calls.length;
      const result = await harness.run(inputs);
      await harness.runPost();
      return result;
    }
  };
}

describe('a backup before a chart version change, and only then', () => {
  const { get, job, sql } = harnessFor();

  it('a first install takes no backup (there is no data), and says so', async () => {
    const result = await job(BASE);
    expect(result.errors).toEqual([]);
    expect(flyteUpgrades(result)).toHaveLength(1);
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()).toEqual([]);
    expect(result.stdout).toContain('a first install has no data to back up');
  });

  it('an unchanged deploy takes none, and says why', async () => {
    const result = await job(BASE);
    expect(result.errors).toEqual([]);
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()).toEqual([]);
    expect(result.calls.filter(isChangingCall)).toEqual([]);
    expect(result.stdout).toContain('no migrations run, so no backup is taken');
  });

  it('a chart bump backs up, waits, names the backup, then upgrades', async () => {
    const result = await job({ ...BASE, 'chart-version': 'v1.16.9' });
    expect(result.errors).toEqual([]);
    const description = 'flyte-gke-action: before flyte-backend moves to flyte-binary v1.16.9';
    // Through the Cloud SQL Admin API: the backup, its operation until DONE, the run's status.
    expect(gcloudSqlCalls(result)).toEqual([]);
    const backups = get().world().gcloud.sqlBackups;
    const runs = `/v1/projects/acme-flyte-bk/instances/${INSTANCE}/backupRuns`;
    expect(sql()).toEqual([
      `POST ${runs}`,
      expect.stringMatching(/^GET \/v1\/projects\/acme-flyte-bk\/operations\/[\w-]+$/),
      `GET ${runs}/${backups[0].id}`
    ]);
    // By the engine's record: the backup ended, and its ID was read, before helm upgrade.
    const { events } = result;
    const upgradeStart = seqOf(events, 'step-start', { step: 'helm-upgrade' });
    const backupEnd = seqOf(events, 'step-end', { step: 'sql-backup-find', status: 'ran' });
    expect(seqOf(events, 'step-end', { step: 'sql-backup-create', status: 'ran' })).toBeLessThan(
      backupEnd
    );
    expect(backupEnd).toBeLessThan(upgradeStart);
    // The first change of the run is the backup: every changing command starts after it (the
    // steps before it that may change something, a dead run's lock or a pending release, only
    // read here).
    const changing = eventsOf(events, 'exec-start').filter((e) => CHANGING.test(e.call));
    expect(changing.length).toBeGreaterThan(0);
    for (const start of changing) expect(start.seq).toBeGreaterThan(backupEnd);
    expect(backups).toEqual([expect.objectContaining({ instance: INSTANCE, description })]);
    const restore = `gcloud sql backups restore ${backups[0].id} --restore-instance=${INSTANCE} --project=acme-flyte-bk`;
    expect(result.summary).toContain(restore);
    expect(result.stdout).toContain(`backup ${backups[0].id}`);
    expect(get().world().helm.releases['flyte/flyte-backend'].version).toBe('v1.16.9');
  });

  it('a failed backup stops before helm upgrade, with the reason', async () => {
    get().setWorld((w) => {
      w.gcloud.sqlBackupError = {
        httpStatus: 409,
        message: 'Operation failed because another operation was already in progress.'
      };
    });
    const result = await job({ ...BASE, 'chart-version': 'v1.16.10' });
    get().setWorld((w) => {
      delete w.gcloud.sqlBackupError;
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(
      `Could not back up the Cloud SQL instance ${INSTANCE}`
    );
    expect(result.errors.join('\n')).toContain('another operation was already in progress');
    expect(flyteUpgrades(result)).toEqual([]);
    expect(get().world().helm.releases['flyte/flyte-backend'].version).toBe('v1.16.9');
  });

  it('a backup whose operation fails stops before helm upgrade, with Cloud SQL’s code', async () => {
    get().setWorld((w) => {
      w.gcloud.sqlBackupError = { code: 'INTERNAL_ERROR', message: 'An internal error occurred.' };
    });
    const result = await job({ ...BASE, 'chart-version': 'v1.16.10' });
    get().setWorld((w) => {
      delete w.gcloud.sqlBackupError;
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(
      new RegExp(
        `Could not back up the Cloud SQL instance ${INSTANCE}.*INTERNAL_ERROR: An internal error occurred`
      )
    );
    expect(flyteUpgrades(result)).toEqual([]);
    expect(get().world().helm.releases['flyte/flyte-backend'].version).toBe('v1.16.9');
  });

  it('backup-before-upgrade: false upgrades without one, announced in log and summary', async () => {
    const result = await job({
      ...BASE,
      'chart-version': 'v1.16.10',
      'backup-before-upgrade': 'false'
    });
    expect(result.errors).toEqual([]);
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()).toEqual([]);
    expect(flyteUpgrades(result)).toHaveLength(1);
    const warning = result.warnings.find((w) => w.startsWith('backup-before-upgrade is false'));
    expect(warning).toMatch(/migrations run with no backup taken first/);
    expect(result.summary).toContain(`> [!WARNING]\n> ${warning}`);
    expect(result.stdout).toContain('the chart changes with no backup taken first');
  });

  it('destroy takes its final backup before anything is removed, and says where it is', async () => {
    const result = await job(DESTROY);
    expect(result.errors).toEqual([]);
    const description = 'flyte-gke-action: final backup before destroy of flyte-bk';
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()[0]).toBe(`POST /v1/projects/acme-flyte-bk/instances/${INSTANCE}/backupRuns`);
    const { events } = result;
    const backupEnd = seqOf(events, 'step-end', { step: 'sql-final-backup-find', status: 'ran' });
    for (const start of eventsOf(events, 'step-start').filter((e) => e.mutates)) {
      if (start.step !== 'sql-final-backup-create') expect(start.seq).toBeGreaterThan(backupEnd);
    }
    const backup = get()
      .world()
      .gcloud.sqlBackups.find((b: { description: string }) => b.description === description);
    expect(result.summary).toContain(`Final backup ${backup.id} of Cloud SQL instance ${INSTANCE}`);
    expect(result.summary).toContain('gcloud sql backups restore BACKUP_NAME --restore-instance=');
    expect(get().world().terraform.applied).toBeUndefined();
  });

  it('a second destroy finds nothing to back up and says so', async () => {
    const result = await job(DESTROY);
    expect(result.errors).toEqual([]);
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()).toEqual([]);
    expect(result.stdout).toContain('there is no database to back up');
  });
});

describe('destroy stops when its final backup fails; final-backup: false is announced', () => {
  const { get, job, sql } = harnessFor();

  it('a failed final backup removes nothing', async () => {
    expect((await job(BASE)).errors).toEqual([]);
    get().setWorld((w) => {
      w.gcloud.sqlBackupError = {
        httpStatus: 403,
        message: 'The client is not authorized to make this request.'
      };
    });
    const result = await job(DESTROY);
    get().setWorld((w) => {
      delete w.gcloud.sqlBackupError;
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain('cloudsql.backupRuns.create');
    expect(result.calls.filter(isChangingCall).map(line)).toEqual([]);
    expect(sql()).toEqual([`POST /v1/projects/acme-flyte-bk/instances/${INSTANCE}/backupRuns`]);
    expect(get().world().helm.releases['flyte/flyte-backend']).toBeDefined();
    expect(get().world().terraform.applied).toBeDefined();
  });

  it('final-backup: false destroys without one, announced', async () => {
    const result = await job({ ...DESTROY, 'final-backup': 'false' });
    expect(result.errors).toEqual([]);
    expect(gcloudSqlCalls(result)).toEqual([]);
    expect(sql()).toEqual([]);
    const warning = result.warnings.find((w) => w.startsWith('final-backup is false'));
    expect(warning).toBeDefined();
    expect(result.summary).toContain(`> [!WARNING]\n> ${warning}`);
    expect(get().world().terraform.applied).toBeUndefined();
  });
});
