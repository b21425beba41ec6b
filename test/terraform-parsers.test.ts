/** The pure readers of Terraform's and gcloud's answers, with the shapes the real tools print. */
import { describe, expect, it } from '@jest/globals';
import { StepError } from '../src/errors.js';
import { explainTerraformFailure, parseLockError } from '../src/terraform/lock.js';
import { parseOutputs, readOutputs } from '../src/terraform/outputs.js';
import {
  driftedOutside,
  planLine,
  readPlanJson,
  resourcesByType,
  summarisePlan
} from '../src/terraform/plan-summary.js';
import {
  LOCK_ERROR,
  outputJson,
  planJson,
  PASSWORD,
  PASSWORD_SECRET
} from './terraform-fixtures.js';

describe('plan summary', () => {
  it('counts like Terraform: a replacement is one add and one destroy, reads count nothing', () => {
    const summary = summarisePlan(
      readPlanJson(
        planJson([
          ['google_container_cluster.main', ['create']],
          ['google_storage_bucket.data', ['update']],
          ['google_sql_database_instance.main', ['delete', 'create']],
          ['google_compute_global_address.ingress[0]', ['delete']],
          ['random_password.database', ['no-op']],
          ['data.google_client_config.me', ['read']]
        ]),
        'terraform-show-json'
      )
    );
    expect(planLine(summary)).toBe('Plan: 2 to add, 1 to change, 2 to destroy.');
    expect(summary.resources.map((r) => [r.address, r.action])).toEqual([
      ['google_container_cluster.main', 'create'],
      ['google_storage_bucket.data', 'update'],
      ['google_sql_database_instance.main', 'replace'],
      ['google_compute_global_address.ingress[0]', 'delete']
    ]);
    expect(resourcesByType(summary)[0]).toEqual({
      type: 'google_compute_global_address',
      actions: { delete: 1 }
    });
  });

  it('rejects output that is not a 1.x plan', () => {
    expect(() => readPlanJson('Error: oops', 's')).toThrow(StepError);
    expect(() => readPlanJson('{"format_version":"0.1"}', 's')).toThrow(/format "0.1"/);
  });

  it('lists resources changed outside Terraform for drift reports', () => {
    const plan = readPlanJson(
      JSON.stringify({
        format_version: '1.2',
        resource_drift: [
          {
            address: 'google_storage_bucket.data',
            type: 'google_storage_bucket',
            change: { actions: ['update'] }
          },
          {
            address: 'google_compute_global_address.ingress[0]',
            type: 'google_compute_global_address',
            change: { actions: ['delete'] }
          }
        ]
      }),
      's'
    );
    expect(driftedOutside(plan)).toEqual([
      'google_storage_bucket.data was changed outside Terraform',
      'google_compute_global_address.ingress[0] was deleted outside Terraform'
    ]);
  });
});

describe('terraform output -json', () => {
  it('types the outputs: the secret version that holds the password, never the password', () => {
    const secrets: string[] = [];
    const outputs = parseOutputs(outputJson({ ingress: true }), (s) => secrets.push(s));
    expect(secrets).toEqual([]);
    expect(JSON.stringify(outputs)).not.toMatch(/password"/i);
    expect(outputs).toMatchObject({
      cloudsqlIp: '10.59.0.3',
      cloudsqlPasswordSecret: PASSWORD_SECRET,
      clusterName: 'flyte',
      clusterLocation: 'us-central1',
      bucketName: 'acme-flyte-dev-flyte-flyte',
      serviceAccount: 'flyte-flyte@acme-flyte-dev.iam.gserviceaccount.com',
      staticIpAddress: '34.111.22.33',
      staticIpName: 'flyte-flyte'
    });
  });

  it('reads the per-domain task accounts map, and refuses one that is not a map of strings', () => {
    const base = JSON.parse(outputJson({ ingress: false })) as Record<string, unknown>;
    const accounts = { development: 'd@x.iam', staging: 's@x.iam', production: 'p@x.iam' };
    const withMap = (value: unknown) =>
      JSON.stringify({
        ...base,
        task_service_accounts: { sensitive: false, type: ['map', 'string'], value }
      });
    expect(parseOutputs(withMap(accounts), () => undefined).taskServiceAccounts).toEqual(accounts);
    expect(() => parseOutputs(withMap(['d@x.iam']), () => undefined)).toThrow(
      /task_service_accounts .*expected a map of non-empty strings/
    );
    expect(() => parseOutputs(withMap({ development: 3 }), () => undefined)).toThrow(
      /expected a map of non-empty strings/
    );
    expect(parseOutputs(JSON.stringify(base), () => undefined).taskServiceAccounts).toBeUndefined();
  });

  it('leaves the static IP out when ingress is off (null outputs are not printed)', () => {
    const outputs = parseOutputs(outputJson({ ingress: false }), () => undefined);
    expect(outputs.staticIpAddress).toBeUndefined();
    expect('staticIpName' in outputs).toBe(false);
  });

  it('masks a legacy password output even when a custom module forgot sensitive, and never uses it', () => {
    const json = JSON.parse(outputJson({ legacyPassword: PASSWORD })) as Record<
      string,
      { sensitive: boolean }
    >;
    json.cloudsql_password!.sensitive = false;
    const secrets: string[] = [];
    const outputs = parseOutputs(JSON.stringify(json), (s) => secrets.push(s));
    expect(secrets).toEqual([PASSWORD]);
    expect(JSON.stringify(outputs)).not.toContain(PASSWORD);
  });

  it('names a missing output, and still registers a sensitive value first', () => {
    const json = JSON.parse(outputJson({ legacyPassword: PASSWORD })) as Record<string, unknown>;
    delete json.bucket_name;
    delete json.service_account;
    const secrets: string[] = [];
    expect(() => parseOutputs(JSON.stringify(json), (s) => secrets.push(s))).toThrow(
      /bucket_name, service_account are missing/
    );
    expect(secrets).toEqual([PASSWORD]);
  });

  it('tells an empty state (first run) apart from a broken one', () => {
    expect(readOutputs('{}\n', () => undefined)).toEqual({ kind: 'empty' });
    expect(() => parseOutputs('{}', () => undefined)).toThrow(/no outputs.*Run the deploy/);
    expect(() => parseOutputs('not json', () => undefined)).toThrow(StepError);
  });
});

describe('state lock errors', () => {
  it('shows who holds the lock, since when, and the force-unlock command', () => {
    expect(parseLockError(LOCK_ERROR)).toEqual({
      id: '6a3b1e5c-1f2d-4c7e-9a10-1b2c3d4e5f60',
      path: 'gs://acme-flyte-dev-flyte-tfstate/flyte-gke/flyte/default.tflock',
      who: 'runner@fv-az512-777',
      operation: 'OperationTypeApply',
      created: '2026-11-24 03:00:00.123456 +0000 UTC',
      version: '1.13.4'
    });
    const message = explainTerraformFailure({ stdout: '', stderr: LOCK_ERROR }, '/mod');
    expect(message).toContain('locked by runner@fv-az512-777 (running apply, since 2026-11-24');
    expect(message).toContain('terraform force-unlock -force 6a3b1e5c-1f2d-4c7e-9a10-1b2c3d4e5f60');
  });

  it('reads the plain form Terraform prints with -no-color too', () => {
    const plain = LOCK_ERROR.replace(/^[│╷╵] ?/gmu, '');
    expect(parseLockError(plain)?.who).toBe('runner@fv-az512-777');
  });

  it('leaves other failures alone', () => {
    expect(explainTerraformFailure({ stdout: '', stderr: 'Error: Invalid value' })).toBeUndefined();
  });
});
