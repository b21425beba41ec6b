/**
 * Flyte on the cluster through the bundled action (dist/main, then dist/post, per job) with the
 * stand-in gcloud, terraform, kubectl and helm, whose model of the cloud keeps what each run
 * changed: a first deploy, an unchanged second deploy that runs no changing command, a chart
 * bump, ingress with sslip.io and with a custom domain, IAP, destroy (refused and confirmed), and
 * no secret in any output, summary or file left behind.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WIF } from './support/e2e-jobs.js';
import type { EventName } from './support/events.js';
import { isChangingCall } from './support/changing.js';
import { Harness, type StepResult, type ToolCall } from './support/harness.js';

/** What the stand-in gke-gcloud-auth-plugin cache holds (test/support/standins/standin.mjs). */
const AUTH_PLUGIN_TOKEN = 'ya29.standin-token';
const PASSWORD = 'pg-flyte-canary-Qw7eRt9YuIo3';
const OAUTH_SECRET = 'GOCSPX-flyteCanary-Lm3nB5vC7xZ1';
const OAUTH_CLIENT_ID = '123456789012-flyte.apps.googleusercontent.com';
const STATIC_IP = '34.120.7.8';
const BACKEND_SERVICE = /^k8s1-[0-9a-f]+-flyte-flyte-backend-flyte-binary-http-8443-[0-9a-f]+$/;
const BASE = {
  command: 'deploy',
  'project-id': 'acme-flyte-e2e',
  'cluster-name': 'flyte-e2e',
  'workload-identity-provider': WIF,
  'gcloud-version': 'system',
  'terraform-version': 'system',
  'helm-version': 'system',
  'comment-on-pr': 'false'
};
// An open Ingress is refused unless asked for knowingly (allow-unauthenticated).
const INGRESS = { ...BASE, ingress: 'true', 'allow-unauthenticated': 'true' };
const IAP = {
  ...INGRESS,
  iap: 'true',
  'iap-oauth-client-id': OAUTH_CLIENT_ID,
  'iap-oauth-client-secret': OAUTH_SECRET,
  'iap-members': 'user:alice@acme.dev, group:flyte-users@acme.dev'
};

interface Job {
  harness: Harness;
  /** Every main and post step so far, for the leak checks. */
  readonly steps: StepResult[];
}

/** A harness for one describe block, its cloud model seeded with these Terraform facts. */
function jobsIn(event: EventName, terraform: Record<string, string>): Job {
  const jobs = { steps: [] } as unknown as Job;
  beforeAll(async () => {
    jobs.harness = await Harness.create({ event, oidc: true });
    jobs.harness.setWorld((w) => {
      w.terraform = terraform;
    });
  });
  afterAll(async () => jobs.harness.close());
  return jobs;
}

/** The IAP policy calls the action made to the loopback Google since `from` (a calls index). */
const iapCalls = (jobs: Job, from: number, verb: 'getIamPolicy' | 'setIamPolicy') =>
  jobs.harness.google.calls
    .slice(from)
    .filter((c) => c.service === 'iap' && c.path.endsWith(`:${verb}`));
/** The unconditional accessor members of the backend service's policy in the stand-in world. */
const accessors = (jobs: Job): string[] => {
  const services = Object.values(jobs.harness.world().gcloud.backendServices ?? {}) as {
    policy?: { bindings: { role: string; members: string[]; condition?: unknown }[] };
  }[];
  return services.flatMap((s) =>
    (s.policy?.bindings ?? [])
      .filter((b) => b.role === 'roles/iap.httpsResourceAccessor' && !b.condition)
      .flatMap((b) => b.members)
  );
};

/** One job: the main step, then its post step, as the runner runs them. */
async function job(jobs: Job, inputs: Record<string, string>): Promise<StepResult> {
  const result = await jobs.harness.run(inputs);
  jobs.steps.push(result, await jobs.harness.runPost());
  return result;
}

const line = (c: ToolCall) => `${c.tool} ${c.args.join(' ')}`;
const changingCalls = (result: StepResult) => result.calls.filter(isChangingCall).map(line);
const callsOf = (result: StepResult, tool: ToolCall['tool'], ...words: string[]) =>
  result.calls.filter((c) => c.tool === tool && words.every((w, i) => c.args[i] === w));
const flagValue = (call: ToolCall | undefined, name: string) => {
  const at = call?.args.indexOf(name) ?? -1;
  return at >= 0 ? call?.args[at + 1] : undefined;
};
const helmUpgrade = (result: StepResult, release: string) =>
  callsOf(result, 'helm', 'upgrade', '--install', release);
/** A Secret's data as the API server keeps it (base64), decoded. */
const decoded = (data: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])
  );
/** The Helm section of the job summary, up to the next heading. */
const helmSection = (summary: string) => /### Helm\n([\s\S]*?)\n### /.exec(summary)?.[1] ?? '';

function expectSucceeded(result: StepResult): void {
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
}

describe('flyte without ingress: deploy, redeploy, chart bump, destroy', () => {
  const jobs = jobsIn('push', { password: PASSWORD });

  it('first deploy: applies Terraform, installs the pinned chart from a values file the post step removes', async () => {
    const result = await job(jobs, BASE);
    expectSucceeded(result);
    expect(callsOf(result, 'terraform', 'apply')).toHaveLength(1);
    const [upgrade, ...more] = helmUpgrade(result, 'flyte-backend');
    expect(more).toEqual([]);
    // From the archive kept in the tool cache, fetched from the chart repository and checked.
    expect(upgrade?.args[3]).toBe(
      path.join(
        jobs.harness.toolCache,
        'flyte-gke-charts/flyte-binary/v1.16.8/flyte-binary-v1.16.8.tgz'
      )
    );
    expect(flagValue(upgrade, '--version')).toBeUndefined();
    expect(upgrade?.args).toEqual(expect.arrayContaining(['--wait', '--atomic']));
    const valuesFile = flagValue(upgrade, '--values');
    expect(valuesFile).toMatch(/flyte-values\.yaml$/);
    expect(existsSync(valuesFile as string)).toBe(false);
    // The model's release holds what the file said: the Terraform outputs were patched in.
    const release = jobs.harness.world().helm.releases['flyte/flyte-backend'];
    expect(release.version).toBe('v1.16.8');
    expect(release.values.configuration.database.host).toBe('10.59.0.3');
    expect(release.values.configuration.database.password).toBe(PASSWORD);

    expect(result.outputs['console-url']).toBe('http://localhost:8088/console');
    expect(result.summary).toContain(
      'kubectl port-forward --namespace flyte svc/flyte-backend-flyte-binary-http 8088:8088'
    );
    expect(result.summary).toContain('flytectl config init --host localhost:8089 --insecure');
    const helm = helmSection(result.summary);
    expect(helm).toContain('flyte-binary: not installed → `v1.16.8`');
    expect(helm).not.toContain('unchanged');
    expect(result.summary).toContain('Flyte 1.16.0');
  });

  it('second deploy with nothing changed runs no changing command and says so', async () => {
    const result = await job(jobs, BASE);
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    // Nothing to show: the text rendering of an empty plan is not even asked for.
    const shows = callsOf(result, 'terraform', 'show')
      .filter((c) => !c.args.includes('-json'))
      .map(line);
    expect(shows).toEqual([]);
    expect(result.stdout).toContain('skipping helm upgrade');
    expect(result.summary).toMatch(/nothing changed/i);
    expect(result.summary).toContain('No changes to infrastructure.');
    const helm = helmSection(result.summary);
    expect(helm).toContain('flyte-binary `v1.16.8` (unchanged)');
    expect(helm).toContain('Values: no changes.');
    expect(helm).not.toMatch(/^\+ /m);
    expect(jobs.harness.world().helm.releases['flyte/flyte-backend'].revision).toBe(1);
  });

  it('a plan reads the deployed release read-only and shows the chart change it would make', async () => {
    const result = await job(jobs, { ...BASE, command: 'plan', 'chart-version': 'v1.16.9' });
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    // Read-only and without Secrets (Helm keeps releases in Secrets): the Deployment and the record.
    expect(callsOf(result, 'helm', 'get')).toEqual([]);
    expect(callsOf(result, 'kubectl', 'get', 'secret')).toEqual([]);
    expect(callsOf(result, 'kubectl', 'get', 'deployment')).toHaveLength(1);
    expect(callsOf(result, 'kubectl', 'get', 'configmap')).toHaveLength(1);
    expect(helmSection(result.summary)).toContain('flyte-binary `v1.16.8` → `v1.16.9`');
  });

  it('a plan that turns ingress on previews it before the static IP exists', async () => {
    const result = await job(jobs, { ...INGRESS, command: 'plan' });
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    expect(result.outputs['plan-has-changes']).toBe('true');
  });

  it('drift, as the planner: no changing command, no Secret read, and no drift after a deploy', async () => {
    const result = await job(jobs, { ...BASE, command: 'drift' });
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    // Helm keeps releases in Secrets: any helm read would read one.
    expect(result.calls.filter((c) => c.tool === 'helm' && c.args[0] !== 'version')).toEqual([]);
    expect(callsOf(result, 'kubectl', 'get', 'secret')).toEqual([]);
    expect(result.outputs['drift-detected']).toBe('false');
  });

  it('a chart version bump upgrades Helm only, and the summary shows from and to', async () => {
    const result = await job(jobs, { ...BASE, 'chart-version': 'v1.16.9' });
    expectSucceeded(result);
    expect(callsOf(result, 'terraform', 'apply')).toEqual([]);
    const upgrades = helmUpgrade(result, 'flyte-backend');
    expect(upgrades).toHaveLength(1);
    expect(upgrades[0]?.args[3]).toMatch(/flyte-binary\/v1\.16\.9\/flyte-binary-v1\.16\.9\.tgz$/);
    // The upgrade, and the record of it for the read-only planner.
    const record = callsOf(result, 'kubectl', 'apply')[0] as ToolCall;
    expect(record.stdin).toContain('flyte-backend-flyte-gke-action');
    // First an on-demand backup of the database the new chart migrates (database-backup-e2e),
    // through the Cloud SQL Admin API, so the changing commands are the upgrade and its record.
    expect(callsOf(result, 'gcloud', 'sql')).toEqual([]);
    expect(jobs.harness.world().gcloud.sqlBackups).toEqual([
      expect.objectContaining({ instance: 'flyte-e2e-pg-0a1b', type: 'ON_DEMAND' })
    ]);
    expect(changingCalls(result)).toEqual([line(upgrades[0] as ToolCall), line(record)]);
    const release = jobs.harness.world().helm.releases['flyte/flyte-backend'];
    expect([release.version, release.revision]).toEqual(['v1.16.9', 2]);
    const helm = helmSection(result.summary);
    expect(helm).toContain('flyte-binary `v1.16.8` → `v1.16.9`');
    // Only the chart moved: the digest annotation (which covers the chart version) is no news.
    expect(helm).not.toMatch(/values-digest/);
    expect(helm).toContain('Values: no changes.');
  });

  it('destroy without confirm-destroy is refused before any tool runs', async () => {
    const result = await job(jobs, { ...BASE, command: 'destroy' });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain('confirm-destroy');
    expect(result.calls).toEqual([]);
    expect(jobs.harness.world().helm.releases['flyte/flyte-backend']).toBeDefined();
  });

  it('destroy with confirmation uninstalls both releases, then plans and applies the destroy', async () => {
    const googleFrom = jobs.harness.google.calls.length;
    const result = await job(jobs, {
      ...BASE,
      command: 'destroy',
      'confirm-destroy': 'flyte-e2e'
    });
    expectSucceeded(result);
    const index = (predicate: (c: ToolCall) => boolean) => result.calls.findIndex(predicate);
    const uninstallFlyte = index((c) => c.tool === 'helm' && c.args[1] === 'flyte-backend');
    const uninstallGke = index((c) => c.tool === 'helm' && c.args[1] === 'flyte-backend-gke');
    const destroyPlan = index(
      (c) => c.tool === 'terraform' && c.args[0] === 'plan' && c.args.includes('-destroy')
    );
    const planFile = result.calls[destroyPlan]?.args
      .find((a) => a.startsWith('-out='))
      ?.slice('-out='.length);
    // Deletion protection is lifted by an apply of its own first; this is the destroy itself.
    const apply = index(
      (c) => c.tool === 'terraform' && c.args[0] === 'apply' && c.args.at(-1) === planFile
    );
    expect(result.calls[uninstallFlyte]?.args[0]).toBe('uninstall');
    expect(result.calls[uninstallGke]?.args[0]).toBe('uninstall');
    expect(uninstallFlyte).toBeLessThan(destroyPlan);
    expect(uninstallGke).toBeLessThan(destroyPlan);
    expect(destroyPlan).toBeLessThan(apply);
    const world = jobs.harness.world();
    expect(world.helm.releases).toEqual({});
    expect(world.terraform.applied).toBeUndefined();
    expect(result.summary).toContain('Remove by hand');
    // The database went first, then its peering (through Compute's REST API, no gcloud), so the
    // network could be deleted: the stand-in terraform refuses a network still peered.
    const databaseFirst = index(
      (c) => c.tool === 'terraform' && c.args.includes('-target=google_sql_database_instance.main')
    );
    expect(databaseFirst).toBeGreaterThan(uninstallGke);
    expect(databaseFirst).toBeLessThan(apply);
    expect(result.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'compute')).toEqual([]);
    const removals = jobs.harness.google.calls
      .slice(googleFrom)
      .filter(
        (c) =>
          c.method === 'POST' && c.path.endsWith('/global/networks/flyte-e2e-vpc/removePeering')
      );
    expect(removals.map((c) => c.body)).toEqual([{ name: 'servicenetworking-googleapis-com' }]);
    expect(world.gcloud.peerings['flyte-e2e-vpc']).toEqual([]);
  });

  it('a deploy after the destroy, with the same names, works, and so does its destroy', async () => {
    const again = await job(jobs, BASE);
    expectSucceeded(again);
    expect(jobs.harness.world().gcloud.peerings['flyte-e2e-vpc']).toEqual([
      'servicenetworking-googleapis-com'
    ]);
    const destroyed = await job(jobs, {
      ...BASE,
      command: 'destroy',
      'confirm-destroy': 'flyte-e2e'
    });
    expectSucceeded(destroyed);
    expect(jobs.harness.world().terraform.applied).toBeUndefined();
  });

  it('a second destroy finds nothing and changes nothing', async () => {
    const result = await job(jobs, {
      ...BASE,
      command: 'destroy',
      'confirm-destroy': 'flyte-e2e'
    });
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    expect(result.summary).toContain('Nothing changed');
  });

  it('never shows the database password anywhere, and leaves no file holding it', () => {
    expect(jobs.steps.length).toBeGreaterThanOrEqual(12);
    // The stand-in kubectl and helm leave the auth plugin's token cache beside the kubeconfig.
    expect(jobs.harness.findLeaks([PASSWORD, AUTH_PLUGIN_TOKEN], jobs.steps)).toEqual([]);
  });
});

describe('flyte with ingress: sslip.io, then a custom domain', () => {
  const jobs = jobsIn('workflow_dispatch', { password: PASSWORD, staticIp: STATIC_IP });

  it('without a domain: IP.sslip.io from the static IP, an Active certificate for it', async () => {
    const result = await job(jobs, INGRESS);
    expectSucceeded(result);
    const domain = `${STATIC_IP}.sslip.io`;
    expect(result.outputs.domain).toBe(domain);
    expect(result.outputs['ingress-ip']).toBe(STATIC_IP);
    expect(result.outputs['console-url']).toBe(`https://${domain}/console`);
    const gke = helmUpgrade(result, 'flyte-backend-gke');
    expect(gke).toHaveLength(1);
    expect(gke[0]?.args).toContain(`ingress.domain=${domain}`);
    // The one Ingress, the proxy's config and the certificate come before flyte-binary's pod,
    // whose proxy sidecar mounts the ConfigMap and the TLS Secret.
    const flyte = helmUpgrade(result, 'flyte-backend')[0] as ToolCall;
    expect(result.calls.indexOf(gke[0] as ToolCall)).toBeLessThan(result.calls.indexOf(flyte));
    expect(gke[0]?.args).toEqual(
      expect.arrayContaining([
        'ingress.staticIpName=flyte-e2e-flyte',
        'ingress.serviceName=flyte-backend-flyte-binary-http'
      ])
    );
    const tls = jobs.harness.world().kubectl.objects['Secret/flyte/flyte-backend-proxy-tls'];
    expect(tls.type).toBe('kubernetes.io/tls');
    const values = jobs.harness.world().helm.releases['flyte/flyte-backend'].values;
    expect(values.ingress.create).toBe(false);
    expect(values.deployment.sidecars[0].name).toBe('tls-proxy');
    expect(result.summary).toContain(`Managed certificate flyte-backend-cert is Active`);
    expect(result.summary).toContain(`${domain}: Active`);
    expect(result.outputs['client-config']).toContain(`endpoint: dns:///${domain}`);
    expect(result.summary).toContain('### Use Flyte from your laptop');
    // Open to the internet by request: said in the log and the summary.
    expect(result.warnings.join('\n')).toContain(
      'The Flyte API is open to the internet without authentication'
    );
    expect(result.summary).toContain(
      'The Flyte API is open to the internet without authentication'
    );
  });

  it('a second ingress deploy changes nothing', async () => {
    const result = await job(jobs, INGRESS);
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
  });

  it('with a custom domain: the certificate and console URL use it, Terraform stays put', async () => {
    const domain = 'flyte.acme.dev';
    const result = await job(jobs, { ...INGRESS, domain });
    expectSucceeded(result);
    expect(callsOf(result, 'terraform', 'apply')).toEqual([]);
    expect(helmUpgrade(result, 'flyte-backend-gke')[0]?.args).toContain(`ingress.domain=${domain}`);
    expect(result.outputs.domain).toBe(domain);
    expect(result.outputs['console-url']).toBe(`https://${domain}/console`);
    const certificate = callsOf(result, 'kubectl', 'get', 'managedcertificate');
    expect(certificate.length).toBeGreaterThan(0);
    expect(
      jobs.harness.world().helm.releases['flyte/flyte-backend-gke'].certificateDomains
    ).toEqual([domain]);
    expect(result.summary).toContain(`${domain}: Active`);
    expect(result.summary).not.toContain('sslip.io: Active');
  });

  it('turning ingress off upgrades Flyte without its Ingress and then removes the GKE objects', async () => {
    const result = await job(jobs, BASE);
    expectSucceeded(result);
    const calls = result.calls.map((c) => `${c.tool} ${c.args.join(' ')}`);
    const upgrade = calls.findIndex((c) => c.startsWith('helm upgrade --install flyte-backend '));
    const uninstall = calls.findIndex((c) => c.startsWith('helm uninstall flyte-backend-gke '));
    expect([upgrade >= 0, uninstall > upgrade]).toEqual([true, true]);
    expect(jobs.harness.world().helm.releases['flyte/flyte-backend-gke']).toBeUndefined();
    expect(result.outputs['console-url']).toBe('http://localhost:8088/console');
    const again = await job(jobs, BASE);
    expectSucceeded(again);
    expect(changingCalls(again)).toEqual([]);
  });

  it('never shows the database password anywhere', () => {
    // The ingress jobs above ran (main and post each); run alone, this check has nothing to see.
    expect(jobs.steps.length).toBeGreaterThanOrEqual(8);
    expect(jobs.harness.findLeaks([PASSWORD], jobs.steps)).toEqual([]);
  });
});

describe('flyte with IAP', () => {
  const jobs = jobsIn('push', { password: PASSWORD, staticIp: STATIC_IP });

  it('first IAP deploy: Secret on stdin only, IAP on the backend service, one binding per member', async () => {
    const from = jobs.harness.google.calls.length;
    const result = await job(jobs, IAP);
    expectSucceeded(result);
    const applies = callsOf(result, 'kubectl', 'apply').filter((c) =>
      c.stdin.includes('flyte-backend-iap-oauth')
    );
    expect(applies).toHaveLength(1);
    expect(applies[0]?.args).toEqual([
      'apply',
      '--server-side',
      '--field-manager=flyte-gke-action',
      '--filename',
      '-'
    ]);
    expect(applies[0]?.stdin).toContain(OAUTH_SECRET);
    expect(result.calls.filter((c) => c.args.join(' ').includes(OAUTH_SECRET))).toEqual([]);
    const secret = jobs.harness.world().kubectl.objects['Secret/flyte/flyte-backend-iap-oauth'];
    expect(decoded(secret.data)).toEqual({
      client_id: OAUTH_CLIENT_ID,
      client_secret: OAUTH_SECRET
    });
    expect(helmUpgrade(result, 'flyte-backend-gke')[0]?.args).toEqual(
      expect.arrayContaining(['iap.enabled=true', 'iap.secretName=flyte-backend-iap-oauth'])
    );

    // The BackendConfig turned IAP on; the action never enables it itself, nor runs gcloud for it.
    expect(callsOf(result, 'gcloud', 'iap')).toEqual([]);
    expect(callsOf(result, 'gcloud', 'compute', 'backend-services')).toEqual([]);
    const lists = jobs.harness.google.calls
      .slice(from)
      .filter((c) => c.service === 'compute' && c.path.endsWith('/global/backendServices'));
    expect(lists.length).toBeGreaterThan(0);
    expect(lists[0]?.query.get('filter')).toBe('name eq "k8s1-.*"');
    // One read-modify-write of the backend service's policy lets both members through.
    const sets = iapCalls(jobs, from, 'setIamPolicy');
    expect(sets).toHaveLength(1);
    const service = /\/services\/([^/:]+):setIamPolicy$/.exec(sets[0]?.path ?? '')?.[1];
    expect(service).toMatch(BACKEND_SERVICE);
    expect(sets[0]?.path).toBe(
      `/v1/projects/acme-flyte-e2e/iap_web/compute/services/${service}:setIamPolicy`
    );
    expect(accessors(jobs).sort()).toEqual(['group:flyte-users@acme.dev', 'user:alice@acme.dev']);
  });

  it('a second IAP deploy changes nothing: Secret, IAP and bindings are already in place', async () => {
    const from = jobs.harness.google.calls.length;
    const result = await job(jobs, IAP);
    expectSucceeded(result);
    expect(changingCalls(result)).toEqual([]);
    // It looked before deciding, and wrote no policy.
    expect(callsOf(result, 'kubectl', 'get', 'secret', 'flyte-backend-iap-oauth')).toHaveLength(1);
    expect(iapCalls(jobs, from, 'getIamPolicy')).toHaveLength(1);
    expect(iapCalls(jobs, from, 'setIamPolicy')).toEqual([]);
    expect(result.summary).toMatch(/nothing changed/i);
  });

  it('a new member gets exactly one binding; a new OAuth secret is applied again', async () => {
    const rotated = `${OAUTH_SECRET}-rotated`;
    const from = jobs.harness.google.calls.length;
    const result = await job(jobs, {
      ...IAP,
      'iap-oauth-client-secret': rotated,
      'iap-members': `${IAP['iap-members']}, user:bob@acme.dev`
    });
    expectSucceeded(result);
    expect(changingCalls(result).map((c) => c.split(' --')[0])).toEqual(['kubectl apply']);
    expect(iapCalls(jobs, from, 'setIamPolicy')).toHaveLength(1);
    expect(accessors(jobs).sort()).toEqual([
      'group:flyte-users@acme.dev',
      'user:alice@acme.dev',
      'user:bob@acme.dev'
    ]);
    const secret = jobs.harness.world().kubectl.objects['Secret/flyte/flyte-backend-iap-oauth'];
    expect(decoded(secret.data).client_secret).toBe(rotated);
    expect(jobs.harness.findLeaks([rotated], jobs.steps)).toEqual([]);
  });

  it('never shows the database password or the OAuth secret anywhere, and leaves no file', () => {
    // The IAP jobs above ran (main and post each); run alone, this check has nothing to see.
    expect(jobs.steps.length).toBeGreaterThanOrEqual(6);
    expect(jobs.harness.findLeaks([PASSWORD, OAUTH_SECRET], jobs.steps)).toEqual([]);
    expect(jobs.harness.leftoverFiles().filter((f) => f.includes('flyte-values'))).toEqual([]);
  });
});

describe('moving a deployment made with the earlier ingress layout', () => {
  const jobs = jobsIn('workflow_dispatch', { password: PASSWORD, staticIp: STATIC_IP });

  it('removes the chart Ingresses and the proxy-only subnet without manual steps, and says so', async () => {
    expectSucceeded(await job(jobs, IAP));
    // What an earlier version left: flyte-binary's own Ingresses (HTTP, and the gce-internal
    // gRPC one with its internal load balancer) and the proxy-only subnet in Terraform state.
    jobs.harness.setWorld((w) => {
      const release = w.helm.releases['flyte/flyte-backend'];
      release.values.ingress.create = true;
      release.values.deployment.annotations['flyte-gke-action/values-digest'] = 'earlier-layout';
      delete w.kubectl.deletedIngresses;
      w.terraform.applied = 'applied-by-an-earlier-version';
      w.terraform.resources = [...w.terraform.resources, 'google_compute_subnetwork.proxy_only'];
    });
    const result = await job(jobs, IAP);
    expectSucceeded(result);
    const index = (predicate: (c: ToolCall) => boolean) => result.calls.findIndex(predicate);
    const removeIngresses = index(
      (c) => c.tool === 'kubectl' && c.args[0] === 'delete' && c.args[1] === 'ingress'
    );
    const apply = index((c) => c.tool === 'terraform' && c.args[0] === 'apply');
    expect(result.calls[removeIngresses]?.args).toEqual(
      expect.arrayContaining(['flyte-backend-flyte-binary-http', 'flyte-backend-flyte-binary-grpc'])
    );
    // The internal Ingress went before the apply that deletes the subnet it needed.
    expect(removeIngresses).toBeGreaterThan(-1);
    expect(removeIngresses).toBeLessThan(apply);
    // It waited for the rule through Compute's aggregatedList, not gcloud.
    expect(callsOf(result, 'gcloud', 'compute')).toEqual([]);
    const rules = jobs.harness.google.calls.filter((c) =>
      c.path.endsWith('/compute/v1/projects/acme-flyte-e2e/aggregated/forwardingRules')
    );
    expect(rules.length).toBeGreaterThan(0);
    expect(rules[0]?.query.get('filter')).toBe('loadBalancingScheme eq "INTERNAL_MANAGED"');
    expect(jobs.harness.world().terraform.resources).not.toContain(
      'google_compute_subnetwork.proxy_only'
    );
    expect(result.summary).toContain('Removed the Ingresses of the earlier layout');
    expect(result.summary).toContain('Terraform removes the proxy-only subnet');
    expect(jobs.harness.world().helm.releases['flyte/flyte-backend'].values.ingress.create).toBe(
      false
    );
  });
});

describe('the chart is checked before Terraform applies', () => {
  const jobs = jobsIn('workflow_dispatch', { password: PASSWORD, staticIp: STATIC_IP });

  it('a chart version missing from the index stops before any change', async () => {
    // The stand-in repository's index lists v1.16.7 to v1.17.0, not v1.16.77.
    const result = await job(jobs, { ...BASE, 'chart-version': 'v1.16.77' });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toContain(
      'chart-version v1.16.77 is not in the https://flyteorg.github.io/flyte index (the latest 1.x versions there: v1.17.0, v1.16.10, v1.16.9, v1.16.8, v1.16.7)'
    );
    expect(callsOf(result, 'terraform', 'apply')).toEqual([]);
    expect(changingCalls(result).filter((c) => !c.startsWith('gcloud storage buckets'))).toEqual(
      []
    );
  });

  it('values that do not render stop before any change, with helm’s reason', async () => {
    jobs.harness.setRules({
      helm: [
        {
          match: ['template'],
          exitCode: 1,
          stderr:
            "Error: values don't meet the specifications of the schema(s): deployment.replicas: Invalid type\n"
        }
      ]
    });
    const result = await job(jobs, BASE);
    jobs.harness.setRules({});
    expect(result.exitCode).not.toBe(0);
    expect(result.errors.join('\n')).toMatch(
      /The values do not render with flyteorg\/flyte-binary v1\.16\.8, so nothing was applied:[\s\S]*deployment\.replicas: Invalid type/
    );
    expect(callsOf(result, 'terraform', 'apply')).toEqual([]);
  });

  it('the checked chart is the one the deploy then installs', async () => {
    const result = await job(jobs, BASE);
    expectSucceeded(result);
    const template = callsOf(result, 'helm', 'template')[0];
    expect(template?.args[2]).toMatch(/flyte-binary-v1\.16\.8\.tgz$/);
    const index = (c: ToolCall) => result.calls.indexOf(c);
    expect(index(template!)).toBeLessThan(index(callsOf(result, 'terraform', 'apply')[0]!));
  });
});
