/**
 * Destroy waits for GKE to delete the Services' NEGs, so Terraform can delete the subnet: read
 * through Compute's networkEndpointGroups.aggregatedList on a loopback Google.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { googleApiFor } from '../src/gcp/client.js';
import { helmPhase } from '../src/phases/flyte.js';
import { fakeClock, fakeContext, fakeLogger, testInputs } from './support/fakes.js';
import { GoogleServer } from './support/google-server.js';
import { serveAggregated } from './support/google-compute-routes.js';

/** A NEG as GKE makes it: the name trimmed to 38 characters, the description whole. */
const neg = (namespace: string, service: string, name: string) => ({
  kind: 'compute#networkEndpointGroup',
  name,
  zone: 'us-central1-a',
  networkEndpointType: 'GCE_VM_IP_PORT',
  description: JSON.stringify({
    'cluster-uid': '5f1a2b3c4d5e6f70',
    namespace,
    'service-name': service,
    port: '8088'
  })
});
const FLYTE_NEG = neg(
  'flyte',
  'flyte-backend-flyte-binary-http',
  'k8s1-0a1b2c3d-flyte-flyte-backend-flyte-binary-http-8088-4e5f6a7b'
);
/** A NEG someone made by hand: the filter keeps it out even though its description matches. */
const HAND_MADE = { ...FLYTE_NEG, name: 'my-neg' };

let google: GoogleServer;
/** What each list answers, in turn (the last one repeats). */
let answers: Record<string, unknown>[][] = [];
let unreachables: string[] = [];
/** The polls so far: list calls for a first page (a poll's later pages carry a pageToken). */
const polls = () =>
  google.calls.filter((c) => c.service === 'compute' && !c.query.get('pageToken')).length;
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveAggregated(google, 'networkEndpointGroups', {
    items: () => answers[Math.min(polls() - 1, answers.length - 1)] ?? [],
    unreachables: () => unreachables,
    pageSize: 1
  });
});
afterAll(async () => google.stop());
beforeEach(() => {
  google.calls.length = 0;
  unreachables = [];
});

function negWait(listed: Record<string, unknown>[][], values: Record<string, string> = {}) {
  answers = listed;
  const inputs = testInputs({ command: 'destroy', 'confirm-destroy': 'flyte', ...values });
  const step = helmPhase(inputs, 'uninstall')
    .steps(new RunState(false))
    .find((s) => s.id === 'neg-wait') as TaskStep;
  const { file, env } = google.credentials();
  const api = googleApiFor(file, env);
  const logger = fakeLogger();
  const { ctx, calls } = fakeContext({
    inputs,
    clock: fakeClock(),
    log: logger.log,
    google: () => api
  });
  const listCalls = () =>
    google.calls.filter((c) => c.path.endsWith('/aggregated/networkEndpointGroups'));
  return { run: () => step.run(ctx), listCalls, lines: logger.lines, execCalls: calls };
}

describe('waiting for network endpoint groups on destroy', () => {
  it('polls until GKE has deleted them, then goes on without a warning; no gcloud', async () => {
    const wait = negWait([[FLYTE_NEG, HAND_MADE], [FLYTE_NEG], []]);
    await wait.run();
    expect(polls()).toBe(3);
    expect(wait.listCalls()[0]?.query.get('filter')).toBe('name eq "k8s1-.*"');
    expect(wait.execCalls).toEqual([]);
    expect(wait.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('reads every page: a Flyte NEG on the second page keeps it waiting', async () => {
    const other = neg(
      'flyte',
      'another-app-http',
      'k8s1-0a1b2c3d-flyte-another-app-http-8088-1a2b3c4d'
    );
    const wait = negWait([[other, FLYTE_NEG], []]);
    await wait.run();
    expect(polls()).toBe(2);
    expect(wait.listCalls().map((c) => c.query.get('pageToken'))).toEqual([null, '1', null]);
  });

  it('warns with the NEG names and the way out when they outlive the bound', async () => {
    const wait = negWait([[FLYTE_NEG]]);
    await wait.run();
    expect(polls()).toBeGreaterThan(2);
    expect(wait.lines.join('\n')).toMatch(
      /warning: GKE has not yet deleted k8s1-0a1b2c3d-flyte-flyte-backend-flyte-binary-http-8088-4e5f6a7b .*network-endpoint-groups delete/
    );
  });

  it('does not call them gone while a zone does not answer', async () => {
    unreachables = ['zones/us-central1-b'];
    const wait = negWait([[]]);
    await wait.run();
    expect(polls()).toBeGreaterThan(2);
    expect(wait.lines.join('\n')).toMatch(/zones not answering: zones\/us-central1-b/);
  });

  it('finds the NEGs of a long namespace and release, whose names GKE trims', async () => {
    const release = 'flyte-production-europe-west4-primary';
    // GKE trims namespace, service and port together: the name holds neither in full.
    const trimmed = neg(
      'flyte-prod',
      `${release}-flyte-binary-http`,
      'k8s1-0a1b2c3d-flyte-p-flyte-production-eu-8088-4e5f6a7b'
    );
    const other = neg(
      'flyte-prod',
      'another-app-http',
      'k8s1-0a1b2c3d-flyte-p-another-app-http-8088-1a2b3c4d'
    );
    const wait = negWait([[trimmed, other], [other]], {
      namespace: 'flyte-prod',
      'release-name': release
    });
    await wait.run();
    // It waited for the Flyte NEG (listed twice), never for another app's.
    expect(polls()).toBe(2);
    expect(wait.lines.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('ignores NEGs of the same Service name in another namespace', async () => {
    const elsewhere = neg(
      'staging',
      'flyte-backend-flyte-binary-http',
      'k8s1-0a1b2c3d-staging-flyte-backend-flyte-binary-h-8088-9f8e7d6c'
    );
    const wait = negWait([[elsewhere]]);
    await wait.run();
    expect(polls()).toBe(1);
  });
});
