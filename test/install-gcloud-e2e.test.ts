/**
 * kubectl off gcloud's path through the bundled action, from the engine's record and the tool
 * mirror's requests: kubectl is installed by the action itself (the harness's PATH has none), a
 * pull request plan with install-gcloud false reads the deployed release with kubectl and never
 * downloads gcloud, an unchanged deploy with install-gcloud false runs no gcloud command at all
 * (the state lock check calls Cloud Storage's JSON API itself) so it never downloads gcloud, and
 * neither does a deploy that changes the chart: its Cloud SQL backup before the upgrade goes
 * through the Cloud SQL Admin API, so no step of it needs gcloud.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jobInputs, runJob, startToolMirror, withStateBucket } from './support/e2e-jobs.js';
import { Harness, type StepResult } from './support/harness.js';
import type { Mirror } from './support/mirror.js';

const GCLOUD_ARCHIVE = 'google-cloud-cli-';
const KUBECTL_BINARY = '/dl.k8s.io/release/v1.36.1/bin/';

describe('install-gcloud through the bundled action', () => {
  let mirror: Mirror;
  let base: Record<string, string>;
  let deployed: Record<string, unknown>;
  const harnesses: Harness[] = [];

  /** One job in a fresh harness (empty tool cache), and the gcloud downloads it made. */
  async function job(inputs: Record<string, string>, world?: Record<string, unknown>) {
    const harness = await Harness.create({ event: 'push', oidc: true });
    harnesses.push(harness);
    if (world) harness.setWorld((w) => Object.assign(w, structuredClone(world)));
    else withStateBucket(harness);
    const before = mirror.requestsFor(GCLOUD_ARCHIVE).length;
    const kubectlBefore = mirror.requestsFor(KUBECTL_BINARY).length;
    const { main } = await runJob(harness, { ...base, 'comment-on-pr': 'false', ...inputs });
    return {
      harness,
      main,
      gcloudDownloads: mirror.requestsFor(GCLOUD_ARCHIVE).length - before,
      kubectlDownloads: mirror.requestsFor(KUBECTL_BINARY).length - kubectlBefore
    };
  }
  const gcloudEvents = (main: StepResult) =>
    main.events.filter((e) => 'name' in e && e.name === 'gcloud');

  beforeAll(async () => {
    mirror = await startToolMirror();
    base = jobInputs(mirror);
    const first = await job({ command: 'deploy' });
    expect(first.main.errors).toEqual([]);
    deployed = first.harness.world();
  });
  afterAll(async () => {
    await Promise.all([...harnesses.map((h) => h.close()), mirror.close()]);
  });

  it('false: a plan reads the release with the kubectl it installed and downloads no gcloud', async () => {
    const plan = await job({ command: 'plan', 'install-gcloud': 'false' }, deployed);
    expect(plan.main.errors).toEqual([]);
    expect(plan.main.calls.filter((c) => c.tool === 'kubectl').length).toBeGreaterThan(0);
    expect(plan.main.calls.filter((c) => c.tool === 'gcloud')).toEqual([]);
    expect(gcloudEvents(plan.main)).toEqual([]);
    expect(plan.gcloudDownloads).toBe(0);
    // The harness's PATH has no kubectl: the one that ran came from the install.
    expect(plan.kubectlDownloads).toBe(1);
  });

  it('false: an unchanged deploy runs no gcloud command, the state lock check included, and downloads none', async () => {
    const deploy = await job({ command: 'deploy', 'install-gcloud': 'false' }, deployed);
    expect(deploy.main.errors).toEqual([]);
    expect(deploy.main.calls.filter((c) => c.tool === 'gcloud')).toEqual([]);
    expect(gcloudEvents(deploy.main)).toEqual([]);
    expect(deploy.gcloudDownloads).toBe(0);
    // The lock check ran, through the Storage JSON API.
    expect(
      deploy.harness.google.calls.filter(
        (c) => c.service === 'storage' && c.path.endsWith('%2Fdefault.tflock')
      )
    ).not.toEqual([]);
  });

  it('false: a chart change (which takes a Cloud SQL backup) starts no gcloud and downloads none', async () => {
    const deploy = await job(
      { command: 'deploy', 'install-gcloud': 'false', 'chart-version': 'v1.16.9' },
      deployed
    );
    expect(deploy.main.errors).toEqual([]);
    expect(deploy.main.calls.filter((c) => c.tool === 'gcloud')).toEqual([]);
    expect(gcloudEvents(deploy.main)).toEqual([]);
    expect(deploy.gcloudDownloads).toBe(0);
    // The backup was taken, through the Cloud SQL Admin API, before the upgrade.
    expect(
      deploy.harness.google.calls.filter(
        (c) => c.service === 'sqladmin' && c.method === 'POST' && c.path.endsWith('/backupRuns')
      )
    ).toHaveLength(1);
    expect(deploy.harness.world().helm.releases['flyte/flyte-backend'].version).toBe('v1.16.9');
  });

  it('true (the default): the tools phase starts gcloud, even for a plan', async () => {
    const plan = await job({ command: 'plan' }, deployed);
    expect(plan.main.errors).toEqual([]);
    expect(gcloudEvents(plan.main).map((e) => e.kind)).toContain('background-start');
    expect(plan.gcloudDownloads).toBe(1);
  });
});
