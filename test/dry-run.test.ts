/** The dry run through the bundled action: the whole runbook, nothing executed, no network. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Harness, GITHUB_TOKEN } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const example = parse(
  readFileSync(path.join(PROJECT_ROOT, 'examples/inputs/dev.yml'), 'utf8')
) as Record<string, string>;
const SECRET = example['iap-oauth-client-secret'] as string;

/** Commands each runbook must contain, in order (tool and leading arguments). */
const EXPECTED: Record<string, string[]> = {
  deploy: ['terraform init', 'terraform plan', 'terraform apply', 'helm upgrade --install'],
  plan: ['terraform init', 'terraform plan', 'terraform show'],
  upgrade: ['terraform init', 'terraform output', 'helm upgrade --install'],
  destroy: ['terraform init', 'helm uninstall', 'terraform plan', 'terraform apply'],
  // The planner reads no Secret: the Deployment and the record, never `helm get`.
  drift: ['terraform init', 'terraform plan', 'kubectl get deployment', 'kubectl get configmap'],
  // Read-only: the outputs from state, the cluster (GKE's API, no gcloud), then the proof.
  verify: ['terraform init', 'terraform output']
};

/** The proof's steps, as the dry run lists them (deploy and verify alike). */
const PROOF_STEPS = [
  'Proof: the domain resolves to the static IP',
  'Proof: ManagedCertificate flyte-backend-cert is Active',
  'Proof: every backend of Ingress flyte-backend-ingress is HEALTHY',
  'Proof: mint an ID token for the IAP OAuth client',
  'Proof: https://DOMAIN/healthcheck answers 200 through the load balancer',
  'Proof: gRPC AdminService/GetVersion answers at the domain',
  'Proof: report each link'
];

describe('dry run', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await Harness.create({ event: 'pull_request', oidc: true });
  });
  afterAll(async () => harness.close());

  it.each(Object.keys(EXPECTED))('prints the %s runbook and runs nothing', async (command) => {
    const inputs = {
      ...example,
      command,
      'dry-run': 'true',
      'confirm-destroy': example['cluster-name'] as string
    };
    const result = await harness.run(inputs);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.calls).toEqual([]);
    expect(harness.trapRequests).toEqual([]);
    expect(result.stdout).toContain(`dry run: ${command} acme-flyte-dev/flyte-dev`);
    const commands = result.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('$ '))
      .map((l) => l.trim().slice(2));
    let at = 0;
    for (const expected of EXPECTED[command] ?? []) {
      const found = commands.findIndex((c, i) => i >= at && c.startsWith(expected));
      expect({ expected, found: found >= 0 }).toEqual({ expected, found: true });
      at = found;
    }
    if (command === 'deploy') {
      // IAP through Google's APIs, not gcloud: the list, the policy read and its guarded write.
      expect(
        commands.some((c) => c.startsWith('gcloud iap') || c.includes('backend-services'))
      ).toBe(false);
      for (const request of [
        'GET https://compute.googleapis.com/compute/v1/projects/acme-flyte-dev/global/backendServices?filter=name eq "k8s1-.*" (compute.backendServices.list)',
        'POST https://iap.googleapis.com/v1/projects/acme-flyte-dev/iap_web/compute/services/<backend-service>:getIamPolicy {options: {requestedPolicyVersion: 3}}',
        'POST https://iap.googleapis.com/v1/projects/acme-flyte-dev/iap_web/compute/services/<backend-service>:setIamPolicy'
      ]) {
        expect(result.stdout).toContain(request);
      }
      expect(result.stdout).toContain('not sent when every member holds the role already');
    }
    if (command === 'verify') {
      expect(result.stdout).toContain(
        'GET https://container.googleapis.com/v1/projects/acme-flyte-dev/locations/europe-west4/clusters/flyte-dev'
      );
    }
    // Only deploy and upgrade read the database password (the planner may not), through
    // Secret Manager's API, never gcloud.
    expect(commands.some((c) => c.startsWith('gcloud secrets'))).toBe(false);
    expect(result.stdout.includes('GET https://secretmanager.googleapis.com/v1/')).toBe(
      command === 'deploy' || command === 'upgrade'
    );
    expect(result.stdout).toContain('What would be posted');
    expect(result.stdout).toContain('nothing was executed');
    expect(harness.findLeaks([SECRET, GITHUB_TOKEN], [result])).toEqual([]);
  });

  it('says nothing was deployed, prints the values once, and puts the runbook in the job summary', async () => {
    const result = await harness.run({ ...example, 'dry-run': 'true' });
    expect(result.stdout).not.toMatch(/Deployed\./);
    expect(result.stdout).toContain('Dry run: nothing was deployed or changed.');
    // The values block (its top-level key) appears once, in the runbook's values step.
    expect(result.stdout.match(/^\s+clusterResourceTemplates:$/gm)).toHaveLength(1);
    expect(result.summary).toContain('## Flyte on GKE dry run: deploy');
    expect(result.summary).toContain('$ terraform plan');
    expect(result.summary).not.toMatch(/Deployed\./);
    expect(harness.findLeaks([SECRET], [result])).toEqual([]);
  });

  it('shows the patched Helm values with the password hidden', async () => {
    const result = await harness.run({ ...example, 'dry-run': 'true' });
    expect(result.stdout).toMatch(/configuration:/);
    expect(result.stdout).toMatch(/dbname|bucket/);
    // The password's place holds its secret version, redacted like the password itself.
    expect(result.stdout).toMatch(/password: (['"])\*\*\*\1/);
    expect(result.stdout).not.toContain('secret-manager:');
    // Deploy reads it from Secret Manager; the dry run shows the request.
    expect(result.stdout).toContain(
      'GET https://secretmanager.googleapis.com/v1/<cloudsql_password_secret>:access (secretmanager.versions.access)'
    );
  });

  it('shows the state lock check as Storage JSON API calls, not gcloud', async () => {
    const result = await harness.run({ ...example, 'dry-run': 'true' });
    // examples/inputs/dev.yml: the default state bucket and prefix of acme-flyte-dev/flyte-dev.
    const object = (name: string) =>
      `https://storage.googleapis.com/storage/v1/b/acme-flyte-dev-flyte-tfstate/o/flyte-gke%2Fflyte-dev%2F${name}`;
    expect(result.stdout).toContain(`GET ${object('default.tflock')} (storage.objects.get)`);
    expect(result.stdout).toContain(
      `DELETE ${object('default.tflock')}?ifGenerationMatch=<lock ID> (storage.objects.delete)`
    );
    expect(result.stdout).toMatch(
      /POST https:\/\/storage\.googleapis\.com\/upload\/storage\/v1\/b\/\S+\/o\?uploadType=media&name=\S+%2Fflyte-gke-lock-holder\.json <record> \(storage\.objects\.create\)/
    );
    expect(result.stdout).not.toMatch(/gcloud storage (cat|cp|rm|objects)/);
  });

  it("gets cluster credentials through GKE's API in every step, the legacy layout move included", async () => {
    const result = await harness.run({ ...example, 'dry-run': 'true' });
    expect(result.stdout).toMatch(
      /\d+\. Get cluster credentials \(to remove the internal Ingress first\) \[read-only\]\n {3}Only when the plan deletes [^\n]+\n {3}GET https:\/\/container\.googleapis\.com\/v1\/projects\/acme-flyte-dev\/locations\/[^/\s]+\/clusters\/flyte-dev /
    );
    expect(result.stdout).not.toContain('get-credentials');
  });

  describe('wording, command by command', () => {
    const dryRun = (command: string) =>
      harness.run({
        ...example,
        command,
        'dry-run': 'true',
        'confirm-destroy': example['cluster-name'] as string
      });
    const titles = (stdout: string) =>
      stdout
        .slice(0, stdout.indexOf('## What would be posted'))
        .split('\n')
        .map((l) => /^\d+\. (.+?) \[/.exec(l)?.[1])
        .filter((t): t is string => t !== undefined);

    it('upgrade runs no plan, so no report speaks of one, and nothing waits on a read-ahead', async () => {
      const result = await dryRun('upgrade');
      expect(result.errors).toEqual([]);
      expect(result.stdout).not.toMatch(/plan has changes|plans nothing|Terraform plan/i);
      expect(result.stdout).not.toMatch(/while Terraform planned/);
    });

    it('deploy says the dry run planned nothing, instead of claiming changes', async () => {
      const result = await dryRun('deploy');
      expect(result.stdout).toContain('A dry run plans nothing');
      expect(result.stdout).not.toContain('The plan has changes (no resource list was recorded)');
    });

    it.each(Object.keys(EXPECTED))('%s repeats no step', async (command) => {
      const result = await dryRun(command);
      const all = titles(result.stdout);
      expect(all.length).toBeGreaterThan(3);
      expect(all.filter((t, i) => all.indexOf(t) !== i)).toEqual([]);
    });

    it('shows the database backups with the condition each runs under', async () => {
      const deploy = (await dryRun('deploy')).stdout;
      // Through the Cloud SQL Admin API, with the permission each call needs; no gcloud.
      expect(deploy).toMatch(
        /\d+\. Back up the Cloud SQL instance <cloudsql_instance> before flyte-binary v[\d.]+ migrates it \(waits for it\) \[changes; only if the installed flyte-backend runs another flyte-binary chart version \(its migrations run on start\)\]\n {3}POST https:\/\/sqladmin\.googleapis\.com\/v1\/projects\/acme-flyte-dev\/instances\/<cloudsql_instance>\/backupRuns \{"description":"flyte-gke-action: before flyte-backend moves to flyte-binary v[\d.]+"\} \(backupRuns\.insert, cloudsql\.backupRuns\.create\)\n {3}then GET https:\/\/sqladmin\.googleapis\.com\/v1\/projects\/acme-flyte-dev\/operations\/<operation> every 10 s until it is DONE/
      );
      expect(deploy).toMatch(
        /\d+\. Name the backup just taken of <cloudsql_instance> \[read-only; [^\n]*\n {3}The backup's ID from the operation's backupContext\.backupId, or else GET [^\n]* \(backupRuns\.list, cloudsql\.backupRuns\.list\)[^\n]*\n {3}then GET [^\n]*\/backupRuns\/<id> \(backupRuns\.get, cloudsql\.backupRuns\.get\): it must be SUCCESSFUL\n/
      );
      expect(deploy).not.toContain('gcloud sql backups create');
      expect(deploy.indexOf('instances/<cloudsql_instance>/backupRuns')).toBeLessThan(
        deploy.indexOf('Install or upgrade flyte-backend (flyte-binary')
      );
      const destroy = (await dryRun('destroy')).stdout;
      expect(destroy).toMatch(
        /## Final database backup\n\d+\. Back up the Cloud SQL instance <cloudsql_instance> before destroy \(waits for it\) \[changes; only if final-backup is true and Terraform state holds the deployment\]/
      );
      // The peering is released through Compute's REST API, not gcloud.
      expect(destroy).toContain(
        'If it is: POST https://compute.googleapis.com/compute/v1/projects/acme-flyte-dev/global/networks/<network_name output>/removePeering {"name":"servicenetworking-googleapis-com"} (compute.networks.removePeering)'
      );
      expect(destroy).not.toContain('gcloud compute networks peerings');
      expect(destroy).not.toContain('gcloud sql backups create');
    });

    it.each(['deploy', 'verify'])(
      '%s lists the proof from outside, in order, and verify changes nothing',
      async (command) => {
        // The suites turn the proof after a deploy off (harness.ts); a user gets it by default.
        const result = await harness.run({
          ...example,
          command,
          'dry-run': 'true',
          'verify-after-deploy': 'true'
        });
        expect(result.errors).toEqual([]);
        const all = titles(result.stdout);
        const at = PROOF_STEPS.map((t) => all.indexOf(t));
        expect(at.every((i) => i >= 0)).toBe(true);
        expect([...at].sort((a, b) => a - b)).toEqual(at);
        expect(result.stdout).toContain(
          'GET https://flyte.dev.acme.example/healthcheck without a token'
        );
        expect(result.stdout).toContain(
          ':generateIdToken {audience: 123456789012-abcdef0123456789.apps.googleusercontent.com'
        );
        if (command === 'verify') {
          expect(result.stdout).not.toMatch(/\[changes|terraform apply|helm upgrade|kubectl apply/);
        }
      }
    );

    it.each(['deploy', 'plan'])(
      '%s shows the preflight checks, with what each reads, before the state bucket and Terraform',
      async (command) => {
        const result = await dryRun(command);
        const all = titles(result.stdout);
        const preflight = all.filter((t) => t.startsWith('Preflight:'));
        expect(preflight).toEqual([
          `Preflight: the ${command === 'plan' ? 'planner' : 'deployer'} holds the permissions ${command} needs`,
          'Preflight: the APIs the module needs are on, or the module turns them on',
          'Preflight: no organisation policy refuses what the module creates',
          `Preflight: GPU quota for the nvidia-l4 pool in ${example.region ?? 'us-central1'}`,
          'Preflight: stop before any change if a check failed'
        ]);
        expect(all.indexOf(preflight.at(-1)!)).toBeLessThan(
          all.findIndex((t) => /state bucket gs:|^Terraform init/.test(t))
        );
        expect(result.stdout).toContain(':testIamPermissions with the');
        expect(result.stdout).toContain(':getEffectivePolicy');
      }
    );

    it("task pods get their domain's account, not the Flyte one", async () => {
      const result = await dryRun('deploy');
      const customData = result.stdout.slice(result.stdout.indexOf('cluster_resources'));
      for (const domain of ['production', 'staging', 'development']) {
        expect(customData).toContain(`<task_service_accounts.${domain}>`);
      }
    });

    it.each(['deploy', 'upgrade'])(
      '%s shows the client configuration a data scientist gets',
      async (command) => {
        const result = await dryRun(command);
        expect(result.stdout).toContain('### Use Flyte from your laptop');
        expect(result.stdout).toContain('endpoint: dns:///flyte.dev.acme.example');
        expect(result.stdout).toContain('generate-user-id-token');
        expect(result.stdout).toContain('gcloud auth application-default login');
      }
    );
  });

  it.each([
    ['3.19.0', '--atomic', '--rollback-on-failure'],
    ['4.1.4', '--rollback-on-failure', '--atomic']
  ])('with helm-version %s shows the Helm flag that will run', async (version, shown, absent) => {
    const result = await harness.run({ ...example, 'dry-run': 'true', 'helm-version': version });
    const upgrades = result.stdout
      .split('\n')
      .filter((l) => l.trim().startsWith('$ helm upgrade --install'));
    expect(upgrades.length).toBeGreaterThanOrEqual(1);
    for (const line of upgrades) {
      expect(line).toContain(` ${shown} `);
      expect(line).not.toContain(` ${absent} `);
    }
  });
});
