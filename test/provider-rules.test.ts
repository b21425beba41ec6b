/**
 * The module against the google provider's own validation rules (Required, ConflictsWith,
 * ExactlyOneOf, AtLeastOneOf, RequiredWith, MaxItems, StringInSlice enums), as extracted from its
 * Go source at v6.50.0 by scripts/provider-rules.mjs into test/contracts/google-provider-rules.json.
 * Each resource is evaluated under every combination of the variables it reads.
 */
import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkAllCombinations,
  instances,
  loadModule,
  moduleViolations,
  providerRules,
  ruleErrors,
  variableChoices,
  violations,
  withDefaults,
  type Module
} from './support/provider-rules/index.mjs';
import { usedBlocks } from '../scripts/provider-rules.mjs';
import { providerSchema, type SchemaStruct } from './support/provider-schema.js';
import { PROJECT_ROOT } from './support/project.js';

const MODULE_DIR = path.join(PROJECT_ROOT, 'terraform');
const rules = providerRules();

/** A copy of the module with `from` replaced by `to` in `file` (the text must be there). */
async function planted(file: string, from: string, to: string): Promise<Module> {
  const dir = mkdtempSync(path.join(tmpdir(), 'provider-rules-'));
  cpSync(MODULE_DIR, dir, { recursive: true });
  const text = readFileSync(path.join(dir, file), 'utf8');
  expect(text).toContain(from);
  writeFileSync(path.join(dir, file), text.replace(from, to));
  return loadModule(dir);
}

const allViolations = (m: Module) => checkAllCombinations(m, rules, moduleViolations).violations;
const details = (m: Module) =>
  allViolations(m).map((v) => `${v.address}: ${v.summary} ${v.detail}`);

describe('the provider rules data', () => {
  it('comes from the google provider source at v6.50.0 and the SDK it builds with', () => {
    expect(rules.tag).toBe('v6.50.0');
    expect(rules.commit).toBe('956f510990a78614a06730c34e93779171c5e8f7');
    expect(rules.sdk).toBe('github.com/hashicorp/terraform-plugin-sdk/v2 v2.37.0');
  });

  it('covers every google resource type and nested block the module uses', async () => {
    const used = usedBlocks(await loadModule(MODULE_DIR));
    const missing: string[] = [];
    for (const [type, blocks] of Object.entries(used)) {
      if (!type.startsWith('google_')) continue;
      if (!rules.resources[type]) missing.push(type);
      for (const block of blocks) {
        let at = rules.resources[type];
        for (const part of block.split('/')) at = at?.[part]?.block;
        if (!at) missing.push(`${type} ${block}`);
      }
    }
    // Missing: rerun `node scripts/provider-rules.mjs` with the provider's mirror.
    expect(missing).toEqual([]);
    expect(Object.keys(used).filter((t) => t.startsWith('google_')).length).toBeGreaterThan(10);
  });

  it('names exactly the arguments of the schema generated from the same provider version', () => {
    // Two independent readings of v6.50.0 (its Go source here, @cdktf/provider-google's manifest
    // there) agree, so the Go reader lost no field; `id` and `timeouts` the SDK adds itself.
    const differences: string[] = [];
    const compare = (
      struct: SchemaStruct,
      fields: (typeof rules.resources)[string],
      where: string
    ) => {
      const schemaNames = [...Object.keys(struct.attributes), ...Object.keys(struct.blocks)]
        .filter((n) => n !== 'id' && n !== 'timeouts')
        .sort();
      const ruleNames = Object.keys(fields)
        .filter((n) => fields[n]!.optional || fields[n]!.required)
        .sort();
      if (JSON.stringify(schemaNames) !== JSON.stringify(ruleNames)) differences.push(where);
      for (const [name, field] of Object.entries(fields)) {
        const block = struct.blocks[name];
        if (field.block && block) compare(block, field.block, `${where}.${name}`);
      }
    };
    for (const [type, fields] of Object.entries(rules.resources)) {
      compare(providerSchema().resources[type]!, fields, type);
    }
    expect(differences).toEqual([]);
  });

  it('holds the rules this module depends on, as the provider declares them', () => {
    const cluster = rules.resources.google_container_cluster!;
    expect(cluster.enable_shielded_nodes!.conflictsWith).toEqual(['enable_autopilot']);
    expect(cluster.release_channel!.maxItems).toBe(1);
    expect(cluster.release_channel!.block!.channel!.enum).toContain('EXTENDED');
    const settings = rules.resources.google_sql_database_instance!.settings!.block!;
    expect(settings.availability_type!.enum!.sort()).toEqual(['REGIONAL', 'ZONAL']);
    expect(rules.resources.google_sql_user!.password_wo_version!.requiredWith).toEqual([
      'password_wo'
    ]);
  });
});

describe('the module under every combination of its variables', () => {
  it('breaks no provider rule', async () => {
    const m = await loadModule(MODULE_DIR);
    const {
      violations: found,
      checked,
      choices
    } = checkAllCombinations(m, rules, moduleViolations);
    expect(found).toEqual([]);
    // The switches the module has are all tried, on both sides.
    expect(choices.autopilot_cluster).toEqual([true, false]);
    expect(choices.private_nodes).toEqual([true, false]);
    expect(choices.ingress).toEqual([true, false]);
    expect(choices.iap).toEqual([true, false]);
    expect(choices.gpu_accelerator_type).toContain('');
    expect(choices.gpu_accelerator_type!.length).toBe(2);
    expect(choices.database_availability_type).toEqual(['ZONAL', 'REGIONAL']);
    expect(choices.release_channel).toEqual(['RAPID', 'REGULAR', 'STABLE', 'EXTENDED']);
    // autopilot × private_nodes × ingress × iap × GPU type, at least.
    expect(checked['google_container_cluster.main']).toBeGreaterThanOrEqual(32);
    expect(checked['google_container_node_pool.gpu']).toBeGreaterThanOrEqual(8);
    expect(checked['google_sql_database_instance.main']).toBeGreaterThanOrEqual(2);
  });

  it('sees null arguments and empty dynamic blocks as unset, and count 0 as no resource', async () => {
    const m = await loadModule(MODULE_DIR);
    const at = (vars: Record<string, unknown>, address: string) =>
      instances(m, withDefaults(m, { project_id: 'p-123456', ...vars })).find(
        (i) => i.address === address
      );
    const autopilot = at({ autopilot_cluster: true }, 'google_container_cluster.main')!.config;
    expect(autopilot.enable_autopilot).toBe(true);
    expect(autopilot).not.toHaveProperty('enable_shielded_nodes');
    expect(autopilot).not.toHaveProperty('workload_identity_config');
    expect(autopilot.cluster_autoscaling).toHaveLength(1);
    const standard = at({ autopilot_cluster: false }, 'google_container_cluster.main')!.config;
    expect(standard).not.toHaveProperty('enable_autopilot');
    expect(standard.enable_shielded_nodes).toBe(true);
    expect(standard).not.toHaveProperty('cluster_autoscaling');
    expect(at({ autopilot_cluster: true }, 'google_container_node_pool.default')).toBeUndefined();
    expect(
      at(
        { autopilot_cluster: false, gpu_accelerator_type: 'nvidia-l4' },
        'google_container_node_pool.gpu'
      )
    ).toBeDefined();
  });
});

describe('planted violations are caught', () => {
  it('today-before-the-fix: enable_shielded_nodes beside enable_autopilot (ConflictsWith)', async () => {
    const m = await planted(
      'cluster.tf',
      'enable_shielded_nodes = var.autopilot_cluster ? null : true',
      'enable_shielded_nodes = true'
    );
    const found = allViolations(m);
    expect(found.map((v) => [v.address, v.summary, v.detail])).toEqual([
      [
        'google_container_cluster.main',
        'Conflicting configuration arguments',
        '"enable_shielded_nodes": conflicts with enable_autopilot'
      ]
    ]);
    // Only Autopilot sets enable_autopilot, so only Autopilot combinations fail.
    expect(found[0]!.vars.autopilot_cluster).toBe(true);
  });

  it('an enum typo (StringInSlice), in the Standard combinations only', async () => {
    const m = await planted('cluster.tf', '"ADVANCED_DATAPATH"', '"ADVANCED_DATAPTH"');
    const found = allViolations(m);
    expect(found).toHaveLength(1);
    expect(found[0]!.summary).toBe(
      'expected datapath_provider to be one of ["DATAPATH_PROVIDER_UNSPECIFIED" "LEGACY_DATAPATH" "ADVANCED_DATAPATH"], got ADVANCED_DATAPTH'
    );
    expect(found[0]!.vars.autopilot_cluster).toBe(false);
  });

  it('an enum typo inside nested blocks (settings.0.ip_configuration.0.ssl_mode)', async () => {
    const m = await planted('database.tf', '"ENCRYPTED_ONLY"', '"ENCRYPTED"');
    expect(details(m).join('\n')).toContain(
      'expected settings.0.ip_configuration.0.ssl_mode to be one of'
    );
  });

  it('a missing RequiredWith partner', async () => {
    const m = await planted(
      'database.tf',
      'password_wo         = ephemeral.random_password.database.result\n',
      ''
    );
    expect(details(m)).toEqual([
      'google_sql_user.flyte: Missing required argument "password_wo_version": all of `password_wo,password_wo_version` must be specified'
    ]);
  });

  it('an AtLeastOneOf block left empty', async () => {
    const m = await planted(
      'database.tf',
      /backup_configuration \{[^}]*\}/.exec(
        readFileSync(path.join(MODULE_DIR, 'database.tf'), 'utf8')
      )![0],
      'backup_configuration {}'
    );
    const found = details(m);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(
      /^google_sql_database_instance\.main: Missing required argument "settings\.0\.backup_configuration\.0\.[a-z_]+": one of `settings\.0\.backup_configuration\.0\.backup_retention_settings,.*` must be specified$/
    );
  });

  it('a second block where MaxItems is 1', async () => {
    const m = await planted(
      'cluster.tf',
      '  release_channel {',
      '  release_channel {\n    channel = "STABLE"\n  }\n  release_channel {'
    );
    expect(details(m)).toEqual([
      'google_container_cluster.main: Too many list items Attribute release_channel supports 1 item maximum, but config has 2 declared.'
    ]);
  });

  it('a Required argument left out, in a nested block and at the top', async () => {
    const nested = await planted('cluster.tf', 'channel = var.release_channel', '');
    expect(details(nested)).toEqual([
      'google_container_cluster.main: Missing required argument The argument "release_channel.0.channel" is required, but no definition was found.'
    ]);
    const top = await planted('apis.tf', 'service                    = each.value', '');
    expect(details(top)).toEqual([
      'google_project_service.enabled: Missing required argument The argument "service" is required, but no definition was found.'
    ]);
  });

  it('a conditional null on a Required argument fails only where it is null', async () => {
    const m = await planted(
      'network.tf',
      'network                  = google_compute_network.vpc.id',
      'network                  = var.ingress ? google_compute_network.vpc.id : null'
    );
    const found = allViolations(m);
    expect(found.map((v) => v.detail)).toEqual([
      'The argument "network" is required, but no definition was found.'
    ]);
    expect(found[0]!.vars.ingress).toBe(false);
  });

  it('ExactlyOneOf: none or two of the keys', () => {
    // No resource the module uses has one yet; these are google_secret_manager_secret's
    // replication rules at v6.50.0 (resource_secret_manager_secret.go), for when it does.
    const exactly = ['replication.0.user_managed', 'replication.0.auto'];
    const fields = {
      replication: {
        type: 'list',
        required: true,
        maxItems: 1,
        block: {
          auto: { type: 'list', optional: true, maxItems: 1, exactlyOneOf: exactly, block: {} },
          user_managed: {
            type: 'list',
            optional: true,
            maxItems: 1,
            exactlyOneOf: exactly,
            block: {}
          }
        }
      }
    };
    const none = violations(fields, { replication: [{}] });
    expect(none[0]!.detail).toBe(
      '"replication.0.auto": one of `replication.0.auto,replication.0.user_managed` must be specified'
    );
    const both = violations(fields, { replication: [{ auto: [{}], user_managed: [{}] }] });
    expect(both[0]!.detail).toBe(
      '"replication.0.auto": only one of `replication.0.auto,replication.0.user_managed` can be specified, but `replication.0.auto,replication.0.user_managed` were specified.'
    );
    expect(violations(fields, { replication: [{ auto: [{}] }] })).toEqual([]);
  });

  it('ruleErrors prints them as terraform does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provider-rules-'));
    cpSync(MODULE_DIR, dir, { recursive: true });
    const file = path.join(dir, 'cluster.tf');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'enable_shielded_nodes = var.autopilot_cluster ? null : true',
        'enable_shielded_nodes = true'
      )
    );
    const errors = await ruleErrors(dir, { project_id: 'p-123456', autopilot_cluster: 'true' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('Error: Conflicting configuration arguments');
    expect(errors[0]).toContain('with google_container_cluster.main');
    expect(await ruleErrors(dir, { project_id: 'p-123456', autopilot_cluster: 'false' })).toEqual(
      []
    );
    expect(variableChoices(await loadModule(dir)).autopilot_cluster).toEqual([true, false]);
  });
});
