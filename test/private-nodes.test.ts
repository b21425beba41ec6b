/**
 * Private nodes by default (issue #23 point 5): nodes without external IPs on Autopilot and
 * Standard, a Cloud NAT in the cluster's region and VPC for their way out, and a switch that a
 * live deployment can flip without Terraform replacing the cluster. The replacement check reads
 * the provider's ForceNew flags (test/contracts/google-provider-rules.json, from its Go source).
 */
import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  instances,
  loadModule,
  providerRules,
  withDefaults,
  type Config,
  type FieldRule,
  type Instance,
  type Module
} from './support/provider-rules/index.mjs';
import { terraformVariables, terraformVarsJson } from '../src/tools/terraform/args.js';
import { testInputs } from './support/fakes.js';
import { PROJECT_ROOT } from './support/project.js';

const MODULE_DIR = path.join(PROJECT_ROOT, 'terraform');
const rules = providerRules();

type Body = Record<string, unknown>;
const block = (body: Body, key: string): Body => (body[key] as Body[])[0]!;
const raw = (m: Module, address: string): Body =>
  m.resources.find((r) => `${r.type}.${r.name}` === address)!.body;

/** The cluster kinds a user can pick: Autopilot, Standard, Standard with a GPU pool. */
const KINDS = [
  { autopilot_cluster: true },
  { autopilot_cluster: false },
  { autopilot_cluster: false, gpu_accelerator_type: 'nvidia-l4' }
];
const at = (m: Module, vars: Record<string, unknown>) =>
  instances(m, withDefaults(m, { project_id: 'p-123456', ...vars }));
const find = (list: Instance[], address: string) => list.find((i) => i.address === address);

/** ForceNew arguments whose value differs between two configs of one resource ("a.0.b"). */
function replacingChanges(
  fields: Record<string, FieldRule>,
  a: Config | undefined,
  b: Config | undefined,
  prefix = ''
): string[] {
  const found: string[] = [];
  for (const [name, rule] of Object.entries(fields)) {
    const [va, vb] = [a?.[name], b?.[name]];
    const here = `${prefix}${name}`;
    if (JSON.stringify(va ?? null) === JSON.stringify(vb ?? null)) continue;
    if (rule.forceNew) found.push(here);
    else if (rule.block) {
      const [la, lb] = [(va ?? []) as Config[], (vb ?? []) as Config[]];
      for (let i = 0; i < Math.max(la.length, lb.length); i++)
        found.push(...replacingChanges(rule.block, la[i], lb[i], `${here}.${i}.`));
    }
  }
  return found;
}

/** `lifecycle.ignore_changes` as attribute paths ("a.0.b"). */
function ignored(body: Body): string[] {
  const lifecycle = (body.lifecycle as Body[] | undefined)?.[0];
  const text = String(lifecycle?.ignore_changes ?? '');
  return [...text.matchAll(/[a-z_][a-z0-9_]*(?:\[\d+\]|\.[a-z_][a-z0-9_]*)*/g)].map((m) =>
    m[0].replace(/\[(\d+)\]/g, '.$1')
  );
}

/** What flipping private_nodes on a live deployment would replace, per resource. */
function replacedByFlip(m: Module): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const kind of KINDS) {
    const on = at(m, { ...kind, private_nodes: true });
    const off = at(m, { ...kind, private_nodes: false });
    // The flip neither creates nor destroys a resource (the NAT stays, see network.tf).
    expect(off.map((i) => i.address)).toEqual(on.map((i) => i.address));
    // Every google_ type has rules (test/provider-rules.test.ts); random_* has none to read.
    for (const instance of on.filter((i) => rules.resources[i.type])) {
      const changes = replacingChanges(
        rules.resources[instance.type]!,
        instance.config,
        find(off, instance.address)!.config
      );
      const kept = ignored(raw(m, instance.address));
      const replacing = changes.filter((p) => !kept.some((k) => p === k || p.startsWith(`${k}.`)));
      if (replacing.length > 0) out[instance.address] = replacing;
    }
  }
  return out;
}

describe('private nodes by default', () => {
  it('gives no node an external IP, Autopilot or Standard, and keeps the public endpoint', async () => {
    const m = await loadModule(MODULE_DIR);
    expect(m.variables.private_nodes!.default).toBe(true);
    for (const kind of KINDS) {
      const list = at(m, kind);
      const cluster = find(list, 'google_container_cluster.main')!.config;
      // The runner reaches the control plane from the internet: no private endpoint.
      expect(cluster.private_cluster_config).toEqual([
        { enable_private_nodes: true, enable_private_endpoint: false }
      ]);
      // A Private Service Connect cluster needs no /28 for the control plane.
      expect(block(cluster, 'private_cluster_config')).not.toHaveProperty('master_ipv4_cidr_block');
      const pools = list.filter((i) => i.type === 'google_container_node_pool');
      expect(pools.length).toBe(kind.autopilot_cluster ? 0 : kind.gpu_accelerator_type ? 2 : 1);
      for (const pool of pools)
        expect(pool.config.network_config).toEqual([{ enable_private_nodes: true }]);
    }
  });

  it('gives them a Cloud NAT in the cluster region and VPC, for every range of its subnet', async () => {
    const m = await loadModule(MODULE_DIR);
    const list = at(m, { region: 'europe-west4' });
    const cluster = find(list, 'google_container_cluster.main')!.config;
    const router = find(list, 'google_compute_router.nat')!.config;
    const nat = find(list, 'google_compute_router_nat.nodes')!.config;
    expect(cluster.location).toBe('europe-west4');
    expect(router.region).toBe('europe-west4');
    expect(nat).toMatchObject({
      region: 'europe-west4',
      nat_ip_allocate_option: 'AUTO_ONLY',
      source_subnetwork_ip_ranges_to_nat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ source_ip_ranges_to_nat: ['ALL_IP_RANGES'] }]
    });
    // References are not evaluated: the HCL names the very network and subnet of the cluster.
    const rawCluster = raw(m, 'google_container_cluster.main');
    expect(raw(m, 'google_compute_router.nat').network).toBe(rawCluster.network);
    expect(rawCluster.network).toBe('${google_compute_network.vpc.id}');
    const rawNat = raw(m, 'google_compute_router_nat.nodes');
    expect(rawNat.router).toBe('${google_compute_router.nat.name}');
    expect(block(rawNat, 'subnetwork').name).toBe(rawCluster.subnetwork);
    // Google APIs (Artifact Registry, Cloud Storage) without the NAT: Private Google Access.
    expect(find(list, 'google_compute_subnetwork.nodes')!.config.private_ip_google_access).toBe(
      true
    );
  });

  it('makes the NAT before any node exists', async () => {
    const m = await loadModule(MODULE_DIR);
    for (const address of [
      'google_container_cluster.main',
      'google_container_node_pool.default',
      'google_container_node_pool.gpu'
    ])
      expect(String(raw(m, address).depends_on)).toContain('google_compute_router_nat.nodes');
  });

  it('reports what the cluster has, read from its resources, for preflight', async () => {
    const m = await loadModule(MODULE_DIR);
    const text = readFileSync(path.join(MODULE_DIR, 'outputs.tf'), 'utf8');
    const output = /output "private_nodes" \{[\s\S]*?\n\}/.exec(text)![0];
    expect(output).toContain('google_container_cluster.main.private_cluster_config');
    expect(output).toContain('network_config[0].enable_private_nodes');
    expect(output).not.toContain('var.private_nodes');
    expect(m.variables.private_nodes!.type).toBe('${bool}');
  });
});

describe('flipping private_nodes on a live deployment', () => {
  it('replaces nothing: every ForceNew argument it changes is kept after creation', async () => {
    expect(replacedByFlip(await loadModule(MODULE_DIR))).toEqual({});
  });

  it('is seen by the check: the cluster default is ForceNew, the pools turn private in place', async () => {
    const m = await loadModule(MODULE_DIR);
    const cluster = rules.resources.google_container_cluster!.private_cluster_config!.block!;
    expect(cluster.enable_private_nodes!.forceNew).toBe(true);
    const pool = rules.resources.google_container_node_pool!.network_config!.block!;
    expect(pool.enable_private_nodes!.forceNew).toBeUndefined();
    expect(ignored(raw(m, 'google_container_cluster.main'))).toContain(
      'private_cluster_config.0.enable_private_nodes'
    );
    // Not ignored on the pools, so an existing public pool becomes private on the next apply.
    for (const address of ['google_container_node_pool.default', 'google_container_node_pool.gpu'])
      expect(ignored(raw(m, address)).join()).not.toContain('network_config');
  });

  it('today-before-the-fix: without the ignore, the flip would replace the cluster', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'private-nodes-'));
    cpSync(MODULE_DIR, dir, { recursive: true });
    const file = path.join(dir, 'cluster.tf');
    const text = readFileSync(file, 'utf8');
    const line = '      private_cluster_config[0].enable_private_nodes,\n';
    expect(text).toContain(line);
    writeFileSync(file, text.replace(line, ''));
    expect(replacedByFlip(await loadModule(dir))).toEqual({
      'google_container_cluster.main': ['private_cluster_config.0.enable_private_nodes']
    });
  });
});

describe('the action passes private-nodes to the module', () => {
  it('as private_nodes, true by default and false when asked, typed as a boolean', () => {
    expect(terraformVariables(testInputs({})).private_nodes).toBe('true');
    const off = testInputs({ 'private-nodes': 'false' });
    expect(off.privateNodes).toBe(false);
    expect(JSON.parse(terraformVarsJson(off)).private_nodes).toBe(false);
  });

  it('refuses a value that is not a boolean, naming the input', () => {
    expect(() => testInputs({ 'private-nodes': 'maybe' })).toThrow(/private-nodes/);
  });
});
