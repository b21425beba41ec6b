/**
 * The Terraform module, parsed with HashiCorp's HCL parser, against what the action passes and
 * reads: both sides come from the action's own code (args builder, output table), not a copy.
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  terraformVariables,
  terraformVarsJson,
  variableArgs
} from '../src/tools/terraform/args.js';
import {
  DEPRECATED_OUTPUTS,
  OPTIONAL_MAP_OUTPUTS,
  OPTIONAL_OUTPUTS,
  REQUIRED_OUTPUTS,
  SENSITIVE_OUTPUTS
} from '../src/terraform/outputs.js';
import { PROTECTED_RESOURCES } from '../src/phases/terraform.js';
import { DEFAULT_VERSIONS, MODULE_TERRAFORM } from '../src/inputs.js';
import { testInputs } from './support/fakes.js';
import { PROJECT_ROOT } from './support/project.js';

type Block = Record<string, unknown>;
type Blocks = Record<string, Block[]>;
interface Module {
  variable: Blocks;
  output: Blocks;
  resource: Record<string, Blocks>;
  locals: Block[];
  terraform: Block[];
}

const MODULE_DIR = path.join(PROJECT_ROOT, 'terraform');
const TF_FILES = readdirSync(MODULE_DIR).filter((f) => f.endsWith('.tf'));

async function loadModule(): Promise<Module> {
  const merged: Module = { variable: {}, output: {}, resource: {}, locals: [], terraform: [] };
  for (const file of TF_FILES) {
    const json = (await parse(file, readFileSync(path.join(MODULE_DIR, file), 'utf8'))) as Partial<
      Record<keyof Module, unknown>
    >;
    Object.assign(merged.variable, json.variable ?? {});
    Object.assign(merged.output, json.output ?? {});
    for (const [type, byName] of Object.entries((json.resource ?? {}) as Record<string, Blocks>)) {
      merged.resource[type] = { ...(merged.resource[type] ?? {}), ...byName };
    }
    merged.locals.push(...((json.locals as Block[] | undefined) ?? []));
    merged.terraform.push(...((json.terraform as Block[] | undefined) ?? []));
  }
  return merged;
}

const first = (blocks: Block[] | undefined): Block => {
  expect(blocks).toBeDefined();
  return blocks![0]!;
};
const resource = (m: Module, type: string, name: string): Block => first(m.resource[type]?.[name]);
const nested = (block: Block, key: string): Block => first(block[key] as Block[] | undefined);
const localValue = (m: Module, name: string): unknown => m.locals.find((l) => name in l)?.[name];

// Every -var the action can pass: a GPU Standard cluster with ingress and a var file.
const richInputs = () =>
  testInputs({
    autopilot: 'false',
    'gpu-accelerator-type': 'nvidia-l4',
    ingress: 'true',
    iap: 'true',
    'iap-oauth-client-id': '123-abc.apps.googleusercontent.com',
    'iap-oauth-client-secret': 'not-used-here',
    'iap-members': 'user:a@example.com',
    'flyte-projects': 'flytesnacks, ml'
  });

describe('the Terraform module', () => {
  it('parses, and has one file per concern', async () => {
    expect(TF_FILES.sort()).toEqual(
      expect.arrayContaining([
        'apis.tf',
        'cluster.tf',
        'database.tf',
        'iam.tf',
        'ingress.tf',
        'network.tf',
        'outputs.tf',
        'storage.tf',
        'variables.tf',
        'versions.tf'
      ])
    );
    const m = await loadModule();
    const backend = first(m.terraform).backend as Record<string, unknown>;
    // A partial gcs backend: bucket and prefix come only from -backend-config at init.
    expect(backend.gcs).toEqual([{}]);
  });

  it('declares every variable the action passes, and nothing passed is unknown', async () => {
    const m = await loadModule();
    const passed = Object.keys(JSON.parse(terraformVarsJson(richInputs())) as object);
    expect(passed.length).toBeGreaterThan(15);
    for (const name of passed) expect(Object.keys(m.variable)).toContain(name);
    // The same names whatever the inputs (no variable appears only for some runs, except GPU).
    const minimal = Object.keys(terraformVariables(testInputs()));
    for (const name of minimal) expect(passed).toContain(name);
  });

  it('gives every variable the action may leave out a default', async () => {
    const m = await loadModule();
    const alwaysPassed = new Set(Object.keys(terraformVariables(testInputs())));
    for (const [name, blocks] of Object.entries(m.variable)) {
      if (alwaysPassed.has(name)) continue;
      expect([name, 'default' in first(blocks)]).toEqual([name, true]);
    }
  });

  it('declares every output the action reads, and none that holds a secret', async () => {
    const m = await loadModule();
    const deprecated: readonly string[] = DEPRECATED_OUTPUTS;
    for (const name of [
      ...Object.values(REQUIRED_OUTPUTS),
      ...Object.values(OPTIONAL_OUTPUTS).filter((n) => !deprecated.includes(n)),
      ...Object.values(OPTIONAL_MAP_OUTPUTS)
    ]) {
      expect(Object.keys(m.output)).toContain(name);
    }
    // The one account for every domain is gone; a custom module may still give it.
    for (const name of deprecated) expect(m.output[name]).toBeUndefined();
    // The password is in no output (outputs are state); the legacy one is gone.
    for (const name of SENSITIVE_OUTPUTS) expect(m.output[name]).toBeUndefined();
    const sensitive = Object.entries(m.output)
      .filter(([, b]) => first(b).sensitive === true)
      .map(([n]) => n);
    expect(sensitive).toEqual([]);
    expect(first(m.output.cloudsql_password_secret).value).toBe(
      '${google_secret_manager_secret_version.database_password.name}'
    );
  });

  it('creates node pools only when autopilot is false, the GPU pool only with a GPU type', async () => {
    const m = await loadModule();
    const pools = m.resource.google_container_node_pool ?? {};
    expect(Object.keys(pools).sort()).toEqual(['default', 'gpu']);
    for (const pool of Object.values(pools)) {
      const repeat = String(first(pool).count ?? first(pool).for_each);
      const condition = repeat.includes('local.')
        ? String(localValue(m, /local\.(\w+)/.exec(repeat)![1]!))
        : repeat;
      expect(condition).toMatch(/var\.autopilot_cluster/);
    }
    expect(String(localValue(m, 'gpu_pool_enabled'))).toMatch(
      /!var\.autopilot_cluster && var\.gpu_accelerator_type != ""/
    );
    const gpu = first(pools.gpu);
    const config = nested(gpu, 'node_config');
    expect(nested(config, 'taint')).toEqual({
      key: 'nvidia.com/gpu',
      value: 'present',
      effect: 'NO_SCHEDULE'
    });
    expect(nested(config, 'guest_accelerator')).toMatchObject({
      type: '${var.gpu_accelerator_type}',
      count: '${var.gpu_accelerator_count}'
    });
    expect(nested(gpu, 'autoscaling')).toMatchObject({
      total_min_node_count: '${var.gpu_min_nodes}',
      total_max_node_count: '${var.gpu_max_nodes}'
    });
  });

  it('runs every node as the minimal node account, on Standard pools and on Autopilot', async () => {
    const m = await loadModule();
    const account = resource(m, 'google_service_account', 'nodes');
    // One account whatever the cluster kind: Autopilot needs it as much as Standard.
    expect(account.count).toBeUndefined();
    for (const pool of Object.values(m.resource.google_container_node_pool ?? {})) {
      expect(nested(first(pool), 'node_config').service_account).toBe(
        '${google_service_account.nodes.email}'
      );
    }
    const cluster = resource(m, 'google_container_cluster', 'main');
    const autoscaling = (cluster.dynamic as Record<string, Block[]>).cluster_autoscaling;
    expect(String(first(autoscaling).for_each)).toMatch(/var\.autopilot_cluster \? \[1\] : \[\]/);
    const defaults = nested(
      first(first(autoscaling).content as Block[]),
      'auto_provisioning_defaults'
    );
    expect(defaults.service_account).toBe('${google_service_account.nodes.email}');
    const roles = String(first(m.resource.google_project_iam_member?.nodes).for_each);
    expect(roles).toContain('roles/container.defaultNodeServiceAccount');
    expect(roles).not.toMatch(/roles\/(editor|owner)/);
  });

  it('starts a new Standard default pool with nodes', async () => {
    const m = await loadModule();
    const pool = first(m.resource.google_container_node_pool?.default);
    expect(pool.initial_node_count).toBe('${max(var.node_min_count, 1)}');
    // The argument forces replacement: an existing pool is never recreated for it.
    expect(JSON.stringify(pool.lifecycle)).toContain('initial_node_count');
  });

  it('makes the cluster Autopilot or Standard with workload identity and a release channel', async () => {
    const m = await loadModule();
    const cluster = resource(m, 'google_container_cluster', 'main');
    expect(cluster.enable_autopilot).toMatch(/var\.autopilot_cluster/);
    expect(cluster.deletion_protection).toBe('${var.deletion_protection}');
    expect(nested(cluster, 'release_channel').channel).toBe('${var.release_channel}');
    const identity = (cluster.dynamic as Record<string, Block[]>).workload_identity_config;
    expect(JSON.stringify(identity)).toContain('.svc.id.goog');
    expect(nested(cluster, 'ip_allocation_policy')).toEqual({
      cluster_secondary_range_name: 'pods',
      services_secondary_range_name: 'services'
    });
  });

  it('keeps the bucket private: uniform access and public access prevention enforced', async () => {
    const m = await loadModule();
    const bucket = resource(m, 'google_storage_bucket', 'data');
    expect(bucket.uniform_bucket_level_access).toBe(true);
    expect(bucket.public_access_prevention).toBe('enforced');
  });

  it('gives Cloud SQL a private IP only, through private services access', async () => {
    const m = await loadModule();
    const sql = resource(m, 'google_sql_database_instance', 'main');
    const ip = nested(nested(sql, 'settings'), 'ip_configuration');
    expect(ip.ipv4_enabled).toBe(false);
    expect(ip.private_network).toBe('${google_compute_network.vpc.id}');
    expect(sql.depends_on).toEqual(['${google_service_networking_connection.private_services}']);
    expect(resource(m, 'google_compute_global_address', 'private_services')).toMatchObject({
      purpose: 'VPC_PEERING',
      address_type: 'INTERNAL'
    });
    // No proxy-only subnet: no internal load balancer any more (one public Ingress serves gRPC).
    expect(Object.keys(m.resource.google_compute_subnetwork ?? {})).toEqual(['nodes']);
  });

  it('keeps the database password out of state: an ephemeral value, write-only arguments only', async () => {
    const m = await loadModule();
    const text = TF_FILES.map((f) => readFileSync(path.join(MODULE_DIR, f), 'utf8')).join('\n');
    const json = (await parse('all.tf', text)) as {
      ephemeral?: Record<string, Blocks>;
      removed?: Block[];
    };
    const ephemeral = first(json.ephemeral?.random_password?.database);
    expect(ephemeral.special).toBe(false);
    const generated = '${ephemeral.random_password.database.result}';
    // Nothing that keeps a value in state reads it: only the two write-only arguments.
    expect(text.match(/ephemeral\.random_password\.database\.result/g)).toHaveLength(2);
    const user = resource(m, 'google_sql_user', 'flyte');
    expect(user.password).toBeUndefined();
    expect(user.password_wo).toBe(generated);
    const version = resource(m, 'google_secret_manager_secret_version', 'database_password');
    expect(version.secret_data).toBeUndefined();
    expect(version.secret_data_wo).toBe(generated);
    expect(version.secret_data_wo_version).toBe('${var.database_password_version}');
    // A new secret version always reaches the user in the same apply.
    expect(user.password_wo_version).toBe(
      '${tonumber(google_secret_manager_secret_version.database_password.version)}'
    );
    expect(version.secret).toBe('${google_secret_manager_secret.database_password.id}');
    // No random_password resource is left, and the one earlier states hold is forgotten, not destroyed.
    expect(m.resource.random_password).toBeUndefined();
    const removed = json.removed ?? [];
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({ from: '${random_password.database}' });
    expect(nested(removed[0]!, 'lifecycle').destroy).toBe(false);
    // Secret Manager is among the APIs the module enables.
    expect(localValue(m, 'base_services')).toContain('secretmanager.googleapis.com');
  });

  it('asks for a Terraform with write-only arguments (1.11), which the action installs by default', () => {
    const versions = readFileSync(path.join(MODULE_DIR, 'versions.tf'), 'utf8');
    const required = /required_version\s*=\s*">=\s*(\d+)\.(\d+)\.\d+"/.exec(versions);
    expect(required).not.toBeNull();
    const [major, minor] = [Number(required![1]), Number(required![2])];
    expect(major * 100 + minor).toBeGreaterThanOrEqual(111);
    // The input check refuses an older terraform-version with the same minimum.
    expect(`${major}.${minor}.0`).toBe(MODULE_TERRAFORM);
    const [dMajor, dMinor] = DEFAULT_VERSIONS.terraform.split('.').map(Number) as [number, number];
    expect(dMajor * 100 + dMinor).toBeGreaterThanOrEqual(major * 100 + minor);
  });

  it("binds flyte-binary to its own account, and each PROJECT-DOMAIN namespace to its domain's", async () => {
    const m = await loadModule();
    const flyte = resource(m, 'google_service_account_iam_member', 'flyte_workload_identity');
    expect(flyte.role).toBe('roles/iam.workloadIdentityUser');
    expect(flyte.service_account_id).toBe('${google_service_account.flyte.name}');
    // One member, keyed as earlier versions keyed it, so an upgrade keeps the binding in place.
    expect(String(flyte.for_each)).toContain('[${var.namespace}/${local.flyte_ksa}]');
    expect(flyte.member).toBe('${each.value}');
    expect(resource(m, 'google_service_account', 'domain_tasks').for_each).toBe(
      '${toset(var.flyte_domains)}'
    );
    const tasks = resource(
      m,
      'google_service_account_iam_member',
      'domain_tasks_workload_identity'
    );
    expect(tasks.service_account_id).toBe(
      '${google_service_account.domain_tasks[each.value.domain].name}'
    );
    expect(tasks.for_each).toBe('${local.task_namespaces}');
    expect(tasks.member).toBe(
      'serviceAccount:${local.workload_pool}[${each.value.namespace}/default]'
    );
    expect(String(localValue(m, 'task_namespaces'))).toMatch(
      /setproduct\(var\.flyte_projects, var\.flyte_domains\)/
    );
    // The single account for every domain is gone (test/domain-data-access.test.ts evaluates
    // what each domain's account may do).
    expect(m.resource.google_service_account?.tasks).toBeUndefined();
    // Task accounts may only use the bucket's objects: no signing, no bucket metadata, no project
    // role; every grant but reading carries an object-prefix condition.
    const grants = Object.entries(m.resource)
      .flatMap(([type, byName]) => Object.values(byName).map((b) => ({ type, body: first(b) })))
      .filter((g) => JSON.stringify(g.body).includes('google_service_account.domain_tasks['));
    for (const g of grants.filter((x) => x.type === 'google_storage_bucket_iam_member')) {
      if (g.body.role === 'roles/storage.objectViewer') continue;
      expect(['roles/storage.objectUser', 'roles/storage.objectCreator']).toContain(g.body.role);
      expect(nested(g.body, 'condition').expression).toContain('resource.name.startsWith(');
    }
    expect(new Set(grants.map((g) => g.type))).toEqual(
      new Set(['google_storage_bucket_iam_member', 'google_service_account_iam_member'])
    );
    expect(first(m.variable.flyte_domains).default).toEqual([
      'development',
      'staging',
      'production'
    ]);
  });

  it('grants Flyte least-privilege roles: objects on its bucket, signing as itself, logs', async () => {
    const m = await loadModule();
    expect(resource(m, 'google_storage_bucket_iam_member', 'flyte_objects')).toMatchObject({
      bucket: '${google_storage_bucket.data.name}',
      role: 'roles/storage.objectAdmin'
    });
    expect(resource(m, 'google_service_account_iam_member', 'flyte_sign_blobs')).toMatchObject({
      role: 'roles/iam.serviceAccountTokenCreator',
      service_account_id: '${google_service_account.flyte.name}',
      member: '${google_service_account.flyte.member}'
    });
    expect(resource(m, 'google_project_iam_member', 'flyte_logging').role).toBe(
      'roles/logging.logWriter'
    );
    // No broad project role for Flyte's account.
    const projectRoles = Object.values(m.resource.google_project_iam_member ?? {})
      .map((b) => first(b))
      .filter((b) => String(b.member).includes('google_service_account.flyte.'))
      .map((b) => b.role);
    expect(projectRoles).toEqual(['roles/logging.logWriter']);
  });

  it('enables the APIs a fresh project needs, and IAP only when asked', async () => {
    const m = await loadModule();
    const base = localValue(m, 'base_services') as string[];
    for (const api of [
      'container',
      'sqladmin',
      'servicenetworking',
      'compute',
      'iam',
      'iamcredentials',
      'cloudresourcemanager',
      'serviceusage',
      'storage'
    ]) {
      expect(base).toContain(`${api}.googleapis.com`);
    }
    expect(String(localValue(m, 'services'))).toContain('var.iap ? ["iap.googleapis.com"]');
  });

  it('reserves the global static IP only when ingress is on', async () => {
    const m = await loadModule();
    const ip = resource(m, 'google_compute_global_address', 'ingress');
    expect(ip.count).toBe('${var.ingress ? 1 : 0}');
    expect(ip.ip_version).toBe('IPV4');
  });

  it('ties every resource the destroy unlocks to var.deletion_protection', async () => {
    const m = await loadModule();
    for (const address of PROTECTED_RESOURCES) {
      const [type, name] = address.split('.') as [string, string];
      const text = JSON.stringify(resource(m, type, name));
      expect(text).toContain('var.deletion_protection');
    }
  });

  const terraform = ['/usr/local/bin/terraform', '/usr/bin/terraform'].find((p) => existsSync(p));
  (terraform ? it : it.skip)(
    'is formatted as terraform fmt wants (skipped without terraform)',
    () => {
      expect(() =>
        execFileSync(terraform!, ['fmt', '-check', '-recursive', MODULE_DIR], { stdio: 'pipe' })
      ).not.toThrow();
    }
  );
});

describe('workload identity and the Helm values agree on the Flyte domains', () => {
  it('passes the very domains the values annotate, whatever a tfvars file says', async () => {
    const { FLYTE_DOMAINS } = await import('../src/values/names.js');
    const vars = terraformVariables(testInputs());
    expect(JSON.parse(vars.flyte_domains ?? 'null')).toEqual([...FLYTE_DOMAINS]);
    const args = variableArgs(
      testInputs({ 'terraform-var-file': 'terraform/example.tfvars' }),
      '/tmp/run/terraform/deploy.tfplan'
    );
    // The action's file comes after the user's, so the action's value wins.
    expect(args).toEqual([
      expect.stringMatching(/^-var-file=.*example\.tfvars$/),
      '-var-file=/tmp/run/terraform/action.tfvars.json'
    ]);
    expect(JSON.parse(terraformVarsJson(testInputs())).flyte_domains).toEqual([...FLYTE_DOMAINS]);
  });
});

describe('the committed provider lock file', () => {
  it('pins the providers versions.tf allows, with the registry hashes of every platform', async () => {
    const lock = (await parse(
      '.terraform.lock.hcl',
      readFileSync(path.join(MODULE_DIR, '.terraform.lock.hcl'), 'utf8')
    )) as {
      provider: Record<string, { version: string; constraints: string; hashes: string[] }[]>;
    };
    const google = lock.provider['registry.terraform.io/hashicorp/google']![0]!;
    const random = lock.provider['registry.terraform.io/hashicorp/random']![0]!;
    // The very version the schema test checks the module against.
    expect(google.version).toBe('6.50.0');
    expect(google.constraints).toBe('~> 6.0');
    // 3.7 brings ephemeral "random_password".
    expect(random.version).toMatch(/^3\.(7|8|9)\.\d+$/);
    const versions = readFileSync(path.join(MODULE_DIR, 'versions.tf'), 'utf8');
    expect(versions).toContain(`version = "${google.constraints}"`);
    expect(versions).toContain(`version = "${random.constraints}"`);
    // zh: hashes are the registry's SHA256SUMS: one per platform archive (linux and darwin on
    // amd64 and arm64 among them), so init verifies the download on every runner.
    for (const provider of [google, random]) {
      const zh = provider.hashes.filter((h) => h.startsWith('zh:'));
      expect(zh.length).toBeGreaterThanOrEqual(12);
      for (const hash of zh) expect(hash).toMatch(/^zh:[0-9a-f]{64}$/);
    }
  });
});
