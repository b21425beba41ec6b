import { describe, expect, it } from '@jest/globals';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inputs } from '../src/inputs.js';
import { runPhases } from '../src/engine/runner.js';
import { RunState } from '../src/engine/state.js';
import type { Logger, Phase, TaskContext } from '../src/engine/types.js';
import { helmPhase, iapPhase, ingressPhase, valuesPhase, flyteDrift } from '../src/phases/flyte.js';
import { FakeCluster } from './support/fake-cluster.js';
import { PROJECT_ROOT } from './support/project.js';
import { INDEXED_CHART_VERSIONS, keepCharts } from './support/chart-repo.js';
import { writeTestPins } from './support/test-pins.js';
import {
  CANARY_OAUTH_SECRET,
  CANARY_PASSWORD,
  flyteInputs,
  IAP_INPUTS,
  tfOutputs
} from './support/flyte-fixtures.js';

interface RunOptions {
  helmVersion?: string;
  /** Where the action's own helm/ folder is (default: this checkout). */
  actionRoot?: string;
  outputs?: Parameters<typeof tfOutputs>[0];
}

/** Runs phases like the action does, with the fake cluster at the process boundary. */
async function run(
  inputs: Inputs,
  cluster: FakeCluster,
  phases: Phase[],
  options: RunOptions = {}
) {
  const state = new RunState(false);
  state.tfOutputs = tfOutputs(options.outputs);
  if (options.actionRoot) state.actionRoot = options.actionRoot;
  if (options.helmVersion)
    state.tools.helm = { version: options.helmVersion, source: 'cache', path: '/x' };
  const logs: string[] = [];
  const secrets = new Set<string>();
  let now = 0;
  // Records raw lines (no masking), so a secret that reaches the logger at all is caught.
  const log: Logger = {
    info: (m) => logs.push(m),
    warning: (m) => logs.push(`WARNING ${m}`),
    notice: (m) => logs.push(m),
    debug: (m) => logs.push(m),
    group: async (name, fn) => {
      logs.push(`## ${name}`);
      return fn();
    },
    setSecret: (v) => secrets.add(v)
  };
  const cleanup: string[] = [];
  state.toolCacheDir = TOOL_CACHE;
  const ctx: TaskContext = {
    inputs,
    state,
    exec: cluster.exec,
    google: () => cluster.google,
    log,
    clock: { now: () => now, sleep: async (ms) => void (now += ms) },
    env: {
      RUNNER_TEMP: mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')),
      RUNNER_TOOL_CACHE: TOOL_CACHE,
      FLYTE_GKE_TEST_PINS: PINS_FILE
    },
    exportVariable: () => undefined,
    addPath: () => undefined,
    registerCleanup: (f) => cleanup.push(f)
  };
  const reports = await runPhases(phases, { ctx, secrets: () => [...secrets] });
  const status = (id: string) =>
    reports.flatMap((r) => r.steps).find((s) => s.id === id)?.status ?? 'absent';
  return { state, logs, cleanup, status, elapsedMs: () => now, secrets };
}

/** A runner that fetched the charts before: the install takes them from its tool cache. */
const TOOL_CACHE = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
keepCharts(TOOL_CACHE, INDEXED_CHART_VERSIONS);
// The kept charts' digests, pinned as the action's source pins real releases: no index is read.
const PINS_FILE = path.join(TOOL_CACHE, 'test-pins.json');
writeTestPins(PINS_FILE);

const deployPhases = (inputs: Inputs) => [
  valuesPhase(inputs),
  helmPhase(inputs, 'install'),
  ...(inputs.ingress ? [ingressPhase(inputs)] : []),
  ...(inputs.iap ? [iapPhase(inputs)] : [])
];
/** The backend service GKE creates for flyte-binary's HTTP Service (a shortened name). */
const flyteBackendService = () => ({
  name: 'k8s1-1234abcd-flyte-flyte-backend-flyte-binar-8088-5678',
  description:
    '{"kubernetes.io/service-name":"flyte/flyte-backend-flyte-binary-http","kubernetes.io/service-port":"8443"}'
});
const flyteUpgrades = (cluster: FakeCluster) =>
  cluster.callsOf('helm', 'upgrade').filter((c) => c.args[3]?.includes('/flyte-binary-'));
const gkeUpgrades = (cluster: FakeCluster) =>
  cluster.callsOf('helm', 'upgrade').filter((c) => c.args[2] === 'flyte-backend-gke');

describe('phase step lists (pure)', () => {
  it('install without ingress: read, compare, upgrade, report, remove a leftover flyte-gke', () => {
    const ids = helmPhase(flyteInputs(), 'install')
      .steps(new RunState())
      .map((s) => s.id);
    expect(ids).toEqual([
      'helm-recover',
      'gke-recover',
      'helm-read-release',
      'helm-read-values',
      'gke-read-release',
      'helm-compare',
      'chart-fetch',
      // Without Terraform outputs, the step that stops when a chart change needs a backup.
      'sql-backup-create',
      'helm-upgrade',
      'helm-read-deployed',
      'release-record',
      'flyte-report',
      'gke-uninstall'
    ]);
  });

  it('install with IAP: the OAuth Secret and the flyte-gke chart come before flyte-binary', () => {
    const ids = helmPhase(flyteInputs({ ...IAP_INPUTS }), 'install')
      .steps(new RunState())
      .map((s) => s.id);
    expect(ids.indexOf('iap-oauth-secret')).toBeLessThan(ids.indexOf('gke-upgrade'));
    expect(ids.indexOf('gke-upgrade')).toBeLessThan(ids.indexOf('helm-upgrade'));
  });

  it('the upgrade step has the pinned chart, namespace, wait, atomic and timeout', () => {
    const step = helmPhase(flyteInputs({ timeout: '20m' }), 'install')
      .steps(new RunState())
      .find((s) => s.id === 'helm-upgrade');
    expect(step?.kind === 'exec' && step.args).toEqual([
      'upgrade',
      '--install',
      'flyte-backend',
      // The archive chart-fetch keeps in the tool cache: no repository, no index refresh.
      '$RUNNER_TOOL_CACHE/flyte-gke-charts/flyte-binary/v1.16.8/flyte-binary-v1.16.8.tgz',
      '--namespace',
      'flyte',
      '--create-namespace',
      '--values',
      '<patched-values-file>',
      '--wait',
      '--atomic',
      '--timeout',
      '1200s'
    ]);
  });

  it('no step puts the OAuth secret in argv; it only travels on stdin', () => {
    const inputs = flyteInputs({ ...IAP_INPUTS });
    const steps = [
      ...helmPhase(inputs, 'install').steps(new RunState()),
      ...iapPhase(inputs).steps(new RunState())
    ];
    for (const step of steps) {
      if (step.kind !== 'exec') continue;
      expect(step.args.join(' ')).not.toContain(CANARY_OAUTH_SECRET);
    }
    const secretStep = steps.find((s) => s.id === 'iap-oauth-secret');
    expect(secretStep?.kind === 'exec' && secretStep.stdin).toContain(CANARY_OAUTH_SECRET);
  });

  it('uninstall removes both releases and the OAuth Secret', () => {
    const ids = helmPhase(flyteInputs(), 'uninstall')
      .steps(new RunState())
      .map((s) => s.id);
    expect(ids).toEqual([
      'helm-uninstall',
      'gke-uninstall',
      'iap-oauth-secret-delete',
      'neg-wait',
      'flyte-uninstall-notes'
    ]);
  });
});

describe('deploy through a fake cluster', () => {
  it('first deploy installs flyte-binary with the patched values file', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs();
    const { state, cleanup, status } = await run(inputs, cluster, deployPhases(inputs));
    expect(flyteUpgrades(cluster)).toHaveLength(1);
    expect(status('helm-upgrade')).toBe('ran');
    expect(state.helmChanged).toBe(true);
    const file = state.patchedValuesFile as string;
    expect(flyteUpgrades(cluster)[0]?.args).toContain(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(cleanup).toContain(path.dirname(file));
    expect(state.deployedRelease).toMatchObject({ chartVersion: 'v1.16.8', appVersion: '1.16.0' });
    expect(state.consoleUrl).toBe('http://localhost:8088/console');
    expect(state.notes.join('\n')).toContain(
      'kubectl port-forward --namespace flyte svc/flyte-backend-flyte-binary-http 8088:8088'
    );
    expect(state.notes.join('\n')).toContain(
      'flytectl config init --host localhost:8089 --insecure'
    );
    expect(state.notes.join('\n')).toContain('Flyte 1.16.0');
    expect(existsSync(file)).toBe(true);
  });

  it('an unchanged re-deploy skips helm upgrade and says so', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs();
    await run(inputs, cluster, deployPhases(inputs));
    const second = await run(inputs, cluster, deployPhases(inputs));
    expect(flyteUpgrades(cluster)).toHaveLength(1);
    expect(second.status('helm-upgrade')).toBe('skipped');
    expect(second.state.helmChanged).toBe(false);
    expect(second.logs.join('\n')).toContain('already deployed; skipping helm upgrade');
    expect(second.state.notes.join('\n')).toMatch(/unchanged .*helm upgrade was skipped/);
  });

  it('a changed proxy configuration upgrades flyte-binary, whose pod annotation changes', async () => {
    // An action release whose flyte-gke chart renders another nginx.conf; nothing else differs.
    const root = mkdtempSync(path.join(os.tmpdir(), 'action-root-'));
    cpSync(path.join(PROJECT_ROOT, 'helm'), path.join(root, 'helm'), { recursive: true });
    const template = path.join(root, 'helm/flyte-gke/templates/proxy-configmap.yaml');
    writeFileSync(
      template,
      readFileSync(template, 'utf8').replace('keepalive_timeout 620s;', 'keepalive_timeout 650s;')
    );
    const cluster = new FakeCluster();
    const inputs = flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' });
    const annotation = () =>
      (cluster.releases.get('flyte-backend')?.values as any).deployment.podAnnotations[
        'flyte-gke-action/proxy-config'
      ] as string;
    await run(inputs, cluster, deployPhases(inputs));
    const before = annotation();
    const same = await run(inputs, cluster, deployPhases(inputs));
    expect(same.status('helm-upgrade')).toBe('skipped');
    const changed = await run(inputs, cluster, deployPhases(inputs), { actionRoot: root });
    expect(changed.status('helm-upgrade')).toBe('ran');
    expect(flyteUpgrades(cluster)).toHaveLength(2);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation()).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation()).not.toBe(before);
    rmSync(root, { recursive: true, force: true });
  });

  it('a chart bump or new values upgrade again', async () => {
    const cluster = new FakeCluster();
    await run(flyteInputs(), cluster, deployPhases(flyteInputs()));
    const bumped = flyteInputs({ 'chart-version': 'v1.16.9' });
    const third = await run(bumped, cluster, deployPhases(bumped));
    expect(flyteUpgrades(cluster)).toHaveLength(2);
    expect(flyteUpgrades(cluster)[1]?.args[3]).toBe(
      path.join(TOOL_CACHE, 'flyte-gke-charts/flyte-binary/v1.16.9/flyte-binary-v1.16.9.tgz')
    );
    expect(third.logs.join('\n')).toContain('chart v1.16.8 is deployed, v1.16.9 is wanted');
    await run(bumped, cluster, deployPhases(bumped), { outputs: { cloudsqlIp: '10.59.0.4' } });
    expect(flyteUpgrades(cluster)).toHaveLength(3);
  });

  it('uses --rollback-on-failure with Helm 4', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs();
    await run(inputs, cluster, deployPhases(inputs), { helmVersion: '4.1.4' });
    expect(flyteUpgrades(cluster)[0]?.args).toContain('--rollback-on-failure');
    expect(flyteUpgrades(cluster)[0]?.args).not.toContain('--atomic');
  });

  it('a chart bump backs up the instance before helm upgrade, and names the backup', async () => {
    const cluster = new FakeCluster();
    await run(flyteInputs(), cluster, deployPhases(flyteInputs()));
    expect(cluster.sqlBackups).toEqual([]);
    const bumped = flyteInputs({ 'chart-version': 'v1.16.9' });
    const { state } = await run(bumped, cluster, deployPhases(bumped));
    // Through the Cloud SQL Admin API, no gcloud; both backup calls before the upgrade.
    expect(cluster.callsOf('gcloud')).toEqual([]);
    const sql = cluster.googleCalls.filter((c) => c.service === 'sqladmin');
    expect(sql.map((c) => `${c.method ?? 'GET'} ${c.path}`)).toEqual([
      'POST /v1/projects/acme-flyte/instances/flyte-pg-0a1b/backupRuns',
      'GET /v1/projects/acme-flyte/operations/op-9000',
      'GET /v1/projects/acme-flyte/instances/flyte-pg-0a1b/backupRuns/9000'
    ]);
    expect(sql[0]?.body).toEqual({
      description: 'flyte-gke-action: before flyte-backend moves to flyte-binary v1.16.9'
    });
    const upgrade = cluster.calls.indexOf(flyteUpgrades(cluster)[1]!);
    expect(cluster.sqlCallsAfter).toHaveLength(3);
    for (const after of cluster.sqlCallsAfter) expect(after).toBeLessThanOrEqual(upgrade);
    expect(state.databaseBackup).toEqual({ id: '9000', instance: 'flyte-pg-0a1b' });
    expect(state.notes.join('\n')).toContain(
      'gcloud sql backups restore 9000 --restore-instance=flyte-pg-0a1b --project=acme-flyte'
    );
  });

  it('a chart bump with a module that does not name its instance stops before helm upgrade', async () => {
    const cluster = new FakeCluster();
    await run(flyteInputs(), cluster, deployPhases(flyteInputs()));
    const bumped = flyteInputs({ 'chart-version': 'v1.16.9' });
    await expect(
      run(bumped, cluster, deployPhases(bumped), { outputs: { cloudsqlInstance: undefined } })
    ).rejects.toThrow(/output cloudsql_instance .* is missing.*backup-before-upgrade: false/);
    expect(flyteUpgrades(cluster)).toHaveLength(1);
    // Declined, the same module upgrades (the warning is the run's, see unsafe-announcements).
    const declined = flyteInputs({ 'chart-version': 'v1.16.9', 'backup-before-upgrade': 'false' });
    const done = await run(declined, cluster, deployPhases(declined), {
      outputs: { cloudsqlInstance: undefined }
    });
    expect(done.status('sql-backup-create')).toBe('skipped');
    expect(flyteUpgrades(cluster)).toHaveLength(2);
    expect(cluster.sqlBackups).toEqual([]);
  });

  it('fails with the reason when the cluster cannot be read (not a missing release)', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs();
    cluster.exec.run = async () => ({
      exitCode: 1,
      stdout: '',
      stderr: 'Error: Kubernetes cluster unreachable'
    });
    await expect(run(inputs, cluster, [helmPhase(inputs, 'install')])).rejects.toThrow(
      /cluster unreachable/
    );
  });

  it('ingress with sslip.io: certificate for IP.sslip.io, https console, then nothing on re-deploy', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' });
    const { state } = await run(inputs, cluster, deployPhases(inputs));
    expect(state.domain).toBe('203.0.113.7.sslip.io');
    expect(state.ingressIp).toBe('203.0.113.7');
    expect(state.consoleUrl).toBe('https://203.0.113.7.sslip.io/console');
    expect(state.certificateStatus).toBe('Active');
    expect(gkeUpgrades(cluster)[0]?.args).toContain('ingress.domain=203.0.113.7.sslip.io');
    const order = cluster.callsOf('helm', 'upgrade').map((c) => c.args[2]);
    expect(order).toEqual(['flyte-backend-gke', 'flyte-backend']);
    expect(state.clientConfig).toContain('endpoint: dns:///203.0.113.7.sslip.io');
    await run(inputs, cluster, deployPhases(inputs));
    expect(cluster.callsOf('helm', 'upgrade')).toHaveLength(2);
  });

  it('custom domain: certificate still Provisioning at the bound is a warning, not a failure', async () => {
    const cluster = new FakeCluster();
    cluster.certificateStatus = 'Provisioning';
    const inputs = flyteInputs({
      ingress: 'true',
      'allow-unauthenticated': 'true',
      domain: 'flyte.example.com',
      timeout: '2m'
    });
    const { state, logs, elapsedMs } = await run(inputs, cluster, deployPhases(inputs));
    expect(state.consoleUrl).toBe('https://flyte.example.com/console');
    expect(gkeUpgrades(cluster)[0]?.args).toContain('ingress.domain=flyte.example.com');
    expect(state.certificateStatus).toBe('Provisioning');
    expect(
      logs.some((l) =>
        l.startsWith('WARNING Managed certificate flyte-backend-cert is Provisioning')
      )
    ).toBe(true);
    expect(elapsedMs()).toBe(120_000);
    expect(cluster.callsOf('kubectl', 'get', 'managedcertificate').length).toBeGreaterThan(2);
  });

  it('IAP that the controller never turns on fails with the BackendConfig named, enabling nothing', async () => {
    const cluster = new FakeCluster();
    cluster.backendServices = [flyteBackendService()];
    cluster.iapOnAfterListings = Infinity;
    const inputs = flyteInputs({ ...IAP_INPUTS, timeout: '2m' });
    const error = await run(inputs, cluster, deployPhases(inputs)).then(
      () => undefined,
      (e: Error) => e
    );
    expect(error?.message).toMatch(
      /still has IAP off after 120s, although its BackendConfig flyte-backend-backend turns it on/
    );
    expect(cluster.iapCalls('get')).toEqual([]);
    expect(cluster.iapCalls('set')).toEqual([]);
  });

  it('IAP: Secret on stdin only, IAP on through the BackendConfig (never enabled by hand), one binding per member', async () => {
    const cluster = new FakeCluster();
    cluster.backendServices = [
      {
        name: 'k8s1-aaaa-flyte-other-80-bbbb',
        description:
          '{"kubernetes.io/service-name":"flyte/other","kubernetes.io/service-port":"80"}'
      },
      flyteBackendService()
    ];
    const inputs = flyteInputs({ ...IAP_INPUTS });
    const { state, logs } = await run(inputs, cluster, deployPhases(inputs));
    const backend = 'k8s1-1234abcd-flyte-flyte-backend-flyte-binar-8088-5678';
    expect(state.iapBackendService).toBe(backend);
    // The BackendConfig owns IAP: the action waits for the controller and never enables it.
    expect(cluster.callsOf('gcloud', 'compute')).toEqual([]);
    expect(cluster.callsOf('gcloud', 'iap')).toEqual([]);
    expect(cluster.backendListCalls().length).toBeGreaterThanOrEqual(2);
    // One read-modify-write of the policy binds both members.
    const grants = cluster.iapCalls('set');
    expect(grants.map((c) => c.path)).toEqual([
      `/v1/projects/acme-flyte/iap_web/compute/services/${backend}:setIamPolicy`
    ]);
    expect(cluster.iapMembers).toEqual(['user:alice@example.com', 'group:flyte@example.com']);
    expect(gkeUpgrades(cluster)[0]?.args).toEqual(
      expect.arrayContaining(['iap.enabled=true', 'iap.secretName=flyte-backend-iap-oauth'])
    );
    const applied = cluster
      .callsOf('kubectl', 'apply')
      .filter((c) => (c.stdin ?? '').includes('flyte-backend-iap-oauth'));
    expect(applied).toHaveLength(1);
    expect(JSON.parse(applied[0]?.stdin as string).items[1].stringData.client_secret).toBe(
      CANARY_OAUTH_SECRET
    );
    for (const call of cluster.calls) {
      expect(call.args.join(' ')).not.toContain(CANARY_OAUTH_SECRET);
      expect(call.args.join(' ')).not.toContain(CANARY_PASSWORD);
    }
    for (const text of [logs.join('\n'), state.notes.join('\n'), state.valuesPreview ?? '']) {
      expect(text).not.toContain(CANARY_OAUTH_SECRET);
      expect(text).not.toContain(CANARY_PASSWORD);
    }
  });

  it('IAP again: the same Secret, IAP already on and bound members cause no change', async () => {
    const cluster = new FakeCluster();
    cluster.backendServices = [flyteBackendService()];
    const inputs = flyteInputs({ ...IAP_INPUTS });
    await run(inputs, cluster, deployPhases(inputs));
    const before = cluster.calls.length;
    const second = await run(inputs, cluster, deployPhases(inputs));
    const again = cluster.calls.slice(before).map((c) => c.args.slice(0, 3).join(' '));
    expect(again).toContain('get secret flyte-backend-iap-oauth');
    expect(again.filter((c) => /^(apply|upgrade)/.test(c))).toEqual([]);
    // It read the policy and wrote nothing: every member holds the role already.
    expect(cluster.iapCalls('get')).toHaveLength(3);
    expect(cluster.iapCalls('set')).toHaveLength(1);
    expect(second.status('iap-oauth-secret')).toBe('skipped');
    expect(second.status('iap-grant')).toBe('skipped');
    expect(second.logs.join('\n')).toMatch(
      /already holds roles\/iap.httpsResourceAccessor without a condition; the policy is not written/
    );

    // One more member: only that one is bound.
    const more = flyteInputs({
      ...IAP_INPUTS,
      'iap-members': `${IAP_INPUTS['iap-members']},user:bob@example.com`
    });
    await run(more, cluster, deployPhases(more));
    expect(cluster.iapCalls('set')).toHaveLength(2);
    expect(cluster.iapMembers).toEqual([
      'user:alice@example.com',
      'group:flyte@example.com',
      'user:bob@example.com'
    ]);
  });

  it('IAP fails with advice when GKE never creates the backend service', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs({ ...IAP_INPUTS, timeout: '1m' });
    await expect(run(inputs, cluster, deployPhases(inputs))).rejects.toThrow(
      /has not created a backend service/
    );
  });
});

describe('uninstall and drift', () => {
  it('uninstalls both releases; a second run finds nothing and still succeeds', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs({ ingress: 'true', 'allow-unauthenticated': 'true' });
    await run(inputs, cluster, deployPhases(inputs));
    expect(cluster.releases.size).toBe(2);
    const first = await run(inputs, cluster, [helmPhase(inputs, 'uninstall')]);
    expect(cluster.releases.size).toBe(0);
    expect(first.state.notes).toEqual(
      expect.arrayContaining([
        'Uninstalled Helm release flyte-backend.',
        'Uninstalled Helm release flyte-backend-gke.'
      ])
    );
    const second = await run(inputs, cluster, [helmPhase(inputs, 'uninstall')]);
    expect(second.state.notes.join('\n')).toContain(
      'flyte-backend was not installed; nothing to remove'
    );
    expect(second.state.notes.join('\n')).toContain('OAuth 2.0 client');
  });

  it('reports no drift after a deploy and drift after the desired chart moves', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs();
    await run(inputs, cluster, deployPhases(inputs));
    const clean = await run(inputs, cluster, [valuesPhase(inputs), helmPhase(inputs, 'drift')]);
    expect(clean.state.driftDetected).toBe(false);
    const bumped = flyteInputs({ 'chart-version': 'v1.17.0' });
    const drifted = await run(bumped, cluster, [valuesPhase(bumped), helmPhase(bumped, 'drift')]);
    expect(drifted.state.driftDetected).toBe(true);
    expect(drifted.state.driftDetails.join('\n')).toContain(
      'runs chart v1.16.8; v1.17.0 is configured'
    );
  });

  it('names a release that is not installed as drift', () => {
    expect(flyteDrift(flyteInputs(), { valuesDigest: 'x' })).toEqual([
      'Helm release flyte-backend (namespace flyte) is not installed.'
    ]);
  });
});
