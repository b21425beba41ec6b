/** The plan fingerprint: what it covers, what it hides, and how a difference is told. */
import { describe, expect, it } from '@jest/globals';
import {
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
const fingerprint = (changes: JsonResourceChange[], chart = 'v1.16.8', values = 'a'.repeat(64)) =>
  planFingerprint({
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
});
