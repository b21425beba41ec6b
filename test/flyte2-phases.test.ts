/**
 * Flyte 2 through the install phases with the fake cluster at the process boundary: the task
 * namespace is made before the chart, no TLS proxy is prepared, the client configuration is the
 * `flyte` SDK's, and a release of the other Flyte is refused before anything changes.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { Inputs } from '../src/inputs.js';
import { runPhases } from '../src/engine/runner.js';
import type { GoogleApi } from '../src/gcp/google-api.js';
import { RunState } from '../src/engine/state.js';
import type { Logger, Phase, TaskContext, TaskStep } from '../src/engine/types.js';
import { fakeClock, fakeContext, fakeLogger, testInputs } from './support/fakes.js';
import { helmPhase, iapPhase, ingressPhase, valuesPhase } from '../src/phases/flyte.js';
import { flyteVersionOfChart, refuseVersionMove } from '../src/flyte2/version-move.js';
import { FakeCluster } from './support/fake-cluster.js';
import { INDEXED_CHART_VERSIONS, keepCharts } from './support/chart-repo.js';
import { writeTestPins } from './support/test-pins.js';
import { flyteInputs, IAP_INPUTS, tfOutputs } from './support/flyte-fixtures.js';

const TOOL_CACHE = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
keepCharts(TOOL_CACHE, [...INDEXED_CHART_VERSIONS, 'v2.0.42']);
const PINS_FILE = path.join(TOOL_CACHE, 'test-pins.json');
writeTestPins(PINS_FILE);

async function run(inputs: Inputs, cluster: FakeCluster, phases: Phase[]) {
  const state = new RunState(false);
  state.tfOutputs = tfOutputs({
    tasksServiceAccount: 'tasks-gsa@acme-flyte.iam.gserviceaccount.com'
  });
  state.toolCacheDir = TOOL_CACHE;
  const logs: string[] = [];
  const log: Logger = {
    info: (m) => logs.push(m),
    warning: (m) => logs.push(`WARNING ${m}`),
    notice: (m) => logs.push(m),
    debug: (m) => logs.push(m),
    group: async (_name, fn) => fn(),
    setSecret: () => undefined
  };
  const ctx: TaskContext = {
    inputs,
    state,
    exec: cluster.exec,
    google: () => cluster.google,
    log,
    clock: { now: () => 0, sleep: async () => undefined },
    env: {
      RUNNER_TEMP: mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')),
      RUNNER_TOOL_CACHE: TOOL_CACHE,
      FLYTE_GKE_TEST_PINS: PINS_FILE
    },
    exportVariable: () => undefined,
    addPath: () => undefined,
    registerCleanup: () => undefined
  };
  const reports = await runPhases(phases, { ctx, secrets: () => [] });
  const steps = reports.flatMap((r) => r.steps);
  const status = (id: string) => steps.find((s) => s.id === id)?.status ?? 'absent';
  return { state, logs, status, steps };
}

const deploy = (inputs: Inputs) => [valuesPhase(inputs), helmPhase(inputs, 'install')];
const flyteUpgrades = (cluster: FakeCluster) =>
  cluster.callsOf('helm', 'upgrade').filter((c) => c.args[3]?.includes('/flyte-binary-'));
const V2 = { 'flyte-version': '2' } as const;

describe('Flyte 2 install steps (pure)', () => {
  it('makes the task namespace before the chart, and prepares no TLS proxy', () => {
    const ids = helmPhase(flyteInputs({ ...V2, ...IAP_INPUTS }), 'install')
      .steps(new RunState())
      .map((s) => s.id);
    expect(ids.indexOf('flyte2-task-namespace')).toBeGreaterThan(-1);
    expect(ids.indexOf('flyte2-task-namespace')).toBeLessThan(ids.indexOf('helm-upgrade'));
    expect(ids).not.toContain('proxy-tls');
    expect(ids).not.toContain('legacy-ingress');
    // Flyte 1 keeps its steps.
    const v1 = helmPhase(flyteInputs({ ...IAP_INPUTS }), 'install')
      .steps(new RunState())
      .map((s) => s.id);
    expect(v1).not.toContain('flyte2-task-namespace');
  });

  it('the upgrade installs the pinned v2 archive', () => {
    const step = helmPhase(flyteInputs(V2), 'install')
      .steps(new RunState())
      .find((s) => s.id === 'helm-upgrade');
    expect(step?.kind === 'exec' && step.args[3]).toBe(
      '$RUNNER_TOOL_CACHE/flyte-gke-charts/flyte-binary/v2.0.42/flyte-binary-v2.0.42.tgz'
    );
  });
});

describe('Flyte 2 through a fake cluster', () => {
  it('first deploy: task namespace with the tasks account, v2 values, the flyte SDK config', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs({ ...V2, ...IAP_INPUTS });
    const { state, status } = await run(inputs, cluster, deploy(inputs));
    expect(status('flyte2-task-namespace')).toBe('ran');
    expect(status('helm-upgrade')).toBe('ran');
    const applies = cluster.callsOf('kubectl', 'apply');
    const namespaceApply = applies.findIndex((c) => c.stdin?.includes('"flyte-tasks"'));
    expect(namespaceApply).toBeGreaterThan(-1);
    const manifest = JSON.parse(applies[namespaceApply]!.stdin!) as { items: any[] };
    expect(manifest.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Namespace/flyte-tasks',
      'ServiceAccount/default',
      'NetworkPolicy/flyte-gke-action-tasks-egress'
    ]);
    expect(manifest.items[1].metadata.annotations['iam.gke.io/gcp-service-account']).toBe(
      'tasks-gsa@acme-flyte.iam.gserviceaccount.com'
    );
    // The namespace exists before the chart asks for it.
    const order = cluster.calls.map((c) => c.tool + ' ' + c.args[0]);
    expect(cluster.calls.indexOf(applies[namespaceApply]!)).toBeLessThan(
      cluster.calls.indexOf(flyteUpgrades(cluster)[0]!)
    );
    expect(order.length).toBeGreaterThan(2);
    const values = cluster.releases.get('flyte-backend')?.values as any;
    expect(values.configuration.database.postgres.host).toBe('10.59.0.3');
    expect(values['flyte-core-components'].runs.storagePrefix).toBe('gs://acme-flyte-data');
    expect(values.deployment?.sidecars).toBeUndefined();
    expect(state.consoleUrl).toBe('https://203.0.113.7.sslip.io/v2');
    const config = parse(state.clientConfig ?? '') as any;
    expect(config.admin).toMatchObject({
      endpoint: 'dns:///203.0.113.7.sslip.io',
      insecure: false
    });
    expect(config.admin.proxyCommand[0]).toBe('flyte-iap');
    expect(state.clientSteps).toContain('flyte --config flyte-config.yaml run');
  });

  it('an unchanged second deploy changes nothing and says so', async () => {
    const cluster = new FakeCluster();
    const inputs = flyteInputs(V2);
    await run(inputs, cluster, deploy(inputs));
    const second = await run(inputs, cluster, deploy(inputs));
    expect(second.status('helm-upgrade')).toBe('skipped');
    expect(flyteUpgrades(cluster)).toHaveLength(1);
    expect(second.logs.join('\n')).toContain('already deployed; skipping helm upgrade');
  });

  it.each([
    ['Flyte 1 to Flyte 2', {}, V2, 'runs Flyte 1 (chart v1.16.8), but flyte-version is 2'],
    ['Flyte 2 to Flyte 1', V2, {}, 'runs Flyte 2 (chart v2.0.42), but flyte-version is 1']
  ])('%s on an existing release is refused before any change', async (_n, from, to, says) => {
    const cluster = new FakeCluster();
    await run(flyteInputs(from), cluster, deploy(flyteInputs(from)));
    const before = cluster.calls.length;
    const moved = run(flyteInputs(to), cluster, deploy(flyteInputs(to)));
    await expect(moved).rejects.toThrow(says);
    await expect(moved).rejects.toThrow('do not share a database schema');
    // Nothing after the refusal ran: only reads happened in the second run.
    const mutating = cluster.calls
      .slice(before)
      .filter((c) => ['upgrade', 'apply', 'uninstall', 'delete'].includes(c.args[0] ?? ''));
    expect(mutating).toEqual([]);
    expect(flyteUpgrades(cluster)).toHaveLength(1);
  });
});

describe('Flyte 2 behind IAP', () => {
  it('waits for both backend services (API on 8090, console on 8080) and lets members through each', async () => {
    const cluster = new FakeCluster();
    const api = 'k8s1-1234abcd-flyte-flyte-backend-flyte-binar-8090-5678';
    const console = 'k8s1-1234abcd-flyte-flyte-backend-console-lb-8080-9abc';
    cluster.backendServices = [
      // A Flyte 1 style backend on the proxy port must not be taken for the Flyte 2 API.
      {
        name: 'k8s1-1234abcd-flyte-flyte-backend-flyte-binar-8443-0000',
        description:
          '{"kubernetes.io/service-name":"flyte/flyte-backend-flyte-binary-http","kubernetes.io/service-port":"8443"}'
      },
      {
        name: api,
        description:
          '{"kubernetes.io/service-name":"flyte/flyte-backend-flyte-binary-http","kubernetes.io/service-port":"8090"}'
      },
      {
        name: console,
        description:
          '{"kubernetes.io/service-name":"flyte/flyte-backend-console-lb","kubernetes.io/service-port":"8080"}',
        iap: { enabled: true }
      }
    ];
    const inputs = flyteInputs({ ...V2, ...IAP_INPUTS });
    const { state, status } = await run(inputs, cluster, [
      ...deploy(inputs),
      ingressPhase(inputs),
      iapPhase(inputs)
    ]);
    expect(state.iapBackendService).toBe(api);
    expect(state.iapConsoleBackendService).toBe(console);
    const policies = cluster.iapCalls('get').map((c) => c.path);
    expect(policies.some((p) => p.includes(api))).toBe(true);
    expect(policies.some((p) => p.includes(console))).toBe(true);
    expect(status('iap-console-read-policy')).toBe('ran');
    expect(state.notes.join('\n')).toContain(`IAP is on for ${api} and ${console}`);
    // Flyte 1 keeps its single target and step ids.
    const v1 = iapPhase(flyteInputs({ ...IAP_INPUTS }))
      .steps(new RunState())
      .map((s) => s.id);
    expect(v1.filter((id) => id.startsWith('iap-console'))).toEqual([]);
  });
});

describe('a plan says it first', () => {
  it('the plan preview of Flyte 2 over a Flyte 1 release fails with the explanation', async () => {
    const cluster = new FakeCluster();
    await run(flyteInputs(), cluster, deploy(flyteInputs()));
    const inputs = flyteInputs(V2);
    await expect(run(inputs, cluster, [helmPhase(inputs, 'preview')])).rejects.toThrow(
      /runs Flyte 1 \(chart v1\.16\.8\), but flyte-version is 2/
    );
    // The same plan for Flyte 1 reads the release and passes.
    await expect(
      run(flyteInputs(), cluster, [helmPhase(flyteInputs(), 'preview')])
    ).resolves.toBeDefined();
  });
});

describe('the deployed chart tells the Flyte version', () => {
  it.each([
    ['v1.16.8', 1],
    ['1.16.8', 1],
    ['v2.0.42', 2],
    ['2.0.0-rc1', 2],
    ['v3.0.0', undefined],
    ['', undefined]
  ])('%s is Flyte %s', (chart, version) => {
    expect(flyteVersionOfChart(chart)).toBe(version);
  });

  it('a first deploy and the same version pass', () => {
    const inputs = flyteInputs(V2);
    expect(() => refuseVersionMove('x', inputs, undefined)).not.toThrow();
    expect(() => refuseVersionMove('x', inputs, 'v2.0.41')).not.toThrow();
    expect(() => refuseVersionMove('x', inputs, 'v1.16.8')).toThrow(/separate one/);
  });
});

describe('Flyte 2 destroy', () => {
  it("waits for the console Service's NEGs too, which hold the subnet like the API's", async () => {
    const consoleNeg = {
      name: 'k8s1-0a1b2c3d-flyte-flyte-backend-console-lb-8080-4e5f6a7b',
      zone: 'us-central1-a',
      description: JSON.stringify({
        'cluster-uid': '5f1a2b3c4d5e6f70',
        namespace: 'flyte',
        'service-name': 'flyte-backend-console-lb',
        port: '8080'
      })
    };
    const waitFor = async (values: Record<string, string>) => {
      const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte', ...values });
      const step = helmPhase(inputs, 'uninstall')
        .steps(new RunState(false))
        .find((s) => s.id === 'neg-wait') as TaskStep;
      // networkEndpointGroups.aggregatedList: the console's NEG on the first list only (the
      // request and answer shapes are checked in test/flyte-neg-wait.test.ts).
      let lists = 0;
      const google: GoogleApi = {
        accessToken: async () => 'ya29.fake',
        request: async <T>() =>
          ({
            items: {
              'zones/us-central1-a': { networkEndpointGroups: lists++ > 0 ? [] : [consoleNeg] }
            }
          }) as T
      };
      const logger = fakeLogger();
      const { ctx } = fakeContext({
        inputs,
        clock: fakeClock(),
        log: logger.log,
        google: () => google
      });
      await step.run(ctx);
      return lists;
    };
    // Flyte 2 polls until the console's NEG is gone; Flyte 1 does not look for it.
    expect(await waitFor({ 'flyte-version': '2' })).toBe(2);
    expect(await waitFor({})).toBe(1);
  });
});
