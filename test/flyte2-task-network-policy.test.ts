/**
 * The Flyte 2 task namespace's NetworkPolicy against the pods the real flyte-binary v2.0.42 chart
 * renders (read from the flyteorg/flyte mirror's gh-pages branch, rendered with the real helm from
 * the action's values; skipped without the mirror): a task pod cannot reach any port of the
 * manager pod, reaches the outside and other pods, and `tasks-reach-flyte-api` opens the API
 * port 8090 only, never the webhook's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunState } from '../src/engine/state.js';
import { taskNamespaceStep } from '../src/flyte2/task-namespace.js';
import { readSources } from '../src/phases/flyte-values.js';
import { composeValues } from '../src/values/compose.js';
import type { Inputs } from '../src/inputs.js';
import { CANARY_PASSWORD, flyteInputs, tfOutputs } from './support/flyte-fixtures.js';
import { objectsOf } from './support/k8s-schema.js';
import { canConnect, type NetworkPolicyObject, type Pod } from './support/network-policy-eval.js';
import { PROJECT_ROOT } from './support/project.js';
import { realToolPath } from './support/real-tools.js';

const VERSION = 'v2.0.42';
const MIRROR = '/work/.mirror/flyteorg+flyte/repo';
const mirrorPresent = existsSync(MIRROR);
if (!mirrorPresent) {
  console.warn(
    `SKIPPED Flyte 2 NetworkPolicy checks against the chart: the flyteorg/flyte mirror ${MIRROR} is absent.`
  );
}
const PODS_CIDR = '10.20.0.0/14';
const outputs = tfOutputs({
  flyte2TasksServiceAccount: 'ftask-flyte@acme-flyte.iam.gserviceaccount.com',
  podsCidr: PODS_CIDR
});
const v2 = (more: Record<string, string> = {}) =>
  flyteInputs({ 'flyte-version': '2', namespace: 'flyte', ...more });

/** The policy exactly as the namespace step applies it (an item of its List). */
function appliedPolicies(inputs: Inputs): NetworkPolicyObject[] {
  const state = new RunState(false);
  state.tfOutputs = outputs;
  const list = JSON.parse(taskNamespaceStep(inputs, state).stdin!) as { items: any[] };
  return list.items.filter((i) => i.kind === 'NetworkPolicy');
}

describe('the Flyte 2 task namespace NetworkPolicy', () => {
  it('is applied in the task namespace with the namespace, egress only', () => {
    const [policy, ...more] = appliedPolicies(v2());
    expect(more).toEqual([]);
    expect(policy!.metadata.namespace).toBe('flyte-tasks');
    expect(policy!.spec.podSelector).toEqual({});
    expect(policy!.spec.policyTypes).toEqual(['Egress']);
  });
});

(mirrorPresent ? describe : describe.skip)(`against the real flyte-binary ${VERSION} chart`, () => {
  let dir = '';
  const rendered = new Map<string, any[]>();
  const render = (inputs: Inputs) => {
    const key = JSON.stringify([inputs.releaseName, inputs.namespace]);
    if (!rendered.has(key)) {
      const chart = path.join(dir, `flyte-binary-${VERSION}.tgz`);
      const values = path.join(dir, `values-${rendered.size}.yaml`);
      const text = composeValues(
        readSources(inputs, { actionRoot: PROJECT_ROOT }),
        inputs,
        outputs,
        CANARY_PASSWORD
      ).text;
      writeFileSync(values, text, { mode: 0o600 });
      const out = execFileSync(
        realToolPath('helm'),
        ['template', inputs.releaseName, chart, '--namespace', inputs.namespace, '-f', values],
        { encoding: 'utf8', env: { ...process.env, HOME: '/tmp' } }
      );
      rendered.set(key, objectsOf(out) as any[]);
    }
    return rendered.get(key)!;
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flyte2-netpol-'));
    writeFileSync(
      path.join(dir, `flyte-binary-${VERSION}.tgz`),
      execFileSync('git', ['-C', MIRROR, 'show', `gh-pages:flyte-binary-${VERSION}.tgz`], {
        maxBuffer: 64 * 1024 * 1024
      })
    );
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each rendered Deployment's pod, and the TCP ports its containers listen on. */
  const podsOf = (inputs: Inputs) =>
    render(inputs)
      .filter((o) => o.kind === 'Deployment')
      .map((d) => ({
        name: d.metadata.name as string,
        pod: { namespace: inputs.namespace, labels: d.spec.template.metadata.labels } as Pod,
        ports: (d.spec.template.spec.containers as any[]).flatMap((c) =>
          (c.ports ?? []).map((p: any) => p.containerPort as number)
        )
      }));
  const manager = (inputs: Inputs) => {
    const found = podsOf(inputs).find((p) => p.name === `${inputs.releaseName}-flyte-binary`);
    if (!found) throw new Error('the manager Deployment is not rendered');
    return found;
  };
  const task: Pod = { namespace: 'flyte-tasks', labels: { 'flyte.org/action': 'a0' } };

  it("the manager pod listens on 8090 and the webhook's 9443 and 9444", () => {
    expect(manager(v2()).ports.sort()).toEqual([8090, 9443, 9444]);
  });

  it.each<Record<string, string>>([{}, { 'release-name': 'flyte-two' }])(
    'a task pod reaches no port of the manager pod (%j)',
    (more) => {
      const inputs = v2(more);
      const policies = appliedPolicies(inputs);
      const { pod, ports } = manager(inputs);
      for (const port of ports)
        expect([port, canConnect(policies, task, pod, port)]).toEqual([port, false]);
    }
  );

  it('a task pod reaches the outside, kube-dns, other task pods and the console', () => {
    const inputs = v2();
    const policies = appliedPolicies(inputs);
    expect(canConnect(policies, task, { ip: '142.250.72.138' }, 443)).toBe(true); // storage.googleapis.com
    expect(canConnect(policies, task, { ip: '169.254.169.254' }, 80)).toBe(true); // metadata server
    const kubeDns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    expect(canConnect(policies, task, kubeDns, 53)).toBe(true);
    expect(canConnect(policies, task, { ...task, labels: { other: 'worker' } }, 29500)).toBe(true);
    const console = podsOf(inputs).find((p) => p.name.endsWith('-console'))!;
    expect(canConnect(policies, task, console.pod, console.ports[0]!)).toBe(true);
    // Pods by address are pods, not "outside": the pod range is left out.
    expect(canConnect(policies, task, { ip: '10.20.3.4' }, 8090)).toBe(false);
  });

  it('tasks-reach-flyte-api opens the manager API port 8090, never the webhook', () => {
    const inputs = v2({ 'tasks-reach-flyte-api': 'true' });
    expect(inputs.tasksReachFlyteApi).toBe(true);
    const policies = appliedPolicies(inputs);
    const { pod } = manager(inputs);
    expect(canConnect(policies, task, pod, 8090)).toBe(true);
    expect(canConnect(policies, task, pod, 9443)).toBe(false);
    expect(canConnect(policies, task, pod, 9444)).toBe(false);
    // The chart's own endpoint for tasks (_U_EP_OVERRIDE) is that port of the manager's Service.
    const http = render(inputs).find(
      (o) => o.kind === 'Service' && o.metadata.name === `${inputs.releaseName}-flyte-binary-http`
    );
    expect(http.spec.ports.map((p: any) => p.port)).toEqual([8090]);
    for (const [key, value] of Object.entries(http.spec.selector as Record<string, string>))
      expect(pod.labels[key]).toBe(value);
  });
});
