/**
 * No data lost on upgrade or destroy, through the bundled action (dist/main, then dist/post) on the
 * stand-ins, whose gcloud models Cloud SQL's on-demand backups (test/support/standins/cloud-sql.mjs):
 * a chart bump takes a backup and waits for it before `helm upgrade` (by the engine's own event
 * order), an unchanged deploy and a first install take none, a declined backup is announced, a
 * failed backup stops the upgrade and the destroy, and destroy takes its final backup before
 * anything is removed. Needs a fresh `npm run build` after changes to src/.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
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
const sqlCalls = (result: StepResult) =>
  result.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'sql').map(line);
const flyteUpgrades = (result: StepResult) =>
  result.calls.filter(
    (c) => c.tool === 'helm' && c.args[0] === 'upgrade' && c.args[2] === 'flyte-backend'
  );

function harnessFor(): {
  get: () => Harness;
  job: (i: Record<string, string>) => Promise<StepResult>;
} {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'push', oidc: true });
    harness.setWorld((w) => {
      w.terraform = { password: 'pg-backup-canary-Zx8cV' };
    });
  });
  afterAll(async () => harness.close());
  return {
    get: () => harness,
    job: async (inputs) => {
      const result = await harness.run(inputs);
      await harness.runPost();
      return result;
    }
  };
}

describe('a backup before a chart version change, and only then', () => {
  const { get, job } = harnessFor();

  it('a first install takes no backup (there is no data), and says so', async () => {
    const result = await job(BASE);
    expect(result.errors).toEqual([]);
    expect(flyteUpgrades(result)).toHaveLength(1);
    expect(sqlCalls(result)).toEqual([]);
    expect(result.stdout).toContain('a first install has no data to back up');
  });

  it('an unchanged deploy takes none, and says why', async () => {
    const result = await job(BASE);
    expect(result.errors).toEqual([]);
    expect(sqlCalls(result)).toEqual([]);
    expect(result.calls.filter(isChangingCall)).toEqual([]);
    expect(result.stdout).toContain('no migrations run, so no backup is taken');
  });

  it('a chart bump backs up, waits, names the backup, then upgrades', async () => {
    const result = await job({ ...BASE, 'chart-version': 'v1.16.9' });
    expect(result.errors).toEqual([]);
    const description = 'flyte-gke-action: before flyte-backend moves to flyte-binary v1.16.9';
    expect(sqlCalls(result)).toEqual([
      `gcloud sql backups create --instance=${INSTANCE} --project=acme-flyte-bk --description=${description}`,
      `gcloud sql backups list --instance=${INSTANCE} --project=acme-flyte-bk --filter=type=ON_DEMAND AND description="${description}" --limit=1 --format=json`
    ]);
    // By the engine's record: the backup command ended, and its ID was read, before helm upgrade.
    const { events } = result;
    const upgradeStart = seqOf(events, 'step-start', { step: 'helm-upgrade' });
    expect(seqOf(events, 'exec-end', { step: 'sql-backup-create' })).toBeLessThan(upgradeStart);
    expect(seqOf(events, 'step-end', { step: 'sql-backup-find', status: 'ran' })).toBeLessThan(
      upgradeStart
    );
    // The first change of the run is the backup: by the commands that ran, since the steps
    // before it that may change something (a dead run's lock, a pending release) only read here.
    expect(result.calls.filter(isChangingCall).map(line)[0]).toBe(
      `gcloud sql backups create --instance=${INSTANCE} --project=acme-flyte-bk --description=${description}`
    );
    const backups = get().world().gcloud.sqlBackups;
    expect(backups).toEqual([expect.objectContaining({ instance: INSTANCE, description })]);
    const restore = `gcloud sql backups restore ${backups[0].id} --restore-instance=${INSTANCE} --project=acme-flyte-bk`;
    expect(result.summary).toContain(restore);
    expect(result.stdout).toContain(`backup ${backups[0].id}`);
    expect(get().world().helm.releases['flyte/flyte-backend'].version).toBe('v1.16.9');
  });

  it('a failed backup stops before helm upgrade, with the reason', async () => {
    get().setWorld((w) => {
      w.gcloud.sqlBackupError =
        'ERROR: (gcloud.sql.backups.create) HTTPError 409: Operation failed because another operation was already in progress.\n';
    });
    const result = await job({ ...BASE, 'chart-version': 'v1.16.10' });
    get().setWorld((w) => {
      delete w.gcloud.sqlBackupError;
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(
      `Could not back up the Cloud SQL instance ${INSTANCE}`
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
    expect(sqlCalls(result)).toEqual([]);
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
    const changes = result.calls.filter(isChangingCall).map(line);
    expect(changes[0]).toBe(
      `gcloud sql backups create --instance=${INSTANCE} --project=acme-flyte-bk --description=${description}`
    );
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
    expect(sqlCalls(result)).toEqual([]);
    expect(result.stdout).toContain('there is no database to back up');
  });
});

describe('destroy stops when its final backup fails; final-backup: false is announced', () => {
  const { get, job } = harnessFor();

  it('a failed final backup removes nothing', async () => {
    expect((await job(BASE)).errors).toEqual([]);
    get().setWorld((w) => {
      w.gcloud.sqlBackupError = 'ERROR: (gcloud.sql.backups.create) HTTPError 403: Forbidden.\n';
    });
    const result = await job(DESTROY);
    get().setWorld((w) => {
      delete w.gcloud.sqlBackupError;
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain('cloudsql.backupRuns.create');
    expect(result.calls.filter(isChangingCall).map(line)).toEqual([
      expect.stringMatching(/^gcloud sql backups create /)
    ]);
    expect(get().world().helm.releases['flyte/flyte-backend']).toBeDefined();
    expect(get().world().terraform.applied).toBeDefined();
  });

  it('final-backup: false destroys without one, announced', async () => {
    const result = await job({ ...DESTROY, 'final-backup': 'false' });
    expect(result.errors).toEqual([]);
    expect(sqlCalls(result)).toEqual([]);
    const warning = result.warnings.find((w) => w.startsWith('final-backup is false'));
    expect(warning).toBeDefined();
    expect(result.summary).toContain(`> [!WARNING]\n> ${warning}`);
    expect(get().world().terraform.applied).toBeUndefined();
  });

  it('the stand-in gcloud refuses unknown flags and a missing instance, as gcloud does', () => {
    const gcloud = (...args: string[]) => {
      try {
        execFileSync(path.join(get().bin, 'gcloud'), args, {
          env: { ...process.env, FLYTE_STANDIN_DIR: get().standinDir },
          stdio: 'pipe'
        });
        return 'ok';
      } catch (error) {
        return String((error as { stderr: Buffer }).stderr);
      }
    };
    expect(
      gcloud(
        'sql',
        'backups',
        'create',
        `--instance=${INSTANCE}`,
        '--project=acme-flyte-bk',
        '--wait'
      )
    ).toContain('unrecognized arguments: --wait');
    expect(gcloud('sql', 'backups', 'create', '--project=acme-flyte-bk')).toContain(
      'argument --instance/-i: Must be specified.'
    );
    // Destroyed above: the instance is gone.
    expect(
      gcloud('sql', 'backups', 'create', `--instance=${INSTANCE}`, '--project=acme-flyte-bk')
    ).toContain('The Cloud SQL instance does not exist.');
  });
});
