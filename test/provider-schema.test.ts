/** The Terraform module against the real google provider schema (6.50.0). */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';
import { providerSchema, schemaErrors } from './support/provider-schema.js';

const MODULE_DIR = path.join(PROJECT_ROOT, 'terraform');
const moduleFiles = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(MODULE_DIR)
      .filter((f) => f.endsWith('.tf'))
      .map((f) => [f, readFileSync(path.join(MODULE_DIR, f), 'utf8')])
  );

describe('terraform/ against the google provider schema', () => {
  it('is the schema of provider 6.50.0, the version versions.tf installs', () => {
    expect(providerSchema().version).toBe('6.50.0');
    expect(readFileSync(path.join(MODULE_DIR, 'versions.tf'), 'utf8')).toMatch(/"~> 6\.\d+"/);
    expect(Object.keys(providerSchema().resources).length).toBeGreaterThan(1000);
  });

  it('uses only resource types, arguments and blocks the provider has, with every required one', async () => {
    const files = moduleFiles();
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(8);
    expect(await schemaErrors(files)).toEqual([]);
  });

  it('fails on a misspelled argument, naming file, resource and argument', async () => {
    const files = moduleFiles();
    files['cluster.tf'] = files['cluster.tf']!.replace(
      'deletion_protection =',
      'deletion_protecton ='
    );
    expect(await schemaErrors(files)).toEqual([
      expect.stringMatching(
        /^cluster\.tf: google_container_cluster\.main: no argument or block "deletion_protecton"/
      )
    ]);
  });

  it('fails on a misspelled nested block argument', async () => {
    const files = moduleFiles();
    files['cluster.tf'] = files['cluster.tf']!.replace('min_node_count', 'minimum_node_count');
    expect((await schemaErrors(files)).join('\n')).toMatch(
      /google_container_node_pool\.default\.autoscaling: no argument or block "minimum_node_count"/
    );
  });

  it('fails on a missing required argument', async () => {
    const files = moduleFiles();
    files['storage.tf'] = files['storage.tf']!.replace(/^\s*location\s*=.*$/m, '');
    expect((await schemaErrors(files)).join('\n')).toMatch(
      /storage\.tf: google_storage_bucket\.\w+: required argument "location" is missing/
    );
  });

  it('fails on a resource type the provider does not have', async () => {
    const errors = await schemaErrors({
      'x.tf': 'resource "google_container_clusters" "x" {\n  name = "x"\n}\n'
    });
    expect(errors).toEqual([
      'x.tf: google_container_clusters.x: no resource type google_container_clusters in provider 6.50.0'
    ]);
  });
});
