/**
 * The database password reaches Flyte's values from Secret Manager, and only for deploy and
 * upgrade: Terraform outputs name the secret version, plan and drift never read it, and every
 * command computes the same values digest.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { runPhases } from '../src/engine/runner.js';
import { googleApiFor } from '../src/gcp/client.js';
import { crc32c } from '../src/gcp/crc32c.js';
import { valuesPhase } from '../src/phases/flyte.js';
import { FakeCluster } from './support/fake-cluster.js';
import { googleError, GoogleServer } from './support/google-server.js';
import { serveSecretVersions } from './support/google-secret-routes.js';
import {
  CANARY_PASSWORD,
  flyteInputs,
  PASSWORD_SECRET,
  tfOutputs
} from './support/flyte-fixtures.js';
import { testContext } from './support/task-context.js';

let google: GoogleServer;
let damaged = false;
beforeAll(async () => {
  google = await new GoogleServer().start();
  serveSecretVersions(google, {
    versions: () => ({ [PASSWORD_SECRET]: CANARY_PASSWORD }),
    damaged: () => damaged
  });
});
afterAll(async () => google.stop());
beforeEach(() => {
  google.reset();
  google.calls.length = 0;
  damaged = false;
});

async function runValues(
  command: string,
  options: { outputs?: Parameters<typeof tfOutputs>[0] } = {}
) {
  const cluster = new FakeCluster();
  const inputs = flyteInputs({ command });
  const { file, env } = google.credentials();
  const from = google.calls.length;
  const ctx = testContext({ inputs, exec: cluster.exec, google: googleApiFor(file, env) });
  mkdirSync(ctx.env.RUNNER_TEMP!, { recursive: true });
  ctx.state.tfOutputs = tfOutputs(options.outputs);
  let error: Error | undefined;
  try {
    await runPhases([valuesPhase(inputs)], { ctx, secrets: () => [...ctx.log.secrets] });
  } catch (e) {
    error = e as Error;
  }
  const secretCalls = google.calls.slice(from).filter((c) => c.service === 'secretmanager');
  return { ctx, state: ctx.state, cluster, secretCalls, error };
}

describe('the database password, from Secret Manager to the values file', () => {
  it('deploy reads the exact version the outputs name and writes it where the chart reads it', async () => {
    const { state, secretCalls, ctx, error } = await runValues('deploy');
    expect(error).toBeUndefined();
    expect(secretCalls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1/${PASSWORD_SECRET}:access`
    ]);
    const values = parse(readFileSync(state.patchedValuesFile!, 'utf8')) as {
      configuration: { database: { password: string } };
    };
    expect(values.configuration.database.password).toBe(CANARY_PASSWORD);
    // A secret before anything else could print it; never in a log line or the preview.
    expect(ctx.log.secrets).toContain(CANARY_PASSWORD);
    expect(ctx.log.lines.join('\n')).not.toContain(CANARY_PASSWORD);
    expect(state.valuesPreview).not.toContain(CANARY_PASSWORD);
  });

  it('upgrade reads it too; plan and drift never ask Secret Manager, and agree on the digest', async () => {
    const deploy = await runValues('deploy');
    const upgrade = await runValues('upgrade');
    expect(upgrade.secretCalls).toHaveLength(1);
    for (const command of ['plan', 'drift']) {
      const read = await runValues(command);
      expect(read.error).toBeUndefined();
      expect(read.secretCalls).toEqual([]);
      expect(read.state.databasePassword).toBeUndefined();
      expect(read.state.valuesDigest).toBe(deploy.state.valuesDigest);
    }
  });

  it('a rotated password (a new secret version) changes the digest, so the release is upgraded', async () => {
    const before = await runValues('plan');
    const after = await runValues('plan', {
      outputs: { cloudsqlPasswordSecret: PASSWORD_SECRET.replace(/\/1$/, '/2') }
    });
    expect(after.state.valuesDigest).not.toBe(before.state.valuesDigest);
  });

  it.each(['latest', '--impersonate-service-account=x@y.iam.gserviceaccount.com', ''])(
    'refuses an output that is not a version name (%j) before asking Secret Manager',
    async (name) => {
      const { error, secretCalls, state } = await runValues('deploy', {
        outputs: { cloudsqlPasswordSecret: name }
      });
      expect(error?.message).toMatch(/cloudsql_password_secret .*not a Secret Manager version/);
      expect(secretCalls).toEqual([]);
      expect(state.patchedValuesFile).toBeUndefined();
    }
  );

  it('says which permission the deployer lacks when Secret Manager refuses, keeping its status', async () => {
    google.fail(
      /:access$/,
      googleError(
        403,
        'PERMISSION_DENIED',
        `Permission 'secretmanager.versions.access' denied for resource '${PASSWORD_SECRET}' (or it may not exist).`,
        'IAM_PERMISSION_DENIED'
      )
    );
    const { error, state } = await runValues('deploy');
    expect(error?.message).toMatch(/403 PERMISSION_DENIED \(IAM_PERMISSION_DENIED\)/);
    expect(error?.message).toMatch(/needs secretmanager\.versions\.access/);
    expect(state.patchedValuesFile).toBeUndefined();
  });

  it('refuses a payload that fails its CRC-32C, using nothing of it', async () => {
    damaged = true;
    const { error, state, ctx } = await runValues('deploy');
    expect(error?.message).toMatch(/does not match its CRC-32C checksum/);
    expect(state.databasePassword).toBeUndefined();
    expect(state.patchedValuesFile).toBeUndefined();
    expect(`${error?.message}\n${ctx.log.lines.join('\n')}`).not.toContain(CANARY_PASSWORD);
  });

  it('computes CRC-32C (Castagnoli), not the IEEE CRC-32', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});
